//! wait4, waitid and getppid over the child table
//! ([`super::children`]) and the pure rules of [`crate::wait`].

use crate::dispatch::refuse;
use crate::interrupt;
use crate::linux::errno::{EINTR, EINVAL};
use crate::linux::nr;
use crate::sigcall;
use crate::state::State;
use crate::wait::{self, Options, Which};
use capos_rt::ExitStatus;

/// Linux's `siginfo_t` is 128 bytes; waitid fills its SIGCHLD fields.
const SIGINFO_SIZE: usize = 128;
const SI_CODE: usize = 8;
const SI_PID: usize = 16;
const SI_STATUS: usize = 24;

/// What a process refuses: the adapter keeps no per-process accounting.
const NO_RUSAGE: &str = "capOS measures no resource usage per process (pass NULL)";

/// `wait4(pid, status, options, rusage)`.
///
/// # Safety
/// `status` is NULL or a writable int.
pub unsafe fn wait4(
    s: &mut State,
    pid: i64,
    status: *mut i32,
    options: i64,
    rusage: i64,
) -> Result<i64, i64> {
    let options = wait::wait4_options(options)?;
    let which = wait::wait4_which(pid)?;
    if rusage != 0 {
        return refuse(s, nr::WAIT4, EINVAL, NO_RUSAGE);
    }
    let Some((pid, ended)) = reap(s, which, options)? else {
        return Ok(0);
    };
    if !status.is_null() {
        // SAFETY: a writable int per the contract.
        unsafe { status.write_unaligned(wait::status(&ended)) };
    }
    Ok(pid as i64)
}

/// `waitid(idtype, id, info, options, rusage)`.
///
/// # Safety
/// `info` is NULL or a writable `siginfo_t` (128 bytes).
pub unsafe fn waitid(
    s: &mut State,
    idtype: i64,
    id: i64,
    info: *mut u8,
    options: i64,
    rusage: i64,
) -> Result<i64, i64> {
    let options = match wait::waitid_options(options) {
        Ok(o) => o,
        Err(e) if options & wait::WEXITED == 0 => {
            return refuse(
                s,
                nr::WAITID,
                e,
                "children only exit on capOS: WEXITED is required",
            );
        }
        Err(e) => return Err(e),
    };
    let which = wait::waitid_which(idtype, id)?;
    if rusage != 0 {
        return refuse(s, nr::WAITID, EINVAL, NO_RUSAGE);
    }
    let found = reap(s, which, options)?;
    if !info.is_null() {
        let mut si = [0u8; SIGINFO_SIZE];
        if let Some((pid, ended)) = found {
            let (code, value) = wait::siginfo_code(&ended);
            si[..4].copy_from_slice(&wait::SIGCHLD.to_ne_bytes());
            si[SI_CODE..SI_CODE + 4].copy_from_slice(&code.to_ne_bytes());
            si[SI_PID..SI_PID + 4].copy_from_slice(&(pid as i32).to_ne_bytes());
            si[SI_STATUS..SI_STATUS + 4].copy_from_slice(&value.to_ne_bytes());
        }
        // SAFETY: a writable siginfo_t per the contract; no child ready
        // under WNOHANG leaves it zeroed (si_pid 0), as Linux does.
        unsafe { info.copy_from_nonoverlapping(si.as_ptr(), SIGINFO_SIZE) };
    }
    Ok(0)
}

/// Reaps as [`Children::reap`](super::children::Children::reap) says; a
/// terminal's signal character for this process's group ends the wait
/// as its action says (EINTR, or on for an ignored or blocked one).
fn reap(s: &mut State, which: Which, options: Options) -> Result<Option<(u64, ExitStatus)>, i64> {
    loop {
        let mut watch = interrupt::Watch::take(s);
        let found = s.children.reap(which, options, &mut || watch.fired());
        let signal = watch.signal;
        watch.put_back(s);
        if found != Err(EINTR) || signal == 0 {
            // A signal that came as the child ended is acted on now.
            interrupt::settle(s);
            return found;
        }
        if sigcall::arrive(s, i64::from(signal)) {
            return Err(EINTR);
        }
    }
}

/// `getppid()`: the pid of the process that spawned this one, from the
/// CapSet header (0 for init, which the kernel started).
pub fn getppid() -> i64 {
    libcapos::runtime::with_runtime(|rt| rt.ppid()).unwrap_or(0) as i64
}
