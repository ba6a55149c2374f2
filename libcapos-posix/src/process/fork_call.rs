//! The fork-for-exec shim's glue (rules in [`crate::fork`], machine
//! entry in [`super::fork_entry`]): starting the branch, applying the
//! branch's allowlisted calls to the shadow, turning execve into the
//! spawn, and failing closed on anything else.

use super::spawn_child::spawn_child;
use super::{cstr, fork_entry};
use crate::fork::{self, Op, Refusal, Shadow, Step};
use crate::linux::errno::{EINVAL, EIO, ENOSYS};
use crate::linux::{fcntl, nr};
use crate::report;
use crate::signal::{Action, SIGSET_SIZE};
use crate::state::{self, State};
use alloc::format;
use capos_abi::layout::{USER_STACK_SIZE, USER_STACK_TOP};
use capos_rt::Share;
use core::ffi::c_char;
use core::sync::atomic::{AtomicBool, Ordering};

/// Entered from `fork` with the caller's context saved: 0 starts the
/// child branch; -1 (errno set) is a fork that fails at once. A fork
/// inside a branch fails the branch's own fork and never returns here.
#[unsafe(no_mangle)]
pub extern "C" fn __capos_fork_begin() -> i64 {
    // No signal upcall while the fork holds the adapter's state (a
    // resumed parent lets them come again in capos_fork_resume).
    let outer = crate::upcall::hold();
    let value = fork_begin();
    crate::upcall::restore(outer);
    value
}

fn fork_begin() -> i64 {
    if let Some(result) = state::access(super::real_fork::fork).flatten() {
        return match result {
            Ok(pid) => pid,
            Err(errno) => fork_entry::fail(errno),
        };
    }
    let started = state::access(begin).unwrap_or(Err(EIO));
    resume_if_requested();
    match started {
        Ok(()) => 0,
        Err(errno) => fork_entry::fail(errno),
    }
}

/// Set by [`capos_fork_needs_copy`]: the program's fork children run its
/// own code, so a `fork` (not a `vfork`) cannot use the shim.
static NEEDS_COPY: AtomicBool = AtomicBool::new(false);

/// The report reason of a `fork` refused for [`NEEDS_COPY`].
pub const NEEDS_COPY_WITHOUT_FORK: &str = "this program declared that its forked children need a copy of its memory (capos_fork_needs_copy), and it holds no \"fork\" capability; only vfork may use the fork-for-exec shim";

/// `capos_fork_needs_copy()` (capos-posix.h): see [`NEEDS_COPY`]. Safe
/// before the adapter's state exists (from a constructor).
#[unsafe(no_mangle)]
pub extern "C" fn capos_fork_needs_copy() {
    NEEDS_COPY.store(true, Ordering::Relaxed);
}

fn begin(s: &mut State) -> Result<(), i64> {
    if s.fork.is_some() {
        violation(s, Refusal::Nested("fork"));
        return Err(ENOSYS);
    }
    if s.spawner.is_none() {
        return crate::dispatch::refuse(s, nr::FORK, ENOSYS, super::spawn_child::NO_SPAWNER)
            .map(drop);
    }
    // A branch shares this process's memory: a program whose fork children
    // run its own code would change the parent's state under it (dash
    // frees its job table in the child) before the shim could refuse.
    if NEEDS_COPY.load(Ordering::Relaxed) && !fork_entry::entered_as_vfork() {
        return crate::dispatch::refuse(s, nr::FORK, ENOSYS, NEEDS_COPY_WITHOUT_FORK).map(drop);
    }
    if !fork_entry::save(USER_STACK_TOP, USER_STACK_TOP - USER_STACK_SIZE) {
        let why = "fork called off the main stack, or no memory for a copy of the stack";
        return crate::dispatch::refuse(s, nr::FORK, ENOSYS, why).map(drop);
    }
    s.fork = Some(Shadow::new(&s.fds, &s.signals));
    s.branch = Some(call);
    Ok(())
}

/// Whether a child branch is running.
pub fn recording() -> bool {
    state::access(|s| s.fork.is_some()).unwrap_or(false)
}

/// Resumes the parent if the branch has ended (execve succeeded, or a
/// refusal); otherwise returns. Call with no state borrowed and nothing
/// owned on the stack.
pub fn resume_if_requested() {
    if let Some(Some((value, errno))) = state::access(|s| s.resume.take()) {
        fork_entry::resume(value, errno);
    }
}

/// Fails the fork being recorded: the shadow is dropped (every
/// descriptor it alone held released), one report line names what the
/// branch did, and the parent resumes with -1 and ENOSYS.
pub fn violation(s: &mut State, what: Refusal) {
    s.fork = None;
    let reason = format!("the child branch {}; {}", what.describe(), fork::ALLOWED);
    s.log(&report::line(nr::FORK, "ENOSYS", &reason));
    s.resume = Some((-1, ENOSYS));
}

/// Linux call `n` made inside the child branch.
///
/// # Safety
/// Pointer arguments are valid as the Linux call requires.
pub unsafe fn call(s: &mut State, n: i64, a: [i64; 6]) -> Result<i64, i64> {
    match fork::classify(n, a) {
        Step::Refuse(what) => {
            violation(s, what);
            Err(ENOSYS)
        }
        // SAFETY: execve's pointers, valid per the contract.
        Step::Exec => unsafe {
            exec(
                s,
                a[0] as *const c_char,
                a[1] as *const *const c_char,
                a[2] as *const *const c_char,
            )
        },
        // SAFETY: passed on from the contract.
        Step::Shadow(op) => unsafe { shadow(s, op) },
    }
}

/// execve in the branch: the shadow's descriptors (past close-on-exec)
/// become the child's; on success the parent resumes with the child's
/// pid. A failure returns to the branch, which may try another path
/// (execvp) or give up.
///
/// # Safety
/// As `execve`'s arguments.
unsafe fn exec(
    s: &mut State,
    path: *const c_char,
    argv: *const *const c_char,
    envp: *const *const c_char,
) -> Result<i64, i64> {
    // SAFETY: passed on from the contract.
    let (path, argv, env) = unsafe { (cstr::bytes(path)?, cstr::list(argv)?, cstr::list(envp)?) };
    let binary = super::program::find(s, path)?;
    let shadow = s.fork.as_ref().ok_or(EIO)?;
    let fds = shadow.fds.inherited();
    // setpgid(0, pgid) in the branch: the child's group (0: its own).
    let groups = s.groups.for_child(shadow.pgid.map(|g| g as u64), false);
    let (pid, handle) = spawn_child(s, &binary, &argv, &env, &fds, &groups, Share::Half)
        .map_err(|r| r.errno(s, "execve"))?;
    drop(fds);
    s.children.add(pid, handle);
    s.fork = None;
    s.resume = Some((pid as i64, 0));
    Ok(0)
}

/// An allowlisted call, on the shadow state.
///
/// # Safety
/// Pointer arguments are valid as the Linux call requires.
unsafe fn shadow(s: &mut State, op: Op) -> Result<i64, i64> {
    let ppid = crate::state::pid() as i64;
    let shadow = s.fork.as_mut().ok_or(EIO)?;
    match op {
        Op::Dup2 { old, new } => shadow.fds.dup2(old, new, false, false).map(|fd| fd as i64),
        Op::Dup3 { old, new, flags } => {
            if flags & !fcntl::O_CLOEXEC != 0 {
                return Err(EINVAL);
            }
            let cloexec = flags & fcntl::O_CLOEXEC != 0;
            shadow.fds.dup2(old, new, cloexec, true).map(|fd| fd as i64)
        }
        Op::Close(fd) => shadow.fds.close(fd).map(|()| 0),
        Op::Fcntl { fd, cmd, arg } => match cmd {
            fcntl::F_GETFD => shadow.fds.cloexec(fd).map(i64::from),
            fcntl::F_SETFD => shadow
                .fds
                .set_cloexec(fd, arg & fcntl::FD_CLOEXEC != 0)
                .map(|()| 0),
            // The open description is shared with the parent, as after a
            // real fork; reading its flags is safe.
            _ => shadow.fds.get(fd).map(|o| fcntl::O_WRONLY | o.status.get()),
        },
        Op::SigAction {
            sig,
            act,
            old,
            size,
        } => {
            if size != SIGSET_SIZE {
                return Err(EINVAL);
            }
            let (act, old) = (act as *const Action, old as *mut Action);
            // SAFETY: NULL or a readable struct k_sigaction per the contract.
            let new = (!act.is_null()).then(|| unsafe { act.read_unaligned() });
            let prev = match shadow.sigaction(sig, new) {
                Ok(prev) => prev,
                Err(Ok(refusal)) => {
                    violation(s, refusal);
                    return Err(ENOSYS);
                }
                Err(Err(errno)) => return Err(errno),
            };
            if !old.is_null() {
                // SAFETY: a writable struct k_sigaction per the contract.
                unsafe { old.write_unaligned(prev) };
            }
            Ok(0)
        }
        Op::SigProcMask {
            how,
            set,
            old,
            size,
        } => {
            if size != SIGSET_SIZE {
                return Err(EINVAL);
            }
            let (set, old) = (set as *const u64, old as *mut u64);
            // SAFETY: NULL or a readable signal set per the contract.
            let new = (!set.is_null()).then(|| unsafe { set.read_unaligned() });
            let prev = shadow.signals.procmask(how, new)?;
            if !old.is_null() {
                // SAFETY: a writable signal set per the contract.
                unsafe { old.write_unaligned(prev) };
            }
            Ok(0)
        }
        Op::SetPgid { pid, pgid } => shadow.setpgid(pid, pgid),
        // The parent is this process.
        Op::GetPpid => Ok(ppid),
    }
}
