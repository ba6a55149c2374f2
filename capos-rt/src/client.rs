//! The ring client: submits requests, enters the kernel, files completions.
//!
//! One per process, shared by every capability client through
//! [`SharedRing`]. Programs are single-threaded, so sharing is an
//! `Rc<RefCell<_>>`; a borrow lasts for one operation and no user code runs
//! inside it.

use crate::completions::{CallBuffers, Completion, Completions, Token};
use crate::error::Error;
use crate::ring::{RingError, RingView};
use alloc::boxed::Box;
use alloc::rc::Rc;
use alloc::vec;
use alloc::vec::Vec;
use capos_abi::ring::{SQ_ENTRIES, Sqe, op};
use capos_abi::syscall::WAIT_FOREVER;
use core::cell::RefCell;

/// The `cap_enter` system call, behind a seam so host tests can put a
/// simulated kernel under the real client code.
pub trait Kernel {
    /// Consumes every queued SQE, then waits until `min_complete` CQEs are
    /// available or `timeout_ns` passes. Returns the number of CQEs
    /// available, or a negative `capos_abi::error` code.
    fn cap_enter(&mut self, min_complete: u32, timeout_ns: u64) -> i64;
}

/// The process's ring client, shared by everything that submits requests.
pub type SharedRing = Rc<RefCell<RingClient>>;

/// One CALL to make: target, method and the framed params message.
#[derive(Debug)]
pub struct CallRequest {
    pub cap_id: u32,
    pub interface_id: u64,
    pub method_id: u16,
    /// The params message with standard framing (see [`crate::message`]).
    pub params: Vec<u64>,
    /// Capacity of the result buffer, in bytes.
    pub result_bytes: usize,
}

/// Result buffer capacity used by the typed clients. Every result in the
/// schema is a few words; a `CapException` needs room for its reason text.
/// A result that does not fit fails with `RESULT_TOO_SMALL`.
pub const DEFAULT_RESULT_BYTES: usize = 1024;

pub struct RingClient {
    ring: RingView,
    kernel: Box<dyn Kernel>,
    completions: Completions,
    next_token: u64,
}

impl RingClient {
    pub fn new(ring: RingView, kernel: Box<dyn Kernel>) -> Self {
        RingClient {
            ring,
            kernel,
            completions: Completions::default(),
            // 0 is left out so a zeroed CQE never matches a request.
            next_token: 1,
        }
    }

    /// The ring itself, for code that inspects the shared header.
    pub fn ring(&self) -> &RingView {
        &self.ring
    }

    fn push(&mut self, mut sqe: Sqe, buffers: CallBuffers) -> Result<Token, RingError> {
        let token = Token(self.next_token);
        sqe.user_data = token.0;
        self.ring.push(&sqe)?;
        self.next_token += 1;
        self.completions.track(&token, buffers);
        Ok(token)
    }

    /// Queues a CALL; its buffers are kept until the CQE arrives.
    /// `Err(RingError::Full)` when the submission queue has no room.
    pub fn submit_call(&mut self, request: CallRequest) -> Result<Token, RingError> {
        let mut buffers = CallBuffers {
            params: request.params,
            // At least one word, so the buffer always has a real address.
            result: vec![0; request.result_bytes.div_ceil(8).max(1)],
        };
        let sqe = Sqe {
            opcode: op::CALL,
            method_id: request.method_id,
            cap_id: request.cap_id,
            params_addr: buffers.params.as_ptr() as u64,
            params_len: (buffers.params.len() * 8) as u32,
            result_addr: buffers.result.as_mut_ptr() as u64,
            result_len: (buffers.result.len() * 8) as u32,
            interface_id: request.interface_id,
            ..Sqe::nop(0)
        };
        self.push(sqe, buffers)
    }

    /// Queues any SQE as it is, except `user_data`, which becomes the
    /// returned token's. For tests of the kernel's validation.
    ///
    /// # Safety
    /// Whatever memory the SQE names must stay valid (and, for the result
    /// buffer, writable and otherwise unused) until its CQE is reaped.
    pub unsafe fn submit_raw(&mut self, sqe: Sqe) -> Result<Token, RingError> {
        self.push(sqe, CallBuffers::default())
    }

    pub fn submit_nop(&mut self) -> Result<Token, RingError> {
        self.push(Sqe::nop(0), CallBuffers::default())
    }

    pub fn submit_release(&mut self, cap_id: u32) -> Result<Token, RingError> {
        self.push(Sqe::release(0, cap_id), CallBuffers::default())
    }

    /// Makes sure `n` submissions fit, entering the kernel (without
    /// waiting) to drain the queue if they do not.
    pub fn make_room(&mut self, n: u32) -> Result<(), Error> {
        if n > SQ_ENTRIES {
            return Err(Error::Ring(RingError::Full));
        }
        if self.ring.sq_space()? < n {
            self.flush()?;
        }
        Ok(())
    }

    /// `cap_enter(min_complete, timeout_ns)`, then reaps every CQE.
    /// Returns what the kernel returned: the number of CQEs available.
    pub fn enter(&mut self, min_complete: u32, timeout_ns: u64) -> Result<u32, Error> {
        let available = self.kernel.cap_enter(min_complete, timeout_ns);
        if available < 0 {
            return Err(Error::Transport(available as i32));
        }
        while let Some(cqe) = self.ring.pop()? {
            self.completions.complete(cqe);
        }
        Ok(available as u32)
    }

    /// Hands every queued SQE to the kernel without waiting.
    pub fn flush(&mut self) -> Result<(), Error> {
        self.enter(0, 0).map(drop)
    }

    /// Waits until at least `min_complete` new CQEs arrive.
    pub fn wait(&mut self, min_complete: u32) -> Result<u32, Error> {
        self.enter(min_complete, WAIT_FOREVER)
    }

    pub fn is_ready(&self, token: &Token) -> bool {
        self.completions.is_ready(token)
    }

    /// Collects a completion if it is there, else gives the token back.
    pub fn try_take(&mut self, token: Token) -> Result<Completion, Token> {
        self.completions.take(token)
    }

    /// Abandons a request (see [`Completions::detach`]).
    pub fn detach(&mut self, token: Token) {
        self.completions.detach(token);
    }

    /// Requests submitted whose CQE has not been reaped.
    pub fn in_flight(&self) -> usize {
        self.completions.in_flight()
    }

    /// Waits for one request; completions of others that arrive meanwhile
    /// are filed for their owners.
    pub fn wait_for(&mut self, mut token: Token) -> Result<Completion, Error> {
        loop {
            token = match self.completions.take(token) {
                Ok(completion) => return Ok(completion),
                Err(token) => token,
            };
            if let Err(e) = self.wait(1) {
                self.detach(token);
                return Err(e);
            }
        }
    }

    /// Submits a CALL and waits for its completion.
    pub fn call(&mut self, request: CallRequest) -> Result<Completion, Error> {
        self.make_room(1)?;
        let token = self.submit_call(request)?;
        self.wait_for(token)
    }

    /// Submits `n` NOPs and enters the kernel once to complete them all.
    /// Returns how many completed successfully in that single entry.
    pub fn nop_batch(&mut self, n: u32) -> Result<u32, Error> {
        self.make_room(n)?;
        let tokens = (0..n)
            .map(|_| self.submit_nop())
            .collect::<Result<Vec<_>, _>>()?;
        self.enter(n, WAIT_FOREVER)?;
        let mut ok = 0;
        for token in tokens {
            match self.completions.take(token) {
                Ok(completion) => ok += u32::from(completion.cqe.result == 0),
                Err(token) => self.detach(token),
            }
        }
        Ok(ok)
    }

    /// Queues a RELEASE whose completion nobody waits for. The kernel acts
    /// on it at the next `cap_enter` of this process (any call or wait, or
    /// the runtime's flush after `main` returns). Errors are dropped: a
    /// release that cannot be queued leaves the capability until exit,
    /// when the kernel drops the whole table anyway.
    pub fn release_detached(&mut self, cap_id: u32) {
        if self.make_room(1).is_ok()
            && let Ok(token) = self.submit_release(cap_id)
        {
            self.detach(token);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message;
    use crate::test_kernel::{FakeKernel, Log, Outcome, RingMemory};
    use capos_schema::timer;

    /// A client over a simulated kernel (which keeps the ring memory alive).
    fn client(
        handler: impl FnMut(&Sqe, &[u8]) -> Outcome + 'static,
    ) -> (RingClient, Rc<RefCell<Log>>) {
        let mem = RingMemory::new();
        let (kernel, log) = FakeKernel::new(mem.clone(), handler);
        (RingClient::new(mem.view(), Box::new(kernel)), log)
    }

    fn now_reply(ns: u64) -> Vec<u8> {
        let words = message::build::<timer::now_results::Owned>(|mut r| r.set_ns(ns));
        message::as_bytes(&words).to_vec()
    }

    fn request(method_id: u16) -> CallRequest {
        CallRequest {
            cap_id: 3,
            interface_id: 9,
            method_id,
            params: message::build::<timer::now_params::Owned>(|_| {}),
            result_bytes: 64,
        }
    }

    #[test]
    fn call_stashes_completions_that_arrive_meanwhile() {
        // Method 1 completes two enters later; method 0 at once.
        let (mut c, log) = client(|sqe, _| match sqe.method_id {
            1 => Outcome::Later(2, now_reply(1)),
            _ => Outcome::Reply(now_reply(2)),
        });
        let slow = c.submit_call(request(1)).unwrap();
        let fast = c.call(request(0)).unwrap();
        assert_eq!(fast.cqe.result, now_reply(2).len() as i32);
        assert!(!c.is_ready(&slow));
        let slow = c.wait_for(slow).unwrap();
        assert!(slow.seq > fast.seq);
        assert_eq!(
            message::as_bytes(&slow.result)[..now_reply(1).len()],
            now_reply(1)
        );
        let sent = &log.borrow().calls[0];
        assert_eq!(
            (sent.0.cap_id, sent.0.interface_id, sent.0.method_id),
            (3, 9, 1)
        );
        assert_eq!(sent.1, message::as_bytes(&request(1).params));
    }

    #[test]
    fn full_queue_is_reported_and_call_makes_room() {
        let (mut c, log) = client(|_, _| Outcome::Reply(now_reply(0)));
        for _ in 0..SQ_ENTRIES {
            let token = c.submit_nop().unwrap();
            c.detach(token);
        }
        assert!(matches!(c.submit_nop(), Err(RingError::Full)));
        c.call(request(0)).unwrap();
        assert_eq!(log.borrow().enters, 2);
        assert_eq!(c.in_flight(), 0);
    }

    #[test]
    fn nop_batch_completes_in_one_enter() {
        let (mut c, log) = client(|_, _| Outcome::Error(capos_abi::error::INVALID_METHOD));
        assert_eq!(c.nop_batch(16), Ok(16));
        assert_eq!(log.borrow().enters, 1);
        assert!(c.nop_batch(SQ_ENTRIES + 1).is_err());
    }

    #[test]
    fn detached_release_goes_out_at_the_next_enter() {
        let (mut c, log) = client(|_, _| Outcome::Error(capos_abi::error::INVALID_METHOD));
        c.release_detached(0x0001_0004);
        assert!(log.borrow().released.is_empty());
        c.flush().unwrap();
        assert_eq!(log.borrow().released, [0x0001_0004]);
        assert_eq!(c.in_flight(), 0);
        let failed = c.call(request(5)).unwrap();
        assert_eq!(failed.cqe.result, capos_abi::error::INVALID_METHOD);
    }
}
