//! The kernel side of the capability ring: draining SQEs, dispatching them,
//! and posting CQEs, now or when a pending call completes.
//!
//! Every SQE is copied out of shared memory once, then validated field by
//! field; a bad one completes with a negative transport error and has no
//! other effect. The indices the kernel owns (sq_head, cq_tail) are kept in
//! the Process, so a process scribbling on the header cannot confuse it.

use alloc::vec::Vec;

use capnp::Word;
use capnp::message::ReaderOptions;
use capos_abi::error;
use capos_abi::ring::{
    CQ_ENTRIES, CQ_OFFSET, Cqe, MAX_MESSAGE_BYTES, MAX_PENDING_CALLS, SQ_ENTRIES, SQ_OFFSET, Sqe,
    op, pending,
};
use capos_lib::cap_table::CapError;

use crate::cap::{CallCtx, CallError, Reply, Wait, encode_exception, endpoint, hangup};
use crate::process::{PendingCall, Pid, Process};
use crate::sched::Kernel;

/// Completions held beyond the CQ before the kernel stops taking SQEs.
pub const OVERFLOW_LIMIT: usize = MAX_PENDING_CALLS + SQ_ENTRIES as usize;

/// The outcome of an operation, before it is written back.
pub struct Completion {
    result: i32,
    aux: u64,
    flags: u32,
    /// Written to the result buffer; `result` becomes its length unless an
    /// error code or `length` is set.
    payload: Option<Vec<u8>>,
    length: Option<i32>,
}

impl Completion {
    pub fn reply(bytes: Vec<u8>) -> Self {
        Completion {
            result: 0,
            aux: 0,
            flags: 0,
            payload: Some(bytes),
            length: None,
        }
    }

    pub fn error(code: i32) -> Self {
        Completion {
            result: code,
            aux: 0,
            flags: 0,
            payload: None,
            length: None,
        }
    }

    /// An error with the CQE's `aux` set (RESULT_TOO_SMALL: the size needed).
    pub fn error_aux(code: i32, aux: u64) -> Self {
        Completion {
            aux,
            ..Self::error(code)
        }
    }

    pub fn exception(bytes: Vec<u8>) -> Self {
        Completion {
            result: error::APPLICATION_EXCEPTION,
            ..Self::reply(bytes)
        }
    }

    /// A failed CALL whose call, and moved capabilities, had reached the
    /// server (see `capos_abi::ipc::CQE_DELIVERED`).
    pub fn delivered(mut self) -> Self {
        self.flags |= capos_abi::ipc::CQE_DELIVERED;
        self
    }

    pub fn code(&self) -> i32 {
        self.result
    }

    /// An Endpoint reply: the message (its length is the result) followed
    /// by `caps` capability records (their count is the flags).
    pub fn endpoint_reply(bytes: Vec<u8>, message_len: usize, caps: usize) -> Self {
        Completion {
            flags: caps as u32,
            length: Some(message_len as i32),
            ..Self::reply(bytes)
        }
    }
}

/// Fails with BAD_ADDRESS unless the SQE's result buffer is mapped and
/// writable: checked at submission, so a call that would complete into a
/// bad buffer is refused before it acts or waits.
pub fn check_result_buffer(p: &mut Process, sqe: &Sqe) -> Result<(), Completion> {
    p.aspace
        .check(sqe.result_addr, sqe.result_len as usize, true)
        .map_err(|_| Completion::error(error::BAD_ADDRESS))
}

pub fn cap_error(e: CapError) -> i32 {
    match e {
        // A capability being moved away no longer belongs to the sender.
        CapError::Stale | CapError::Reserved => error::STALE_CAP,
        CapError::Invalid | CapError::Full => error::INVALID_CAP,
    }
}

/// Reads the user-owned indices; `None` if they are inconsistent.
fn user_indices(p: &Process) -> Option<(u32, u32)> {
    // SAFETY: the header is in the process's ring frames; volatile because
    // the process may change it at any time.
    let (sq_tail, cq_head) = unsafe {
        let h = p.ring_header();
        (
            core::ptr::read_volatile(&raw const (*h).sq_tail),
            core::ptr::read_volatile(&raw const (*h).cq_head),
        )
    };
    pending(p.sq_head, sq_tail, SQ_ENTRIES)?;
    pending(cq_head, p.cq_tail, CQ_ENTRIES)?;
    Some((sq_tail, cq_head))
}

/// Completions the process can read now.
pub fn cq_available(p: &Process) -> Result<u32, i32> {
    let (_, cq_head) = user_indices(p).ok_or(error::INVALID_ARGUMENT)?;
    Ok(p.cq_tail.wrapping_sub(cq_head))
}

/// Submissions the kernel has not taken yet.
pub fn sq_waiting(p: &Process) -> Result<u32, i32> {
    let (sq_tail, _) = user_indices(p).ok_or(error::INVALID_ARGUMENT)?;
    Ok(sq_tail.wrapping_sub(p.sq_head))
}

fn publish_indices(p: &Process) {
    // SAFETY: as in user_indices; these fields are the kernel's to write.
    unsafe {
        let h = p.ring_header();
        core::ptr::write_volatile(&raw mut (*h).sq_head, p.sq_head);
        core::ptr::write_volatile(&raw mut (*h).cq_overflow, p.overflow.len() as u32);
        core::sync::atomic::fence(core::sync::atomic::Ordering::Release);
        core::ptr::write_volatile(&raw mut (*h).cq_tail, p.cq_tail);
    }
}

/// Writes `cqe` at the CQ's tail; the caller checked there is room.
fn write_cqe(p: &mut Process, cqe: Cqe) {
    let slot = (p.cq_tail % CQ_ENTRIES) as usize;
    // SAFETY: slot < CQ_ENTRIES, so the entry lies inside the ring region.
    unsafe {
        core::ptr::write_volatile(
            p.ring_at(CQ_OFFSET + slot * size_of::<Cqe>()) as *mut Cqe,
            cqe,
        )
    };
    p.cq_tail = p.cq_tail.wrapping_add(1);
}

/// Moves held completions into the CQ while there is room.
pub fn flush_overflow(p: &mut Process) {
    let Some((_, cq_head)) = user_indices(p) else {
        return;
    };
    while p.cq_tail.wrapping_sub(cq_head) < CQ_ENTRIES {
        let Some(cqe) = p.overflow.pop_front() else {
            break;
        };
        write_cqe(p, cqe);
    }
    publish_indices(p);
}

/// Posts a completion: straight into the CQ when it has room and nothing
/// older is held back, else behind the held ones.
fn post(p: &mut Process, cqe: Cqe) {
    match user_indices(p) {
        Some((_, cq_head))
            if p.overflow.is_empty() && p.cq_tail.wrapping_sub(cq_head) < CQ_ENTRIES =>
        {
            write_cqe(p, cqe);
            publish_indices(p);
        }
        _ => {
            p.overflow.push_back(cqe);
            flush_overflow(p);
        }
    }
}

/// Writes the outcome of `call` into its process and posts the CQE; wakes
/// the process if it waits for this. A process that died meanwhile is skipped.
pub fn complete(k: &mut Kernel, call: PendingCall, outcome: Completion) {
    let Some(p) = k.try_process(call.pid) else {
        return;
    };
    p.pending = p.pending.saturating_sub(1);
    if call.quiet {
        p.quiet_waits = p.quiet_waits.saturating_sub(1);
    }
    let mut cqe = Cqe {
        user_data: call.user_data,
        result: outcome.result,
        aux: outcome.aux,
        flags: outcome.flags,
        ..Default::default()
    };
    // An empty payload (NOP, RELEASE, RETURN) writes nothing.
    if let Some(bytes) = outcome.payload.filter(|b| !b.is_empty()) {
        if bytes.len() > call.result_len as usize {
            // An exception keeps its code, so the caller still learns the
            // call failed; `aux` tells it the exception was not written.
            if cqe.result == 0 {
                cqe.result = error::RESULT_TOO_SMALL;
            }
            cqe.aux = bytes.len() as u64;
        } else if p.aspace.copy_to_user(call.result_addr, &bytes).is_err() {
            cqe.result = error::BAD_ADDRESS;
        } else if cqe.result == 0 {
            cqe.result = outcome.length.unwrap_or(bytes.len() as i32);
        }
        crate::cap::buffers::give_back(bytes);
    }
    post(p, cqe);
    if let crate::process::State::Blocked { min_complete, .. } = p.state
        && cq_available(p).is_ok_and(|n| n >= min_complete)
    {
        k.make_ready(call.pid);
    }
}

/// Drains the SQ of `pid`. Fails only if the ring header is corrupt.
pub fn drain_submissions(k: &mut Kernel, pid: Pid) -> Result<(), i32> {
    loop {
        let p = k.process(pid);
        let (sq_tail, _) = user_indices(p).ok_or(error::INVALID_ARGUMENT)?;
        if p.sq_head == sq_tail || p.overflow.len() >= OVERFLOW_LIMIT {
            publish_indices(p);
            // Rolled-back or undeliverable transfers may have dropped the
            // last owner facet of an Endpoint.
            hangup::run(k);
            return Ok(());
        }
        let slot = (p.sq_head % SQ_ENTRIES) as usize;
        // SAFETY: slot < SQ_ENTRIES, inside the ring region; one volatile copy,
        // after which the kernel only looks at its own copy.
        let sqe: Sqe = unsafe {
            core::ptr::read_volatile(p.ring_at(SQ_OFFSET + slot * size_of::<Sqe>()) as *const Sqe)
        };
        p.sq_head = p.sq_head.wrapping_add(1);
        let call = PendingCall {
            pid,
            user_data: sqe.user_data,
            result_addr: sqe.result_addr,
            result_len: sqe.result_len,
            quiet: false,
        };
        p.pending += 1;
        match execute(k, call, &sqe) {
            Ok(Reply::Done(bytes)) => complete(k, call, Completion::reply(bytes)),
            Ok(Reply::DoneCaps {
                bytes,
                message_len,
                caps,
            }) => complete(
                k,
                call,
                Completion::endpoint_reply(bytes, message_len, caps),
            ),
            Ok(Reply::Pending(Wait::Taken)) => {}
            Ok(Reply::Pending(Wait::Signals)) => {
                let p = k.process(pid);
                p.quiet_waits += 1;
                p.signal_wait = Some(PendingCall {
                    quiet: true,
                    ..call
                });
            }
            Ok(Reply::Pending(Wait::Until(deadline))) => k.add_sleeper(deadline, call),
            Ok(Reply::Pending(Wait::Exit(cell))) => match cell.status() {
                Some(status) => complete(
                    k,
                    call,
                    Completion::reply(crate::cap::process_handle::encode_status(status)),
                ),
                None => {
                    k.process(pid).quiet_waits += 1;
                    cell.add_waiter(PendingCall {
                        quiet: true,
                        ..call
                    });
                }
            },
            Err(outcome) => complete(k, call, outcome),
        }
    }
}

fn execute(k: &mut Kernel, call: PendingCall, sqe: &Sqe) -> Result<Reply, Completion> {
    let fail = |code| Err(Completion::error(code));
    if !matches!(
        sqe.opcode,
        op::NOP | op::CALL | op::RECV | op::RETURN | op::RELEASE
    ) {
        return fail(error::INVALID_OPCODE);
    }
    if !sqe.unused_fields_zero() {
        return fail(error::INVALID_SQE);
    }
    let p = k.process(call.pid);
    match sqe.opcode {
        op::NOP => Ok(Reply::Done(Vec::new())),
        op::RELEASE => match p.caps.remove(sqe.cap_id) {
            Ok(entry) => {
                // Dropped here, not at the end of the match, so that what
                // the drop owes others (an Endpoint's closing, a pipe's end
                // of file or EPIPE) is settled before the next SQE runs.
                drop(entry);
                hangup::run(k);
                Ok(Reply::Done(Vec::new()))
            }
            Err(e) => fail(cap_error(e)),
        },
        op::RECV | op::RETURN => {
            let entry = p
                .caps
                .get(sqe.cap_id)
                .map_err(|e| Completion::error(cap_error(e)))?;
            let Some(ep) = entry.object.endpoint_owner().cloned() else {
                return fail(error::UNSUPPORTED_OPCODE);
            };
            if entry.interface_id != sqe.interface_id {
                return fail(error::WRONG_INTERFACE);
            }
            // The operation itself already counts as pending.
            if p.pending > MAX_PENDING_CALLS {
                return fail(error::TOO_MANY_PENDING);
            }
            if sqe.opcode == op::RECV {
                endpoint::recv(k, call, sqe, &ep)
            } else {
                endpoint::ret(k, call, sqe, &ep)
            }
        }
        _ => self::call(k, call, sqe),
    }
}

fn call(k: &mut Kernel, call: PendingCall, sqe: &Sqe) -> Result<Reply, Completion> {
    let fail = |code| Err(Completion::error(code));
    let pid = call.pid;
    let p = k.process(pid);
    let entry = p
        .caps
        .get(sqe.cap_id)
        .map_err(|e| Completion::error(cap_error(e)))?;
    if entry.interface_id != sqe.interface_id {
        return fail(error::WRONG_INTERFACE);
    }
    let object = entry.object.clone();
    if sqe.params_len > MAX_MESSAGE_BYTES || sqe.result_len > MAX_MESSAGE_BYTES {
        return fail(error::MESSAGE_TOO_LARGE);
    }
    // The call itself already counts as pending.
    if p.pending > MAX_PENDING_CALLS {
        return fail(error::TOO_MANY_PENDING);
    }
    if let Some(ep) = object.endpoint_client() {
        return endpoint::call(k, call, sqe, ep);
    }
    if sqe.xfer_count != 0 || sqe.xfer_addr != 0 {
        // Kernel capabilities take no capabilities as arguments.
        return fail(error::INVALID_SQE);
    }
    check_result_buffer(p, sqe)?;
    if !sqe.params_len.is_multiple_of(8) {
        return fail(error::MALFORMED_PARAMS);
    }
    // The params are copied into a buffer the kernel keeps between calls,
    // so the call path does not allocate for them. It only ever grows, so
    // only its new part is zeroed; the copy overwrites the part used, and
    // nothing of it is read if the copy fails.
    let len = sqe.params_len as usize / 8;
    let mut words = core::mem::take(&mut k.params_scratch);
    if words.len() < len {
        words.resize(len, capnp::word(0, 0, 0, 0, 0, 0, 0, 0));
    }
    let outcome = decode_and_call(k, call, sqe, object.as_ref(), &mut words[..len]);
    k.params_scratch = words;
    outcome
}

/// Copies the params in, decodes them without allocating and runs the method.
fn decode_and_call(
    k: &mut Kernel,
    call: PendingCall,
    sqe: &Sqe,
    object: &dyn crate::cap::CapObject,
    words: &mut [Word],
) -> Result<Reply, Completion> {
    let fail = |code| Err(Completion::error(code));
    let pid = call.pid;
    if k.process(pid)
        .aspace
        .copy_from_user(sqe.params_addr, Word::words_to_bytes_mut(words))
        .is_err()
    {
        return fail(error::BAD_ADDRESS);
    }
    let options = ReaderOptions {
        traversal_limit_in_words: Some(MAX_MESSAGE_BYTES as usize / 8),
        nesting_limit: 16,
    };
    let mut bytes = Word::words_to_bytes(words);
    let params = capnp::serialize::read_message_from_flat_slice_no_alloc(&mut bytes, options)
        .map_err(|_| Completion::error(error::MALFORMED_PARAMS))?;
    if !bytes.is_empty() {
        return fail(error::MALFORMED_PARAMS);
    }
    let mut ctx = CallCtx {
        kernel: k,
        caller: pid,
        call,
        result_capacity: sqe.result_len,
    };
    match object.call(&mut ctx, sqe.method_id, &params) {
        Ok(reply) => Ok(reply),
        Err(CallError::InvalidMethod) => fail(error::INVALID_METHOD),
        Err(CallError::Malformed) => fail(error::MALFORMED_PARAMS),
        Err(CallError::ResultTooSmall(needed)) => Err(Completion::error_aux(
            error::RESULT_TOO_SMALL,
            needed as u64,
        )),
        Err(CallError::Exception(kind, reason)) => {
            Err(Completion::exception(encode_exception(kind, &reason)))
        }
    }
}
