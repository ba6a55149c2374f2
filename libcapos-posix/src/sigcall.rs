//! The signal calls over the per-process table ([`crate::signal`]):
//! dispositions and the mask are recorded, a signal the process sends
//! itself is acted on when no handler is needed, and signals to anyone
//! else are refused (capOS has no call that reaches another process this
//! way; a capability to it is the only handle).

use crate::dispatch::refuse;
use crate::linux::errno::{EFAULT, EINVAL, ENOSYS, EPERM};
use crate::linux::nr;
use crate::report;
use crate::signal::{self, Action, Arrived, Handler, SA_SIGINFO, SIGPIPE, SIGSET_SIZE, Sent};
use crate::state::State;
use alloc::format;

/// `rt_sigaction(sig, act, oldact, sigsetsize)`.
///
/// # Safety
/// `act` and `old` are NULL or valid `struct k_sigaction` pointers.
pub unsafe fn sigaction(
    s: &mut State,
    sig: i64,
    act: *const Action,
    old: *mut Action,
    size: i64,
) -> Result<i64, i64> {
    if size != SIGSET_SIZE {
        return Err(EINVAL);
    }
    // SAFETY: a readable struct k_sigaction per the contract.
    let new = (!act.is_null()).then(|| unsafe { act.read_unaligned() });
    let prev = s.signals.action(sig, new)?;
    if new.is_some_and(|a| a.is_handler()) && s.reported.first(nr::RT_SIGACTION) {
        let text = "handler recorded; it runs only for a terminal's signal characters \
(a read, poll or sleep of the terminal's reader returns to it) and signals the process raises";
        s.log(&report::note(nr::RT_SIGACTION, text));
    }
    if !old.is_null() {
        // SAFETY: a writable struct k_sigaction per the contract.
        unsafe { old.write_unaligned(prev) };
    }
    deliver(s);
    Ok(0)
}

/// `rt_sigprocmask(how, set, oldset, sigsetsize)`.
///
/// # Safety
/// `set` and `old` are NULL or valid 8-byte signal sets.
pub unsafe fn sigprocmask(
    s: &mut State,
    how: i64,
    set: *const u64,
    old: *mut u64,
    size: i64,
) -> Result<i64, i64> {
    if size != SIGSET_SIZE {
        return Err(EINVAL);
    }
    // SAFETY: a readable signal set per the contract.
    let new = (!set.is_null()).then(|| unsafe { set.read_unaligned() });
    let prev = s.signals.procmask(how, new)?;
    if !old.is_null() {
        // SAFETY: a writable signal set per the contract.
        unsafe { old.write_unaligned(prev) };
    }
    deliver(s);
    Ok(0)
}

/// `rt_sigpending(set, sigsetsize)`.
///
/// # Safety
/// `set` is NULL or a valid 8-byte signal set.
pub unsafe fn sigpending(s: &mut State, set: *mut u64, size: i64) -> Result<i64, i64> {
    if size != SIGSET_SIZE {
        return Err(EINVAL);
    }
    if set.is_null() {
        return Err(EFAULT);
    }
    // SAFETY: a writable signal set per the contract.
    unsafe { set.write_unaligned(s.signals.pending()) };
    Ok(0)
}

/// `kill(pid, sig)` (`n` = kill), `tkill(tid, sig)` and
/// `tgkill(tgid, tid, sig)` with the ids already reduced to `to_self`:
/// whether every id names this process (pid 0, its own group, counts).
pub fn kill(s: &mut State, n: i64, to_self: bool, sig: i64) -> Result<i64, i64> {
    if !to_self {
        return refuse(s, n, EPERM, "a process can only signal itself on capOS");
    }
    match s.signals.send(sig) {
        Ok(Sent::Terminate) => {
            terminate(s, sig);
            Ok(0)
        }
        Ok(Sent::Discarded | Sent::Pending) => Ok(0),
        // A handled signal (dash raises SIGINT after a job ^C ended):
        // it arrives now, so the handler runs as this call returns, or
        // when the mask lets it through.
        Err(ENOSYS) if s.signals.action(sig, None).is_ok_and(|a| a.is_handler()) => {
            arrive(s, sig);
            Ok(0)
        }
        Err(ENOSYS) => refuse(
            s,
            n,
            ENOSYS,
            "nothing stops a process on capOS (no job control)",
        ),
        Err(e) => Err(e),
    }
}

/// Acts on a pending signal the mask or its action now lets through:
/// ends the process, or leaves its handler to run as the call returns.
fn deliver(s: &mut State) {
    if let Some(sig) = s.signals.deliverable() {
        terminate(s, sig);
    } else if s.handler.is_none()
        && let Some(sig) = s.signals.handler_deliverable()
    {
        arrive(s, sig);
    }
}

/// Ends the process as killed by `sig`: its waiter's status says so
/// (WIFSIGNALED, WTERMSIG `sig`; a shell's `$?` is 128 + `sig`).
fn terminate(s: &mut State, sig: i64) {
    s.log(&format!(
        "libcapos-posix: {} (signal {sig}) ends the process\n",
        signal::name(sig)
    ));
    s.exit = Some(crate::wait::KILLED_BY | sig);
}

/// EPIPE, after SIGPIPE's action for a write to a pipe with no reader: by
/// default it ends the process, as on Linux; ignored or blocked (then
/// pending), the write just fails. A handler never runs (capOS delivers
/// no signals), so then the write fails too.
pub fn broken_pipe(s: &mut State) -> i64 {
    if let Ok(Sent::Terminate) = s.signals.send(SIGPIPE) {
        terminate(s, SIGPIPE);
    }
    crate::linux::errno::EPIPE
}

/// A signal arrived from outside (a terminal's signal character, which
/// a read or poll reported): acted on as its action says. True if the
/// call it ended must fail with EINTR: a handler is to run (as the call
/// returns, [`run_handler`]) or the process is ending.
pub fn arrive(s: &mut State, sig: i64) -> bool {
    match s.signals.arrive(sig) {
        Ok(Arrived::Terminate) => {
            terminate(s, sig);
            true
        }
        Ok(Arrived::Handler(h)) => {
            s.handler = Some(h);
            true
        }
        Ok(Arrived::Stop) => {
            if s.reported.first(nr::KILL) {
                let text = format!(
                    "{} stops nothing: capOS has no job control; discarded",
                    signal::name(sig)
                );
                s.log(&report::note(nr::KILL, &text));
            }
            false
        }
        Ok(Arrived::Discarded | Arrived::Pending) | Err(_) => false,
    }
}

/// Runs the handler a call left, once the call's borrow of the state has
/// ended (it may make calls of its own), with the mask the arrival set,
/// then puts the mask back. Returns it, for SA_RESTART.
pub fn run_handler() -> Option<Handler> {
    let h = crate::state::access(|s| s.handler.take())??;
    // A siginfo_t with si_signo set, for SA_SIGINFO handlers.
    let mut info = [0u64; 16];
    info[0] = h.sig as u64;
    if h.flags & SA_SIGINFO != 0 {
        // SAFETY: the program installed this function with SA_SIGINFO,
        // so it takes (int, siginfo_t *, void *); `info` lives across the
        // call.
        let f: extern "C" fn(i32, *mut u64, *mut u8) = unsafe { core::mem::transmute(h.function) };
        f(h.sig as i32, info.as_mut_ptr(), core::ptr::null_mut());
    } else {
        // SAFETY: the program installed this function as a handler,
        // which takes the signal number.
        let f: extern "C" fn(i32) = unsafe { core::mem::transmute(h.function) };
        f(h.sig as i32);
    }
    crate::state::access(|s| {
        s.signals.end_handler(&h);
        deliver(s);
    });
    Some(h)
}
