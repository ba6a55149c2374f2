//! The client facet of an Endpoint: calls to a server process.

use crate::any_cap::AnyCap;
use crate::cap::Cap;
use crate::client::{CallRequest, CallTarget, SyncParams};
use crate::completions::Completion;
use crate::error::Error;
use crate::message;
use crate::reply::Reply;
use crate::transfer::{self, Transfer, TransferError};
use crate::wire;
use alloc::vec::Vec;
use capnp::traits::Owned;
use capos_abi::ipc::{MAX_XFER, XferDesc, reply_size};
use capos_abi::ring::op;

/// Room for a reply message that [`EndpointClient`] makes by default;
/// room for [`MAX_XFER`] capability records is added to it.
pub const ENDPOINT_RESULT_BYTES: usize = 4096;

/// A capability to call a server through its Endpoint. The interface is
/// whatever the Endpoint was created for, known only at run time, so this
/// is not a [`super::Client`]: every call names `interface_id`, and the
/// kernel refuses a call if it is not the Endpoint's.
pub struct EndpointClient {
    cap: Cap,
    interface_id: u64,
    result_bytes: usize,
}

impl EndpointClient {
    pub fn new(cap: Cap, interface_id: u64) -> Self {
        EndpointClient {
            cap,
            interface_id,
            result_bytes: ENDPOINT_RESULT_BYTES,
        }
    }

    /// Sets the room for reply messages. A reply larger than this fails
    /// the call with `RESULT_TOO_SMALL`, after the server has acted.
    pub fn with_result_bytes(self, bytes: usize) -> Self {
        EndpointClient {
            result_bytes: bytes,
            ..self
        }
    }

    pub fn cap(&self) -> &Cap {
        &self.cap
    }

    pub fn into_cap(self) -> Cap {
        self.cap
    }

    pub fn interface_id(&self) -> u64 {
        self.interface_id
    }

    /// Calls method `method_id` with params of type `P` and the
    /// capabilities in `transfers`, and waits for the server's reply.
    pub fn call<P: Owned>(
        &self,
        method_id: u16,
        fill: impl FnOnce(P::Builder<'_>),
        transfers: Vec<Transfer<'_>>,
    ) -> Result<Reply, TransferError> {
        let ring = self.cap.ring();
        let target = self.target(method_id);
        let params = SyncParams::build::<P>(ring, fill);
        let (completion, sent) = transfer::submit_and_wait(ring, transfers, |client, xfers| {
            client.submit_sync(&target, params, xfers)
        })?;
        self.finish(completion, &sent)
            .map(|reply| reply.recycled_to(ring))
    }

    /// Where a call of `method_id` goes, with room for the reply and
    /// [`MAX_XFER`] capability records.
    fn target(&self, method_id: u16) -> CallTarget {
        CallTarget {
            cap_id: self.cap.id(),
            interface_id: self.interface_id,
            method_id,
            result_bytes: reply_size(self.result_bytes, MAX_XFER as usize),
        }
    }

    /// [`EndpointClient::call`] with a params message already framed (or
    /// any bytes the server understands, in whole words).
    pub fn call_message(
        &self,
        method_id: u16,
        params: Vec<u64>,
        transfers: Vec<Transfer<'_>>,
    ) -> Result<Reply, TransferError> {
        let target = self.target(method_id);
        let request = CallRequest {
            cap_id: target.cap_id,
            interface_id: target.interface_id,
            method_id,
            params,
            result_bytes: target.result_bytes,
        };
        let ring = self.cap.ring();
        let (completion, sent) = transfer::submit_and_wait(ring, transfers, |client, xfers| {
            client.submit_transfer_call(request, xfers)
        })?;
        self.finish(completion, &sent)
    }

    /// Turns a CALL's completion into the reply and the capabilities it
    /// brought, or the error and the moved capabilities that came back.
    fn finish(&self, completion: Completion, sent: &[XferDesc]) -> Result<Reply, TransferError> {
        let ring = self.cap.ring();
        let cqe = completion.cqe;
        if transfer::moved_back(op::CALL, &cqe) {
            return Err(transfer::restore(ring, sent, Error::Transport(cqe.result)));
        }
        // Owned before anything else can fail, so they are released rather
        // than leaked if the message turns out to be bad.
        let caps = match usize::try_from(cqe.result) {
            Ok(len) => wire::reply_records(message::as_bytes(&completion.result), len, cqe.flags)
                .map_err(|e| TransferError::new(Error::Decode(e)))?
                .into_iter()
                .map(|r| AnyCap::new(Cap::new(r.cap_id, ring.clone()), r.interface_id))
                .collect(),
            Err(_) => Vec::new(),
        };
        Ok(Reply::from_completion(completion)?.with_caps(caps))
    }
}

impl From<AnyCap> for EndpointClient {
    /// A client for whatever interface the capability implements.
    fn from(any: AnyCap) -> Self {
        let interface_id = any.interface_id();
        EndpointClient::new(any.into_cap(), interface_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_kernel::{Outcome, shared_ring};
    use alloc::vec;
    use capos_abi::error;
    use capos_abi::ipc::{CapRecord, XFER_COPY, XFER_MOVE};
    use capos_schema::{ExceptionType, cap_exception, timer};

    const ECHO: u64 = 0xec40;

    fn now_reply(ns: u64) -> Vec<u8> {
        message::as_bytes(&message::build::<timer::now_results::Owned>(|mut r| {
            r.set_ns(ns)
        }))
        .to_vec()
    }

    fn record(cap_id: u32, interface_id: u64) -> CapRecord {
        CapRecord {
            cap_id,
            _reserved: 0,
            interface_id,
        }
    }

    #[test]
    fn calls_carry_transfers_and_replies_bring_caps() {
        let (ring, log) = shared_ring(|sqe, _| {
            assert_eq!((sqe.interface_id, sqe.method_id), (ECHO, 7));
            Outcome::Transfer(now_reply(5), vec![record(0x2_0009, 0x77)])
        });
        let client = EndpointClient::new(Cap::new(0x1_0001, ring.clone()), ECHO);
        let kept = Cap::new(0x1_0002, ring.clone());
        let moved = Cap::new(0x1_0003, ring.clone());
        let mut reply = client
            .call::<timer::now_params::Owned>(
                7,
                |_| {},
                vec![Transfer::Copy(&kept), Transfer::Move(moved)],
            )
            .unwrap();
        assert_eq!(
            reply.read::<timer::now_results::Owned, _>(|r| Ok(r.get_ns())),
            Ok(5)
        );
        let caps = reply.take_caps();
        assert_eq!(caps.len(), 1);
        assert_eq!(
            (caps[0].cap().id(), caps[0].interface_id()),
            (0x2_0009, 0x77)
        );
        assert_eq!(
            log.borrow().transfers[0],
            [
                XferDesc {
                    cap_id: 0x1_0002,
                    mode: XFER_COPY
                },
                XferDesc {
                    cap_id: 0x1_0003,
                    mode: XFER_MOVE
                }
            ]
        );
        drop(caps);
        ring.borrow_mut().flush().unwrap();
        // The moved capability is the server's now: never released here.
        assert_eq!(log.borrow().released, [0x2_0009]);
        let sqe = log.borrow().calls[0].0;
        assert_eq!(sqe.result_len as usize, reply_size(4096, 16));
    }

    #[test]
    fn undelivered_calls_give_moved_caps_back() {
        let (ring, log) = shared_ring(|_, _| Outcome::Error(error::CANCELLED));
        let client = EndpointClient::new(Cap::new(0x1_0001, ring.clone()), ECHO);
        let err = client
            .call::<timer::now_params::Owned>(
                0,
                |_| {},
                vec![Transfer::Move(Cap::new(0x1_0003, ring.clone()))],
            )
            .unwrap_err();
        assert_eq!(err.error, Error::Transport(error::CANCELLED));
        assert_eq!(err.restored.len(), 1);
        assert_eq!(err.restored[0].id(), 0x1_0003);
        drop(err);
        ring.borrow_mut().flush().unwrap();
        assert_eq!(log.borrow().released, [0x1_0003]);
    }

    #[test]
    fn exceptions_are_delivered_calls() {
        let (ring, log) = shared_ring(|_, _| {
            let words = message::build::<cap_exception::Owned>(|mut e| {
                e.set_type(ExceptionType::Failed);
                e.set_reason("no");
            });
            Outcome::Exception(message::as_bytes(&words).to_vec())
        });
        let client =
            EndpointClient::new(Cap::new(0x1_0001, ring.clone()), ECHO).with_result_bytes(64);
        let err = client
            .call_message(
                1,
                message::build::<timer::now_params::Owned>(|_| {}),
                vec![Transfer::Move(Cap::new(0x1_0003, ring.clone()))],
            )
            .unwrap_err();
        assert!(matches!(err.error, Error::Application { .. }));
        assert!(err.restored.is_empty());
        assert_eq!(
            log.borrow().calls[0].0.result_len as usize,
            reply_size(64, 16)
        );
    }

    #[test]
    fn replies_with_unreadable_records_are_refused() {
        let (ring, _log) = shared_ring(|_, _| {
            Outcome::Transfer(now_reply(1), vec![record(1, 1); MAX_XFER as usize + 1])
        });
        let client = EndpointClient::from(AnyCap::new(Cap::new(0x1_0001, ring), ECHO));
        assert_eq!(client.interface_id(), ECHO);
        let err = client
            .call::<timer::now_params::Owned>(0, |_| {}, vec![])
            .unwrap_err();
        assert!(matches!(
            err.error,
            Error::Decode(crate::error::DecodeError::Contract(_))
        ));
    }
}
