//! Several raw calls in flight: `capos_submit` queues a CALL and returns a
//! ticket; `capos_poll`, `capos_wait_any` and `capos_complete` find out
//! when it is done and collect its result; `capos_abandon` gives it up.
//!
//! A submitted call reaches the kernel at the process's next kernel entry:
//! `capos_flush`, any of the functions above, or any synchronous call.
//! Completions that arrive while the program waits for something else are
//! kept until their ticket collects them. The buffers belong to libcapos
//! until then, so the C program needs none of its own to stay alive.

use crate::call::{deliver, request};
use crate::error::{CAPOS_E_BAD_ARGUMENT, CAPOS_E_BAD_TICKET, code, status};
use crate::ffi;
use crate::state::{self, State};
use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use capos_rt::{CallRequest, Token};
use core::ffi::c_void;

/// Most tickets one `capos_wait_any` may watch.
pub const CAPOS_MAX_WAIT_TICKETS: usize = 256;

/// A submitted call. capos-rt files its completion under the token when
/// it arrives, until the ticket collects it.
struct Ticket {
    token: Token,
    /// The result capacity the kernel was given (the caller's, rounded
    /// down to whole words).
    result_bytes: usize,
}

/// The calls submitted through tickets and not collected yet.
#[derive(Default)]
pub struct Calls {
    tickets: BTreeMap<u64, Ticket>,
}

impl State {
    pub fn submit(&mut self, request: CallRequest) -> Result<u64, i32> {
        let result_bytes = request.result_bytes;
        let mut ring = self.rt.ring();
        ring.make_room(1).map_err(|e| code(&e))?;
        let token = ring
            .submit_call(request)
            .map_err(|e| code(&capos_rt::Error::Ring(e)))?;
        let id = token.user_data();
        let ticket = Ticket {
            token,
            result_bytes,
        };
        self.calls.tickets.insert(id, ticket);
        Ok(id)
    }

    /// Hands queued submissions to the kernel and reaps what has completed,
    /// without waiting.
    pub fn flush(&mut self) -> Result<(), i32> {
        self.rt.ring().flush().map_err(|e| code(&e))
    }

    fn is_done(&self, ticket: u64) -> Result<bool, i32> {
        let entry = self.calls.tickets.get(&ticket).ok_or(CAPOS_E_BAD_TICKET)?;
        Ok(self.rt.ring().is_ready(&entry.token))
    }

    pub fn poll(&mut self, ticket: u64) -> Result<bool, i32> {
        if self.is_done(ticket)? {
            return Ok(true);
        }
        self.flush()?;
        self.is_done(ticket)
    }

    /// Waits until one of `tickets` is done; returns its index.
    pub fn wait_any(&mut self, tickets: &[u64]) -> Result<usize, i32> {
        if tickets.is_empty() || tickets.len() > CAPOS_MAX_WAIT_TICKETS {
            return Err(CAPOS_E_BAD_ARGUMENT);
        }
        loop {
            for (index, ticket) in tickets.iter().enumerate() {
                if self.is_done(*ticket)? {
                    return Ok(index);
                }
            }
            // Every completion so far has been reaped and filed, so this
            // waits for one that is still to come.
            self.rt.ring().wait(1).map_err(|e| code(&e))?;
        }
    }

    /// Waits for the call of `ticket` and copies its result into `out`,
    /// which must hold the capacity given at submission.
    pub fn complete(&mut self, ticket: u64, out: &mut [u8]) -> Result<i32, i32> {
        let entry = self.calls.tickets.get(&ticket).ok_or(CAPOS_E_BAD_TICKET)?;
        if out.len() < entry.result_bytes {
            return Err(CAPOS_E_BAD_ARGUMENT);
        }
        let Some(entry) = self.calls.tickets.remove(&ticket) else {
            return Err(CAPOS_E_BAD_TICKET);
        };
        let completion = self.rt.ring().wait_for(entry.token).map_err(|e| code(&e))?;
        Ok(deliver(&completion, out))
    }

    pub fn abandon(&mut self, ticket: u64) -> Result<(), i32> {
        let entry = self
            .calls
            .tickets
            .remove(&ticket)
            .ok_or(CAPOS_E_BAD_TICKET)?;
        self.rt.ring().detach(entry.token);
        Ok(())
    }
}

/// Queues a raw CALL (arguments as for `capos_call`) without waiting, and
/// stores its ticket (never 0) at `out_ticket`, which must not be NULL.
/// The params are copied; the result is kept by libcapos until
/// `capos_complete` collects it into a buffer of at least
/// `result_capacity` bytes.
///
/// Returns 0, or `CAPOS_E_BAD_ARGUMENT`, `CAPOS_E_MESSAGE_TOO_LARGE`,
/// `CAPOS_E_NO_MEMORY`, `CAPOS_E_RING_FULL`. Errors of the call itself
/// come from `capos_complete`.
///
/// # Safety
/// `params` must be valid for `params_len` bytes (NULL if 0); `out_ticket`
/// must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn capos_submit(
    cap: u32,
    interface_id: u64,
    method_id: u16,
    params: *const c_void,
    params_len: usize,
    result_capacity: usize,
    out_ticket: *mut u64,
) -> i32 {
    if out_ticket.is_null() {
        return CAPOS_E_BAD_ARGUMENT;
    }
    let run = || {
        // SAFETY: valid for `params_len` bytes per the contract.
        let params = unsafe { ffi::bytes(params, params_len) }?;
        let request = request(cap, interface_id, method_id, params, result_capacity)?;
        state::with(|s| s.submit(request))
    };
    status(run().map(|ticket| {
        // SAFETY: non-NULL and writable per the contract.
        unsafe { ffi::store(out_ticket, ticket) }
    }))
}

/// Hands every queued submission (and queued release) to the kernel and
/// collects finished completions, without waiting. Returns 0 or a code.
#[unsafe(no_mangle)]
pub extern "C" fn capos_flush() -> i32 {
    status(state::with(|s| s.flush()))
}

/// Returns 1 if the call of `ticket` has completed (collect it with
/// `capos_complete`), 0 if not yet, or `CAPOS_E_BAD_TICKET`. Enters the
/// kernel without waiting.
#[unsafe(no_mangle)]
pub extern "C" fn capos_poll(ticket: u64) -> i32 {
    match state::with(|s| s.poll(ticket)) {
        Ok(done) => i32::from(done),
        Err(code) => code,
    }
}

/// Waits until at least one of the `count` tickets at `tickets` has
/// completed, and returns the index of one that has. Returns
/// `CAPOS_E_BAD_ARGUMENT` if `count` is 0 or above
/// `CAPOS_MAX_WAIT_TICKETS`, `CAPOS_E_BAD_TICKET` if one of them names no
/// call in flight.
///
/// # Safety
/// `tickets` must be valid for `count` reads.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn capos_wait_any(tickets: *const u64, count: usize) -> i32 {
    if count > CAPOS_MAX_WAIT_TICKETS {
        return CAPOS_E_BAD_ARGUMENT;
    }
    let run = || {
        // SAFETY: valid for `count` u64s per the contract; copied before
        // anything else runs.
        let bytes = unsafe { ffi::bytes(tickets.cast(), count * 8) }?;
        let list: Vec<u64> = bytes
            .chunks_exact(8)
            .map(|w| u64::from_ne_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]]))
            .collect();
        state::with(|s| s.wait_any(&list))
    };
    match run() {
        // At most CAPOS_MAX_WAIT_TICKETS.
        Ok(index) => index as i32,
        Err(code) => code,
    }
}

/// Waits for the call of `ticket`, copies its result message into `result`
/// and returns what `capos_call` would have: the result length or a
/// negative code. `result_capacity` must be at least the capacity given to
/// `capos_submit` (`CAPOS_E_BAD_ARGUMENT` otherwise, and the ticket stays
/// valid). Otherwise the ticket is used up.
///
/// # Safety
/// `result` must be valid for `result_capacity` writable bytes (NULL if 0).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn capos_complete(
    ticket: u64,
    result: *mut c_void,
    result_capacity: usize,
) -> i32 {
    let run = || {
        // SAFETY: valid for `result_capacity` bytes per the contract.
        let out = unsafe { ffi::bytes_mut(result, result_capacity) }?;
        state::with(|s| s.complete(ticket, out))
    };
    run().unwrap_or_else(|code| code)
}

/// Gives up the call of `ticket`: its result, now or later, is dropped.
/// The call itself still runs to completion in the kernel. Returns 0 or
/// `CAPOS_E_BAD_TICKET`.
#[unsafe(no_mangle)]
pub extern "C" fn capos_abandon(ticket: u64) -> i32 {
    status(state::with(|s| s.abandon(ticket)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_kernel::{Outcome, TestEnv, framed};
    use capos_abi::error::INVALID_CAP;

    /// Method n completes n entries later with the word n.
    fn env() -> TestEnv {
        TestEnv::new(&[], |sqe, _| match sqe.method_id {
            0 => Outcome::Error(INVALID_CAP),
            n => Outcome::Later(u32::from(n), framed(&[u64::from(n)])),
        })
    }

    fn submit(state: &mut State, method: u16) -> u64 {
        state
            .submit(request(1, 2, method, &[], 64).unwrap())
            .unwrap()
    }

    #[test]
    fn the_first_to_complete_is_reported_first() {
        let mut env = env();
        let mut s = env.state();
        let slow = submit(&mut s, 5);
        let fast = submit(&mut s, 2);
        assert!(!s.poll(slow).unwrap());
        assert_eq!(s.wait_any(&[slow, fast]), Ok(1));
        let mut out = [0u8; 64];
        assert_eq!(s.complete(fast, &mut out), Ok(8));
        assert_eq!(out[..8], 2u64.to_ne_bytes());
        assert_eq!(s.wait_any(&[slow]), Ok(0));
        assert!(s.poll(slow).unwrap());
        assert_eq!(s.complete(slow, &mut out), Ok(8));
        assert_eq!(out[..8], 5u64.to_ne_bytes());
        assert_eq!(s.complete(slow, &mut out), Err(CAPOS_E_BAD_TICKET));
    }

    #[test]
    fn tickets_are_checked_and_kept_on_small_buffers() {
        let mut env = env();
        let mut s = env.state();
        let failing = submit(&mut s, 0);
        let mut small = [0u8; 8];
        assert_eq!(s.complete(failing, &mut small), Err(CAPOS_E_BAD_ARGUMENT));
        let mut out = [0u8; 64];
        assert_eq!(s.complete(failing, &mut out), Ok(INVALID_CAP));
        assert_eq!(s.poll(failing), Err(CAPOS_E_BAD_TICKET));
        assert_eq!(s.wait_any(&[]), Err(CAPOS_E_BAD_ARGUMENT));
        assert_eq!(s.wait_any(&[12345]), Err(CAPOS_E_BAD_TICKET));
        let dropped = submit(&mut s, 3);
        assert_eq!(s.abandon(dropped), Ok(()));
        assert_eq!(s.abandon(dropped), Err(CAPOS_E_BAD_TICKET));
        s.flush().unwrap();
    }
}
