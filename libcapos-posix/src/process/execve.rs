//! execve outside the fork shim. capOS cannot replace a process's image,
//! so the new program starts as a child with this process's descriptors
//! that are not close-on-exec, and this process waits for it and exits
//! with its status: its parent sees the program's exit code as this
//! process's. The pid changes (the program's getpid and getppid answer
//! for the child). While waiting, this process holds nothing but the
//! child's handle: its descriptors, the adapter's capabilities and its
//! own children's handles are released first. So the program shares this
//! process's account (Share::JoinCaller): it can use all the quota this
//! process had, and exec again, as deep as a script nests.

use super::children::Children;
use super::cstr;
use super::spawn_child::spawn_child;
use crate::fd::FdTable;
use crate::state::State;
use crate::wait;
use capos_rt::Share;
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
    release(s);
    let code = handle
        .wait()
        .map(|status| wait::exec_exit_code(&status))
        .unwrap_or(LOST);
    s.exit = Some(code);
    Ok(0)
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
