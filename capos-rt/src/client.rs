//! The ring client: submits requests, enters the kernel, files completions.
//!
//! One per process, shared by every capability client through
//! [`SharedRing`]. Programs are single-threaded, so sharing is an
//! `Rc<RefCell<_>>`; a borrow lasts for one operation and no user code runs
//! inside it.

use crate::completions::{CallBuffers, Completion, Completions, Token};
use crate::error::Error;
use crate::ring::{RingError, RingView};
use crate::scratch::{Built, ParamsScratch, ResultSpare, root_filler};
use alloc::boxed::Box;
use alloc::rc::Rc;
use alloc::vec;
use alloc::vec::Vec;
use capnp::any_pointer;
use capnp::traits::Owned;
use capos_abi::ipc::XferDesc;
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

/// What a CALL addresses and how much room its result gets: everything
/// but its params.
#[derive(Debug, Clone, Copy)]
pub struct CallTarget {
    pub cap_id: u32,
    pub interface_id: u64,
    pub method_id: u16,
    /// Capacity of the result buffer, in bytes.
    pub result_bytes: usize,
}

/// The params of a synchronous call, built before the ring client is
/// borrowed (the code filling them in may use the ring itself): in the
/// client's scratch segment when it is free, else in a buffer of their
/// own. Hand them to [`RingClient::submit_sync`].
pub struct SyncParams {
    /// The client's scratch, lent for this call.
    scratch: Option<ParamsScratch>,
    built: Built,
}

impl SyncParams {
    /// Builds params whose root is a `P`, filled in by `fill`.
    pub fn build<P: Owned>(ring: &SharedRing, fill: impl FnOnce(P::Builder<'_>)) -> Self {
        Self::build_any(ring, &mut root_filler::<P>(fill))
    }

    /// [`SyncParams::build`] through the root pointer (see
    /// [`ParamsScratch::build_any`]).
    pub fn build_any(ring: &SharedRing, fill: &mut dyn FnMut(any_pointer::Builder<'_>)) -> Self {
        let scratch = ring.borrow_mut().lend_params();
        match scratch {
            Some(mut scratch) => {
                let built = scratch.build_any(fill);
                SyncParams {
                    scratch: Some(scratch),
                    built,
                }
            }
            None => {
                let mut own = ParamsScratch::default();
                let built = match own.build_any(fill) {
                    Built::InScratch(words) => own.into_message(words),
                    Built::Owned(framed) => framed,
                };
                SyncParams {
                    scratch: None,
                    built: Built::Owned(built),
                }
            }
        }
    }
}

/// Result buffer capacity used by the typed clients. Every result in the
/// schema is a few words; a `CapException` needs room for its reason text.
/// A result that does not fit fails with `RESULT_TOO_SMALL`.
pub const DEFAULT_RESULT_BYTES: usize = 1024;

pub struct RingClient {
    ring: RingView,
    kernel: Box<dyn Kernel>,
    completions: Completions,
    /// Orphaned capabilities (see [`Completions::take_orphans`]) whose
    /// RELEASE did not fit in the submission queue yet.
    unreleased: Vec<u32>,
    /// Where synchronous calls build their params; `None` while lent to
    /// a [`SyncParams`].
    params: Option<ParamsScratch>,
    /// A CALL whose params are in `params` may still be in the submission
    /// queue: the scratch is not lent again until the kernel has taken
    /// every queued SQE.
    params_queued: bool,
    /// The result buffer synchronous calls reuse.
    results: ResultSpare,
    /// The tokens' values of a [`RingClient::nop_batch`], at most a full
    /// SQ of them: kept here, so a batch zeroes no array of its own.
    batch: [u64; SQ_ENTRIES as usize],
}

/// Where the kernel finds a request's transfer descriptors: both zero when
/// there are none, as the ABI requires.
/// Words of a result buffer of `bytes`: at least one, so the buffer always
/// has a real address.
fn result_words(bytes: usize) -> usize {
    bytes.div_ceil(8).max(1)
}

fn xfer_fields(xfers: &[XferDesc]) -> (u64, u32) {
    if xfers.is_empty() {
        (0, 0)
    } else {
        (xfers.as_ptr() as u64, xfers.len() as u32)
    }
}

impl RingClient {
    pub fn new(ring: RingView, kernel: Box<dyn Kernel>) -> Self {
        RingClient {
            ring,
            kernel,
            completions: Completions::default(),
            unreleased: Vec::new(),
            params: Some(ParamsScratch::default()),
            params_queued: false,
            results: ResultSpare::default(),
            batch: [0; SQ_ENTRIES as usize],
        }
    }

    /// The params scratch for a [`SyncParams`], unless its last message
    /// may still be unread. If it is lent already (a call made while
    /// another call's params are being filled in), a new one is made; the
    /// first given back is kept.
    fn lend_params(&mut self) -> Option<ParamsScratch> {
        if self.params_queued {
            return None;
        }
        Some(self.params.take().unwrap_or_default())
    }

    /// Keeps a result buffer for the next synchronous call: the kernel
    /// finished writing it (its CQE came) and its reader is done with it.
    pub fn recycle_result(&mut self, buffer: Vec<u64>) {
        self.results.give_back(buffer);
    }

    /// The ring itself, for code that inspects the shared header.
    pub fn ring(&self) -> &RingView {
        &self.ring
    }

    fn push(&mut self, mut sqe: Sqe, buffers: CallBuffers) -> Result<Token, RingError> {
        sqe.user_data = self.completions.next_token();
        self.ring.push(&sqe)?;
        Ok(self.completions.track(sqe.opcode, buffers))
    }

    /// Queues a CALL; its buffers are kept until the CQE arrives.
    /// `Err(RingError::Full)` when the submission queue has no room.
    pub fn submit_call(&mut self, request: CallRequest) -> Result<Token, RingError> {
        self.submit_transfer_call(request, Vec::new())
    }

    /// Queues a CALL carrying capabilities (to an Endpoint's client facet);
    /// the descriptors are kept with the buffers until the CQE arrives.
    pub fn submit_transfer_call(
        &mut self,
        request: CallRequest,
        xfers: Vec<XferDesc>,
    ) -> Result<Token, RingError> {
        let target = CallTarget {
            cap_id: request.cap_id,
            interface_id: request.interface_id,
            method_id: request.method_id,
            result_bytes: request.result_bytes,
        };
        let params = (request.params.as_ptr() as u64, request.params.len() * 8);
        let buffers = CallBuffers {
            params: request.params,
            // At least one word, so the buffer always has a real address.
            result: vec![0; result_words(request.result_bytes)],
            xfers,
        };
        self.push_call(&target, params, buffers)
    }

    /// Queues the CALL of a synchronous call: the caller enters the kernel
    /// (waits for it) before it builds the next [`SyncParams`]. The result
    /// buffer is the spare one if it is large enough (see
    /// [`RingClient::recycle_result`]).
    pub fn submit_sync(
        &mut self,
        target: &CallTarget,
        params: SyncParams,
        xfers: Vec<XferDesc>,
    ) -> Result<Token, RingError> {
        let SyncParams { scratch, built } = params;
        let (addr_len, owned, in_scratch) = match (&scratch, built) {
            (Some(scratch), Built::InScratch(words)) => (
                (scratch.words().as_ptr() as u64, words * 8),
                Vec::new(),
                true,
            ),
            (_, Built::Owned(framed)) => {
                ((framed.as_ptr() as u64, framed.len() * 8), framed, false)
            }
            (None, Built::InScratch(_)) => unreachable!("built in a scratch it does not hold"),
        };
        let buffers = CallBuffers {
            params: owned,
            result: self.results.take(result_words(target.result_bytes)),
            xfers,
        };
        let token = self.push_call(target, addr_len, buffers);
        // Moving the scratch back moves its buffer's owner, not the buffer
        // the SQE points into.
        if scratch.is_some() {
            self.params = scratch;
        }
        self.params_queued |= in_scratch && token.is_ok();
        token
    }

    /// Makes a synchronous call: submits it and waits for its completion.
    pub fn call_sync(
        &mut self,
        target: &CallTarget,
        params: SyncParams,
    ) -> Result<Completion, Error> {
        self.make_room(1)?;
        let token = self.submit_sync(target, params, Vec::new())?;
        self.wait_for(token)
    }

    /// Queues a CALL to `target` with params at `params` (address, bytes)
    /// and the result buffer in `buffers`, which are kept until its CQE.
    fn push_call(
        &mut self,
        target: &CallTarget,
        params: (u64, usize),
        mut buffers: CallBuffers,
    ) -> Result<Token, RingError> {
        let (xfer_addr, xfer_count) = xfer_fields(&buffers.xfers);
        let sqe = Sqe {
            opcode: op::CALL,
            method_id: target.method_id,
            cap_id: target.cap_id,
            params_addr: params.0,
            params_len: params.1 as u32,
            result_addr: buffers.result.as_mut_ptr() as u64,
            // The buffer may be a larger spare; the kernel gets the room
            // asked for.
            result_len: (result_words(target.result_bytes) * 8) as u32,
            xfer_addr,
            xfer_count,
            interface_id: target.interface_id,
            ..Sqe::nop(0)
        };
        self.push(sqe, buffers)
    }

    /// Queues a RECV on the Endpoint owner facet `cap_id`, with a result
    /// buffer of `result_bytes`.
    pub fn submit_recv(&mut self, cap_id: u32, result_bytes: usize) -> Result<Token, RingError> {
        let mut buffers = CallBuffers {
            result: vec![0; result_words(result_bytes)],
            ..CallBuffers::default()
        };
        let sqe = Sqe {
            opcode: op::RECV,
            cap_id,
            result_addr: buffers.result.as_mut_ptr() as u64,
            result_len: (buffers.result.len() * 8) as u32,
            interface_id: capos_schema::interface_id::ENDPOINT,
            ..Sqe::nop(0)
        };
        self.push(sqe, buffers)
    }

    /// Queues the RETURN of call `call_id` on the Endpoint owner facet
    /// `cap_id`: `status` is `RETURN_OK` (params: the result message) or
    /// `RETURN_EXCEPTION` (params: a `CapException`).
    pub fn submit_return(
        &mut self,
        cap_id: u32,
        call_id: u32,
        status: u16,
        params: Vec<u64>,
        xfers: Vec<XferDesc>,
    ) -> Result<Token, RingError> {
        let buffers = CallBuffers {
            params,
            result: Vec::new(),
            xfers,
        };
        let (xfer_addr, xfer_count) = xfer_fields(&buffers.xfers);
        let sqe = Sqe {
            opcode: op::RETURN,
            method_id: status,
            cap_id,
            params_addr: buffers.params.as_ptr() as u64,
            params_len: (buffers.params.len() * 8) as u32,
            call_id,
            xfer_addr,
            xfer_count,
            interface_id: capos_schema::interface_id::ENDPOINT,
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
        self.queue_orphan_releases();
        let available = self.kernel.cap_enter(min_complete, timeout_ns);
        // The kernel reads a CALL's params when it takes its SQE, so once
        // the queue is empty the scratch's message has been read.
        if self.params_queued && self.ring.sq_used() == Ok(0) {
            self.params_queued = false;
        }
        if available < 0 {
            return Err(Error::Transport(available as i32));
        }
        while let Some(cqe) = self.ring.pop()? {
            self.completions.complete(cqe);
        }
        self.unreleased.extend(self.completions.take_orphans());
        self.queue_orphan_releases();
        Ok(available as u32)
    }

    /// Queues RELEASEs of orphaned capabilities, as many as fit; the rest
    /// wait for the next entry.
    fn queue_orphan_releases(&mut self) {
        while !self.unreleased.is_empty() && self.ring.sq_space().is_ok_and(|n| n > 0) {
            let id = self.unreleased.remove(0);
            match self.submit_release(id) {
                Ok(token) => self.detach(token),
                Err(_) => {
                    self.unreleased.insert(0, id);
                    return;
                }
            }
        }
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

    /// Forgets every request in flight (see
    /// [`crate::completions::Completions::forget_in_flight`]): a forked
    /// child calls it for the parent's requests it copied.
    pub fn forget_in_flight(&mut self) {
        self.completions.forget_in_flight();
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
        // Refuses more than a full SQ, so `n` tokens fit in `batch`.
        self.make_room(n)?;
        let n = n as usize;
        for i in 0..n {
            match self.submit_nop() {
                Ok(token) => self.batch[i] = token.user_data(),
                Err(e) => {
                    self.detach_batch(i);
                    return Err(e.into());
                }
            }
        }
        if let Err(e) = self.enter(n as u32, WAIT_FOREVER) {
            self.detach_batch(n);
            return Err(e);
        }
        let mut ok = 0;
        for i in 0..n {
            match self.completions.take(Token(self.batch[i])) {
                Ok(completion) => ok += u32::from(completion.cqe.result == 0),
                Err(token) => self.detach(token),
            }
        }
        Ok(ok)
    }

    /// Abandons the first `n` requests of the current batch.
    fn detach_batch(&mut self, n: usize) {
        for i in 0..n {
            self.detach(Token(self.batch[i]));
        }
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
