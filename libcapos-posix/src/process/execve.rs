//! execve outside the fork shim. capOS cannot replace a process's image,
//! so the new program starts as a child with this process's descriptors
//! that are not close-on-exec, and this process waits for it and exits
//! with its status: its parent sees the program's exit code as this
//! process's. The pid changes (the program's getpid and getppid answer
//! for the child). While waiting, this process holds nothing but the
//! child's handle and its Timer: its descriptors, the adapter's other
//! capabilities and its own children's handles are released first. So the
//! program shares this process's account (Share::JoinCaller): it can use
//! all the quota this process had, and exec again, as deep as a script
//! nests.
//!
//! Signals posted to this process (its parent knows its pid as the
//! program's) are passed on to the program through the handle, so `kill`
//! reaches it and its end by a signal comes back as this process's.
//! SIGKILL cannot be passed on: it ends this process, and the program
//! runs on until it ends by itself.

use super::children::Children;
use super::cstr;
use super::spawn_child::spawn_child;
use crate::fd::FdTable;
use crate::state::{self, State};
use crate::wait;
use capos_rt::{ExitStatus, ProcessHandle, Share, SignalWait, Timer};
use core::ffi::c_char;

/// The exit code when the wait for the program itself fails (the ring
/// broke): what a shell reports for a program it could not run.
const LOST: i64 = 127;

/// `execve(path, argv, envp)`: returns only on failure (an errno, this
/// process unchanged); on success the process ends with the program's
/// status through [`State::exit`].
///
/// # Safety
/// `path` is a C string and `argv`, `envp` NULL or NULL-terminated lists
/// of C strings.
pub unsafe fn execve(
    s: &mut State,
    path: *const c_char,
    argv: *const *const c_char,
    envp: *const *const c_char,
) -> Result<i64, i64> {
    // SAFETY: passed on from this function's contract.
    let (path, argv, env) = unsafe { (cstr::bytes(path)?, cstr::list(argv)?, cstr::list(envp)?) };
    let binary = super::program::find(s, path)?;
    let fds = s.fds.inherited();
    // The program goes on in this process's group and session.
    let groups = s.groups.for_child(None, false);
    let (_, handle) = spawn_child(s, &binary, &argv, &env, &fds, &groups, Share::JoinCaller)
        .map_err(|r| r.errno(s, "execve"))?;
    drop(fds);
    crate::tty::leave_groups(s);
    let timer = s.timer.take();
    release(s);
    let code = wait_passing_signals(&handle, timer.as_ref())
        .map_or(LOST, |status| wait::exec_exit_code(&status));
    s.exit = Some(code);
    Ok(0)
}

/// Waits for the program to end, passing on every signal posted to this
/// process (it catches them all, so the kernel leaves them to it). None
/// if the ring broke.
fn wait_passing_signals(handle: &ProcessHandle, timer: Option<&Timer>) -> Option<ExitStatus> {
    let Some(timer) = timer else {
        return handle.wait().ok();
    };
    let exit = handle.wait_async().ok()?;
    loop {
        let catch_all = SignalWait {
            caught: u64::MAX,
            ..SignalWait::default()
        };
        let signals = timer.signals_async(catch_all).ok()?;
        state::ring(|ring| ring.flush()).ok()?;
        while !exit.is_complete() && !signals.is_complete() {
            state::ring(|ring| ring.wait(1).map(drop)).ok()?;
        }
        if exit.is_complete() {
            return ExitStatus::from_reply(&exit.wait().ok()?).ok();
        }
        let mut pending = Timer::signals_of(&signals.wait().ok()?).ok()?.pending;
        while pending != 0 {
            let sig = pending.trailing_zeros() as u8 + 1;
            pending &= pending - 1;
            // An ended program ignores it; its exit completes the wait.
            let _ = handle.signal(sig);
        }
    }
}

/// Drops every capability but the ring's, and sends the releases.
fn release(s: &mut State) {
    s.fds = FdTable::default();
    s.fork = None;
    s.log = None;
    s.memory = None;
    s.timer = None;
    s.entropy = None;
    s.spawner = None;
    s.forker = None;
    s.pipes = None;
    s.children = Children::default();
    let _ = crate::state::ring(|ring| ring.flush());
}
