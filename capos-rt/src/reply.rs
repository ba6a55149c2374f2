//! The result of a completed CALL, and how a CQE becomes one.

use crate::any_cap::AnyCap;
use crate::client::SharedRing;
use crate::completions::Completion;
use crate::error::{DecodeError, Error};
use crate::message::{self, Message};
use alloc::string::String;
use alloc::vec::Vec;
use capnp::serialize::NoAllocSliceSegments;
use capnp::traits::Owned;
use capos_abi::error::APPLICATION_EXCEPTION;
use capos_schema::cap_exception;

/// A successful CALL's result message, and the capabilities that came
/// with it (only an Endpoint's server can send some).
pub struct Reply {
    message: Message,
    seq: u64,
    caps: Vec<AnyCap>,
    /// The ring client that gets the result buffer back when the reply is
    /// dropped, for its next synchronous call.
    home: Option<SharedRing>,
}

impl Reply {
    /// Interprets a CALL's completion: a result message, a `CapException`
    /// (`APPLICATION_EXCEPTION`), or a transport error.
    pub fn from_completion(completion: Completion) -> Result<Reply, Error> {
        let Completion { cqe, result, seq } = completion;
        if cqe.result == APPLICATION_EXCEPTION {
            return Err(exception(message::as_bytes(&result)));
        }
        let len = usize::try_from(cqe.result).map_err(|_| Error::Transport(cqe.result))?;
        let message = Message::new(result, len).ok_or(Error::Decode(DecodeError::Contract(
            "result length exceeds the result buffer",
        )))?;
        Ok(Reply {
            message,
            seq,
            caps: Vec::new(),
            home: None,
        })
    }

    pub(crate) fn with_caps(mut self, caps: Vec<AnyCap>) -> Self {
        self.caps = caps;
        self
    }

    /// Gives the result buffer to `ring` when the reply is dropped.
    pub(crate) fn recycled_to(mut self, ring: &SharedRing) -> Self {
        self.home = Some(ring.clone());
        self
    }

    /// The result message's bytes.
    pub fn bytes(&self) -> &[u8] {
        self.message.bytes()
    }

    /// When the kernel completed this call relative to other requests of
    /// this process (see [`Completion::seq`]).
    pub fn seq(&self) -> u64 {
        self.seq
    }

    pub fn message(&self) -> Result<capnp::message::Reader<NoAllocSliceSegments<'_>>, Error> {
        self.message.reader()
    }

    /// Reads the root as a `T` and extracts a value from it.
    pub fn read<T: Owned, V>(
        &self,
        extract: impl FnOnce(T::Reader<'_>) -> Result<V, Error>,
    ) -> Result<V, Error> {
        self.message.read::<T, V>(extract)
    }

    /// The capabilities that came with the reply, in the server's order.
    pub fn caps(&self) -> &[AnyCap] {
        &self.caps
    }

    /// Takes ownership of the capabilities that came with the reply.
    pub fn take_caps(&mut self) -> Vec<AnyCap> {
        core::mem::take(&mut self.caps)
    }
}

impl core::fmt::Debug for Reply {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Reply")
            .field("message", &self.message)
            .field("seq", &self.seq)
            .field("caps", &self.caps)
            .finish_non_exhaustive()
    }
}

impl Drop for Reply {
    fn drop(&mut self) {
        // Busy only if the reply is dropped inside a ring operation; the
        // buffer is then simply freed.
        if let Some(ring) = self.home.take()
            && let Ok(mut client) = ring.try_borrow_mut()
        {
            client.recycle_result(self.message.take_words());
        }
    }
}

fn exception(bytes: &[u8]) -> Error {
    let decoded = message::read(bytes).and_then(|msg| {
        let root: cap_exception::Reader = msg.get_root()?;
        let reason = root.get_reason()?.to_str().map_err(capnp::Error::from)?;
        Ok((root.get_type(), String::from(reason)))
    });
    match decoded {
        Ok((Ok(kind), reason)) => Error::Application { kind, reason },
        Ok((Err(not_in_schema), _)) => not_in_schema.into(),
        Err(e) => e.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use capos_abi::error;
    use capos_abi::ring::Cqe;
    use capos_schema::{ExceptionType, timer};

    fn completion(result: i32, words: Vec<u64>) -> Completion {
        let cqe = Cqe {
            result,
            ..Cqe::default()
        };
        Completion {
            cqe,
            result: words,
            seq: 4,
        }
    }

    #[test]
    fn results_are_read_back() {
        let words = message::build::<timer::now_results::Owned>(|mut r| r.set_ns(42));
        let len = words.len() as i32 * 8;
        let mut buffer = words;
        buffer.resize(16, 0);
        let reply = Reply::from_completion(completion(len, buffer)).unwrap();
        assert_eq!(reply.seq(), 4);
        assert_eq!(reply.bytes().len(), len as usize);
        let ns = reply.read::<timer::now_results::Owned, _>(|r| Ok(r.get_ns()));
        assert_eq!(ns, Ok(42));
    }

    #[test]
    fn exceptions_and_transport_errors_become_errors() {
        let words = message::build::<cap_exception::Owned>(|mut e| {
            e.set_type(ExceptionType::Unimplemented);
            e.set_reason("not yet");
        });
        let got = Reply::from_completion(completion(APPLICATION_EXCEPTION, words));
        let expected = Error::Application {
            kind: ExceptionType::Unimplemented,
            reason: "not yet".into(),
        };
        assert_eq!(got.unwrap_err(), expected);
        let got = Reply::from_completion(completion(error::BAD_ADDRESS, Vec::new()));
        assert_eq!(got.unwrap_err(), Error::Transport(error::BAD_ADDRESS));
        let got = Reply::from_completion(completion(APPLICATION_EXCEPTION, Vec::new()));
        assert!(matches!(got, Err(Error::Decode(DecodeError::Capnp(_)))));
        let got = Reply::from_completion(completion(64, alloc::vec![0; 2]));
        assert!(matches!(got, Err(Error::Decode(DecodeError::Contract(_)))));
    }
}
