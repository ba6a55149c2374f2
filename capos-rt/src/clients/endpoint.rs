//! Endpoint: the owner facet, through which a server takes calls (RECV)
//! and answers them (RETURN), and makes client facets for its clients.

use super::{Client, EndpointClient};
use crate::any_cap::AnyCap;
use crate::cap::Cap;
use crate::client::SharedRing;
use crate::completions::Token;
use crate::error::{DecodeError, Error};
use crate::message::{self, Message};
use crate::transfer::{self, Transfer, TransferError};
use crate::wire;
use alloc::vec;
use alloc::vec::Vec;
use capnp::traits::Owned;
use capos_abi::error::RESULT_TOO_SMALL;
use capos_abi::ipc::{MAX_XFER, RETURN_EXCEPTION, RETURN_OK, recv_size};
use capos_abi::ring::MAX_MESSAGE_BYTES;
use capos_schema::{ExceptionType, cap_exception, endpoint, interface_id};

/// Schema ordinal of `client`.
const CLIENT: u16 = 0;

/// Params room of the first RECV buffer. A larger call makes the kernel
/// answer `RESULT_TOO_SMALL` with the size needed, and the RECV is
/// repeated with that.
const RECV_PARAMS_BYTES: usize = 4096;

/// The largest RECV result the kernel can produce; a larger "size needed"
/// breaks the contract.
const MAX_RECV_BYTES: usize = recv_size(MAX_MESSAGE_BYTES as usize, MAX_XFER as usize);

/// One call taken from the Endpoint, to be answered with
/// [`Endpoint::reply`] or [`Endpoint::reply_exception`].
#[derive(Debug)]
pub struct Incoming {
    /// Names the call in the answer.
    pub call_id: u32,
    pub method_id: u16,
    /// The interface the caller named: the Endpoint's.
    pub interface_id: u64,
    pub params: Message,
    /// The capabilities the caller sent, now in this process's table.
    pub caps: Vec<AnyCap>,
}

super::client!(Endpoint, interface_id::ENDPOINT);

/// A RECV in flight ([`Endpoint::recv_async`]). Dropping it abandons the
/// RECV: a call it takes then is never answered (its caller hears
/// CANCELLED when the Endpoint closes).
#[must_use = "dropping a PendingRecv abandons the RECV"]
pub struct PendingRecv {
    token: Option<Token>,
    ring: SharedRing,
    cap_id: u32,
    capacity: usize,
}

impl PendingRecv {
    /// True once the RECV's completion has been reaped (by any wait of
    /// this process).
    pub fn is_complete(&self) -> bool {
        self.token
            .as_ref()
            .is_some_and(|token| self.ring.borrow().is_ready(token))
    }

    /// The call, once [`PendingRecv::is_complete`]. `Ok(None)` when the
    /// call needed a larger buffer: the RECV was made again with room for
    /// it, and this waits on that one.
    pub fn take(&mut self) -> Result<Option<Incoming>, Error> {
        let Some(token) = self.token.take() else {
            return Err(Error::Decode(DecodeError::Contract(
                "a PendingRecv was taken twice",
            )));
        };
        let completion = match self.ring.borrow_mut().try_take(token) {
            Ok(completion) => completion,
            Err(token) => {
                self.token = Some(token);
                return Ok(None);
            }
        };
        self.finish(completion)
    }

    /// Decodes a RECV's completion, or makes the RECV again with the size
    /// the kernel asked for.
    fn finish(
        &mut self,
        completion: crate::completions::Completion,
    ) -> Result<Option<Incoming>, Error> {
        let cqe = completion.cqe;
        if cqe.result == RESULT_TOO_SMALL {
            // The call stays queued; ask again with room for it.
            self.capacity = usize::try_from(cqe.aux)
                .ok()
                .filter(|&needed| needed > self.capacity && needed <= MAX_RECV_BYTES)
                .ok_or(Error::Decode(DecodeError::Contract(
                    "RECV asked for an impossible buffer size",
                )))?;
            let mut client = self.ring.borrow_mut();
            client.make_room(1)?;
            self.token = Some(client.submit_recv(self.cap_id, self.capacity)?);
            return Ok(None);
        }
        let total = usize::try_from(cqe.result).map_err(|_| Error::Transport(cqe.result))?;
        let bytes = message::as_bytes(&completion.result);
        let recv = wire::recv(bytes, total).map_err(Error::Decode)?;
        let caps = recv
            .caps
            .iter()
            .map(|r| AnyCap::new(Cap::new(r.cap_id, self.ring.clone()), r.interface_id))
            .collect();
        Ok(Some(Incoming {
            call_id: recv.call_id,
            method_id: recv.method_id,
            interface_id: recv.interface_id,
            params: Message::copy_of(&bytes[recv.params]),
            caps,
        }))
    }
}

impl Drop for PendingRecv {
    fn drop(&mut self) {
        if let Some(token) = self.token.take() {
            self.ring.borrow_mut().detach(token);
        }
    }
}

impl Endpoint {
    /// A new client facet, which can only call this Endpoint.
    pub fn client(&self) -> Result<EndpointClient, Error> {
        let ring = self.cap.ring();
        let any = self
            .cap
            .call::<endpoint::client_params::Owned>(Self::INTERFACE_ID, CLIENT, |_| {})?
            .read::<endpoint::client_results::Owned, _>(|r| {
                Ok(AnyCap::from_result(ring, r.get_client()?))
            })?;
        Ok(EndpointClient::from(any))
    }

    /// Waits for the next call.
    pub fn recv(&self) -> Result<Incoming, Error> {
        let mut pending = self.recv_async()?;
        loop {
            let token = pending.token.take().expect("a PendingRecv holds its token");
            let completion = pending.ring.borrow_mut().wait_for(token)?;
            if let Some(incoming) = pending.finish(completion)? {
                return Ok(incoming);
            }
        }
    }

    /// Starts a RECV and returns at once, so that a server can wait on
    /// several Endpoints (and anything else) together: see [`PendingRecv`].
    pub fn recv_async(&self) -> Result<PendingRecv, Error> {
        let ring = self.cap.ring().clone();
        let capacity = recv_size(RECV_PARAMS_BYTES, MAX_XFER as usize);
        let token = {
            let mut client = ring.borrow_mut();
            client.make_room(1)?;
            client.submit_recv(self.cap.id(), capacity)?
        };
        Ok(PendingRecv {
            token: Some(token),
            ring,
            cap_id: self.cap.id(),
            capacity,
        })
    }

    /// Answers call `call_id` with a result message of type `R` and the
    /// capabilities in `transfers`.
    pub fn reply<R: Owned>(
        &self,
        call_id: u32,
        fill: impl FnOnce(R::Builder<'_>),
        transfers: Vec<Transfer<'_>>,
    ) -> Result<(), TransferError> {
        self.reply_message(call_id, message::build::<R>(fill), transfers)
    }

    /// [`Endpoint::reply`] with a result message already framed.
    pub fn reply_message(
        &self,
        call_id: u32,
        result: Vec<u64>,
        transfers: Vec<Transfer<'_>>,
    ) -> Result<(), TransferError> {
        self.answer(call_id, RETURN_OK, result, transfers)
    }

    /// Answers call `call_id` with an exception: the caller's call fails
    /// with `Error::Application { kind, reason }`.
    pub fn reply_exception(
        &self,
        call_id: u32,
        kind: ExceptionType,
        reason: &str,
    ) -> Result<(), Error> {
        let exception = message::build::<cap_exception::Owned>(|mut e| {
            e.set_type(kind);
            e.set_reason(reason);
        });
        Ok(self.answer(call_id, RETURN_EXCEPTION, exception, vec![])?)
    }

    /// Sends a RETURN and waits for the kernel's verdict: delivered, or the
    /// error that stopped it (the caller gone, its buffer too small), in
    /// which case the moved capabilities stay here.
    fn answer(
        &self,
        call_id: u32,
        status: u16,
        params: Vec<u64>,
        transfers: Vec<Transfer<'_>>,
    ) -> Result<(), TransferError> {
        let ring = self.cap.ring();
        let id = self.cap.id();
        let (completion, sent) = transfer::submit_and_wait(ring, transfers, |client, xfers| {
            client.submit_return(id, call_id, status, params, xfers)
        })?;
        match completion.cqe.result {
            0 => Ok(()),
            code => Err(transfer::restore(ring, &sent, Error::Transport(code))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_kernel::{Outcome, shared_ring};
    use alloc::rc::Rc;
    use capos_abi::error;
    use capos_abi::ipc::{CapRecord, RecvHeader, XFER_MOVE, XferDesc};
    use capos_abi::ring::op;
    use capos_schema::{console, timer};
    use core::cell::Cell;

    const ECHO: u64 = 0xec40;

    /// A RECV result: call 4, method 2, one capability, `params`.
    fn incoming(params: &[u8]) -> Vec<u8> {
        let header = RecvHeader {
            call_id: 4,
            method_id: 2,
            cap_count: 1,
            interface_id: ECHO,
            params_len: params.len() as u32,
            _reserved: 0,
        };
        let cap = CapRecord {
            cap_id: 0x3_0001,
            _reserved: 0,
            interface_id: interface_id::CONSOLE,
        };
        wire::encode_recv(header, params, &[cap])
    }

    #[test]
    fn recv_retries_with_the_size_the_kernel_needs() {
        let params = message::build::<console::write_params::Owned>(|mut p| {
            p.set_data(&[7; 6000]);
        });
        let result = incoming(message::as_bytes(&params));
        let (ring, log) = shared_ring(move |sqe, _| {
            assert_eq!(
                (sqe.opcode, sqe.interface_id, sqe.cap_id),
                (op::RECV, interface_id::ENDPOINT, 0x1_0000)
            );
            Outcome::Reply(result.clone())
        });
        let owner = Endpoint::from_cap(Cap::new(0x1_0000, ring.clone()));
        let call = owner.recv().unwrap();
        assert_eq!(
            (call.call_id, call.method_id, call.interface_id),
            (4, 2, ECHO)
        );
        let data = call
            .params
            .read::<console::write_params::Owned, _>(|p| Ok(p.get_data()?.len()));
        assert_eq!(data, Ok(6000));
        assert_eq!(call.caps.len(), 1);
        assert_eq!(call.caps[0].interface_id(), interface_id::CONSOLE);
        // The first buffer was too small; the second had what was needed.
        let log = log.borrow();
        assert_eq!(log.calls.len(), 2);
        assert_eq!(
            log.calls[1].0.result_len as usize,
            incoming(message::as_bytes(&params)).len()
        );
    }

    #[test]
    fn impossible_sizes_and_errors_fail_recv() {
        let (ring, _log) = shared_ring(|_, _| Outcome::Error(error::STALE_CAP));
        let owner = Endpoint::from_cap(Cap::new(0x1_0000, ring));
        assert_eq!(
            owner.recv().unwrap_err(),
            Error::Transport(error::STALE_CAP)
        );
        let huge = vec![0u8; MAX_RECV_BYTES + 8];
        let (ring, _log) = shared_ring(move |_, _| Outcome::Reply(huge.clone()));
        let owner = Endpoint::from_cap(Cap::new(0x1_0000, ring));
        assert!(matches!(
            owner.recv(),
            Err(Error::Decode(DecodeError::Contract(_)))
        ));
    }

    #[test]
    fn replies_name_the_call_and_carry_transfers() {
        let (ring, log) = shared_ring(|sqe, _| {
            assert_eq!(
                (sqe.opcode, sqe.cap_id, sqe.call_id, sqe.result_len),
                (op::RETURN, 0x1_0000, 4, 0)
            );
            Outcome::Reply(vec![])
        });
        let owner = Endpoint::from_cap(Cap::new(0x1_0000, ring.clone()));
        let moved = Cap::new(0x1_0005, ring.clone());
        owner
            .reply::<timer::now_results::Owned>(4, |mut r| r.set_ns(9), vec![Transfer::Move(moved)])
            .unwrap();
        owner
            .reply_exception(4, ExceptionType::Failed, "bad request")
            .unwrap();
        let log = log.borrow();
        assert_eq!(log.calls[0].0.method_id, RETURN_OK);
        assert_eq!(
            log.transfers[0],
            [XferDesc {
                cap_id: 0x1_0005,
                mode: XFER_MOVE
            }]
        );
        let exception = message::read(&log.calls[1].1).unwrap();
        let e: cap_exception::Reader = exception.get_root().unwrap();
        assert_eq!(log.calls[1].0.method_id, RETURN_EXCEPTION);
        assert_eq!(e.get_reason().unwrap(), "bad request");
    }

    #[test]
    fn undelivered_replies_keep_moved_caps() {
        let (ring, _log) = shared_ring(|_, _| Outcome::Error(error::CANCELLED));
        let owner = Endpoint::from_cap(Cap::new(0x1_0000, ring.clone()));
        let err = owner
            .reply_message(
                1,
                message::build::<timer::now_results::Owned>(|_| {}),
                vec![Transfer::Move(Cap::new(0x1_0005, ring.clone()))],
            )
            .unwrap_err();
        assert_eq!(err.error, Error::Transport(error::CANCELLED));
        assert_eq!(err.restored[0].id(), 0x1_0005);
    }

    #[test]
    fn client_facets_speak_the_endpoints_interface() {
        let asked = Rc::new(Cell::new(0));
        let seen = asked.clone();
        let (ring, _log) = shared_ring(move |sqe, _| {
            seen.set(sqe.interface_id);
            let words = message::build::<endpoint::client_results::Owned>(|r| {
                let mut cap = r.init_client();
                cap.set_cap_id(0x1_0008);
                cap.set_interface_id(ECHO);
            });
            Outcome::Reply(message::as_bytes(&words).to_vec())
        });
        let owner = Endpoint::from_cap(Cap::new(0x1_0000, ring));
        let client = owner.client().unwrap();
        assert_eq!(asked.get(), interface_id::ENDPOINT);
        assert_eq!((client.cap().id(), client.interface_id()), (0x1_0008, ECHO));
    }
}
