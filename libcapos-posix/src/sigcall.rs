//! The signal calls over the per-process table ([`crate::signal`]):
//! dispositions and the mask (told to the kernel as the caught set,
//! interrupt.rs), kill to itself or to a child (through the child's
//! ProcessHandle: a capability is the only way to reach another process),
//! sigsuspend, and alarm/setitimer(ITIMER_REAL) as the kernel's alarm.

use crate::dispatch::refuse;
use crate::interrupt;
use crate::linux::errno::{EFAULT, EINTR, EINVAL, EIO, ENOSYS, EPERM, ESRCH};
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
        let text = "handler recorded; it runs when the process waits or returns from a call, \
or by an upcall while it runs without calls";
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
    // Signals the kernel brought meanwhile are held (or acted on) first.
    interrupt::settle(s);
    // SAFETY: a writable signal set per the contract.
    unsafe { set.write_unaligned(s.signals.pending()) };
    Ok(0)
}

/// `kill(pid, sig)` (`n` = kill), `tkill(tid, sig)` and
/// `tgkill(tgid, tid, sig)` with the ids already reduced to `to_self`:
/// whether every id names this process (pid 0, its own group, counts).
/// Any other positive pid must be a child this process has not reaped:
/// the signal goes through its ProcessHandle. A pid this process holds no
/// handle for is EPERM (it may exist; nothing here can tell), a group or
/// -1 is ESRCH (this adapter keeps no group membership of other
/// processes).
pub fn kill(s: &mut State, n: i64, pid: i64, to_self: bool, sig: i64) -> Result<i64, i64> {
    if !to_self {
        return kill_other(s, n, pid, sig);
    }
    match s.signals.send(sig) {
        Ok(Sent::Terminate) => {
            terminate(s, sig);
            Ok(0)
        }
        Ok(Sent::Handler) => {
            arrive(s, sig);
            Ok(0)
        }
        Ok(Sent::Discarded | Sent::Pending) => Ok(0),
        Err(ENOSYS) => refuse(
            s,
            n,
            ENOSYS,
            "a stop signal stops nothing: capOS has no job control",
        ),
        Err(e) => Err(e),
    }
}

fn kill_other(s: &mut State, n: i64, pid: i64, sig: i64) -> Result<i64, i64> {
    if !(0..=signal::NSIG).contains(&sig) {
        return Err(EINVAL);
    }
    if n != nr::KILL || pid <= 0 {
        return refuse(
            s,
            n,
            ESRCH,
            "only this process and its own children can be signalled on capOS",
        );
    }
    let Some(handle) = s.children.handle(pid as u64) else {
        return refuse(
            s,
            n,
            EPERM,
            "a process can signal only itself and its children (it holds their ProcessHandles)",
        );
    };
    if sig == 0 {
        return Ok(0);
    }
    handle.signal(sig as u8).map_err(|_| EIO)?;
    Ok(0)
}

/// Acts on a pending signal the mask or its action now lets through (a
/// handler runs as the call returns), and tells the kernel the new caught
/// set.
fn deliver(s: &mut State) {
    if s.handler.is_none()
        && let Some(sig) = s.signals.deliverable()
    {
        arrive(s, sig);
    }
    // And those the kernel brought, under the new mask.
    interrupt::settle(s);
    interrupt::declare(s);
}

/// `rt_sigsuspend(mask, sigsetsize)`: waits with `mask` until a signal
/// runs a handler or ends the process; the old mask is back once the
/// handler returns. Always EINTR, as Linux.
///
/// # Safety
/// `set` is a valid 8-byte signal set.
pub unsafe fn sigsuspend(s: &mut State, set: *const u64, size: i64) -> Result<i64, i64> {
    if size != SIGSET_SIZE {
        return Err(EINVAL);
    }
    if set.is_null() {
        return Err(EFAULT);
    }
    // SAFETY: a readable signal set per the contract.
    let mask = unsafe { set.read_unaligned() };
    let old = s.signals.procmask(signal::SIG_SETMASK, Some(mask))?;
    suspend(s, old)
}

/// `pause()`: waits until a signal runs a handler or ends the process.
pub fn pause(s: &mut State) -> Result<i64, i64> {
    let old = s.signals.mask();
    suspend(s, old)
}

fn suspend(s: &mut State, old: u64) -> Result<i64, i64> {
    deliver(s);
    loop {
        if s.handler.is_some() || s.exit.is_some() {
            break;
        }
        match interrupt::wait_signal(s) {
            Ok(sig) => {
                arrive(s, i64::from(sig));
            }
            Err(e) => {
                let _ = s.signals.procmask(signal::SIG_SETMASK, Some(old));
                return Err(e);
            }
        }
    }
    match s.handler.as_mut() {
        // The handler's own mask ends with it, and then `old` is back.
        Some(h) => h.restore = old,
        None => {
            let _ = s.signals.procmask(signal::SIG_SETMASK, Some(old));
        }
    }
    Err(EINTR)
}

const NS_PER_S: u64 = 1_000_000_000;
const NS_PER_US: u64 = 1_000;

/// `alarm(seconds)`: SIGALRM in `seconds` (0 cancels); the whole seconds
/// the previous alarm had left, rounded up as Linux does.
pub fn alarm(s: &mut State, seconds: i64) -> Result<i64, i64> {
    let ns = (seconds as u64 & 0xffff_ffff).saturating_mul(NS_PER_S);
    let left = interrupt::set_alarm(s, ns)?;
    Ok(left.div_ceil(NS_PER_S) as i64)
}

/// `setitimer(which, new, old)`: ITIMER_REAL only, as a one-shot alarm
/// (a nonzero `it_interval` is EINVAL: periodic timers are not done);
/// the other timers are EINVAL too.
///
/// # Safety
/// `new` and `old` are NULL or valid `struct itimerval` pointers.
pub unsafe fn setitimer(
    s: &mut State,
    which: i64,
    new: *const i64,
    old: *mut i64,
) -> Result<i64, i64> {
    const ITIMER_REAL: i64 = 0;
    if which != ITIMER_REAL {
        return refuse(s, nr::SETITIMER, EINVAL, "only ITIMER_REAL is kept");
    }
    if new.is_null() {
        return Err(EFAULT);
    }
    // SAFETY: a readable struct itimerval (four longs) per the contract.
    let v = unsafe {
        [
            new.read(),
            new.add(1).read(),
            new.add(2).read(),
            new.add(3).read(),
        ]
    };
    if v.iter().any(|&x| x < 0) || v[1] >= 1_000_000 || v[3] >= 1_000_000 {
        return Err(EINVAL);
    }
    if v[0] != 0 || v[1] != 0 {
        return refuse(
            s,
            nr::SETITIMER,
            EINVAL,
            "periodic timers (it_interval) are not kept",
        );
    }
    let ns = (v[2] as u64).saturating_mul(NS_PER_S) + v[3] as u64 * NS_PER_US;
    let left = interrupt::set_alarm(s, ns)?;
    if !old.is_null() {
        // SAFETY: a writable struct itimerval per the contract.
        unsafe {
            old.write(0);
            old.add(1).write(0);
            old.add(2).write((left / NS_PER_S) as i64);
            old.add(3)
                .write((left % NS_PER_S).div_ceil(NS_PER_US) as i64);
        }
    }
    Ok(0)
}

/// Ends the process as killed by `sig`: its waiter's status says so
/// (WIFSIGNALED, WTERMSIG `sig`; a shell's `$?` is 128 + `sig`).
fn terminate(s: &mut State, sig: i64) {
    s.log(&format!(
        "libcapos-posix: {} (signal {sig}) ends the process\n",
        signal::name(sig)
    ));
    s.exit = Some(signal::exit_code(sig));
}

/// EPIPE, after SIGPIPE's action for a write to a pipe with no reader: by
/// default it ends the process, as on Linux; ignored or blocked (then
/// pending), the write just fails; a handler runs as the write returns.
pub fn broken_pipe(s: &mut State) -> i64 {
    match s.signals.send(SIGPIPE) {
        Ok(Sent::Terminate) => terminate(s, SIGPIPE),
        Ok(Sent::Handler) => {
            arrive(s, SIGPIPE);
        }
        _ => {}
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
    // The handler holds nothing of the adapter's: a signal may interrupt
    // it by an upcall (and if it leaves by longjmp, they stay allowed).
    let busy = crate::upcall::release();
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
    crate::upcall::restore(busy);
    crate::state::access(|s| {
        s.signals.end_handler(&h);
        deliver(s);
    });
    Some(h)
}
