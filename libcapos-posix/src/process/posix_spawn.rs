//! posix_spawn and posix_spawnp. musl's own clone a child that runs the
//! file actions and execs, which capOS cannot do; the overlay
//! (vendor/musl/overlay/src/process/posix_spawn.c) hands the request
//! here instead. The program is the path's file in this process's
//! namespace (process/program.rs), searched for in PATH for
//! posix_spawnp. The file actions run on a copy of this process's
//! descriptor table (the table itself is untouched; an open runs here,
//! through the namespace, before the spawn) and the result is passed as
//! the child's "fd/N" grants.
//!
//! Attributes: POSIX_SPAWN_SETPGROUP and SETSID put the child in the
//! group or a new session (the adapter's record, tty.rs; otherwise it
//! inherits this process's). SETSIGMASK and SETSIGDEF are accepted; the
//! child starts with an empty signal mask and default dispositions
//! whatever they say. RESETIDS and USEVFORK change nothing (capOS has no
//! user ids; the request never runs in this address space). The
//! scheduling flags are refused with ENOSYS: capOS has no scheduling
//! policies.

use super::spawn_child::spawn_child_in;
use super::{cstr, fork_call, program};
use crate::file::abi::errno::ENOTDIR;
use crate::file::object::DirObject;
use crate::file::{self, abi::at::AT_FDCWD, open};
use crate::fork::Refusal;
use crate::linux::errno::{EACCES, EFAULT, EINVAL, EIO, ENOSYS};
use crate::linux::nr;
use crate::report;
use crate::spawn::{self, ActionError, Chdir, FileAction};
use crate::state::{self, Object, Open, State};
use alloc::rc::Rc;
use alloc::vec::Vec;
use capos_rt::{Directory, Share, StorageError};
use core::ffi::{c_char, c_int};

/// One file action; mirrors `struct capos_spawn_action` in the overlay.
#[repr(C)]
pub struct Action {
    cmd: c_int,
    fd: c_int,
    srcfd: c_int,
    oflag: c_int,
    mode: u32,
    /// addopen's and addchdir_np's path (NULL for the other commands).
    path: *const c_char,
}

/// The request; mirrors `struct capos_spawn_request` in the overlay.
#[repr(C)]
pub struct Request {
    path: *const c_char,
    /// posix_spawnp: a name without '/' is searched for in `pathvar`.
    search: c_int,
    flags: c_int,
    pgroup: c_int,
    /// The first word of the attributes' sigsets (signals 1..=64):
    /// accepted, and the child gets none of them (module note).
    #[allow(dead_code)]
    sigdefault: u64,
    #[allow(dead_code)]
    sigmask: u64,
    actions: *const Action,
    nactions: usize,
    argv: *const *const c_char,
    envp: *const *const c_char,
    /// The caller's PATH (getenv, as musl's __execvpe), or NULL.
    pathvar: *const c_char,
}

/// musl's file action commands (src/process/fdop.h).
const FDOP_CLOSE: c_int = 1;
const FDOP_DUP2: c_int = 2;
const FDOP_OPEN: c_int = 3;
const FDOP_CHDIR: c_int = 4;
const FDOP_FCHDIR: c_int = 5;

/// <spawn.h> attribute flags.
const SETPGROUP: c_int = 2;
const SETSCHEDPARAM: c_int = 0x10;
const SETSCHEDULER: c_int = 0x20;
const SETSID: c_int = 0x80;
const KNOWN: c_int = 0xff;

/// Starts the program `req` describes; 0 with its pid in `*pid` (if not
/// NULL), or an errno, as posix_spawn returns.
///
/// # Safety
/// `req` points to a request whose strings, lists and actions are valid
/// as posix_spawn's arguments; `pid` is NULL or a writable pid_t.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn __capos_spawn(pid: *mut i32, req: *const Request) -> c_int {
    // No signal upcall while the spawn holds the adapter's state.
    let outer = crate::upcall::hold();
    // SAFETY: passed on from this function's contract.
    let result = state::access(|s| unsafe { posix_spawn(s, pid, req) }).unwrap_or(Err(EIO));
    // posix_spawn inside the fork shim's child branch fails that fork
    // (the jump lets upcalls come again).
    fork_call::resume_if_requested();
    crate::upcall::restore(outer);
    match result {
        Ok(()) => 0,
        Err(errno) => errno as c_int,
    }
}

/// # Safety
/// As [`__capos_spawn`].
unsafe fn posix_spawn(s: &mut State, pid: *mut i32, req: *const Request) -> Result<(), i64> {
    if s.fork.is_some() {
        fork_call::violation(s, Refusal::Nested("posix_spawn"));
        return Err(ENOSYS);
    }
    if req.is_null() {
        return Err(EFAULT);
    }
    // SAFETY: a valid request per the contract.
    let req = unsafe { &*req };
    if req.flags & !KNOWN != 0 || (req.flags & SETPGROUP != 0 && req.pgroup < 0) {
        return Err(EINVAL);
    }
    if req.flags & (SETSCHEDPARAM | SETSCHEDULER) != 0 {
        return Err(refuse(
            s,
            "the scheduling attributes: capOS has no scheduling policies",
        ));
    }
    // SAFETY: the path is a C string per the contract.
    let path = unsafe { cstr::bytes(req.path) }?;
    // SAFETY: the overlay passes `nactions` actions at `actions`.
    let actions = unsafe { file_actions(req.actions, req.nactions) }?;
    // The actions first, as in a Linux child: an addchdir_np moves where
    // a relative program path is found.
    let mut effects = Effects { s, cwd: None };
    let fds = spawn::child_fds(&s.fds, &actions, &mut effects);
    let cwd = effects.cwd;
    let fds = fds.map_err(|e| {
        if let Some((call, why)) = e.report {
            let _ = crate::dispatch::refuse(s, call, e.errno, why);
        }
        e.errno
    })?;
    let child_path = |p: &[u8]| under(cwd.as_ref().map(|(at, _)| &at[..]), p);
    let binary = if req.search != 0 {
        // SAFETY: NULL or a C string per the contract.
        let pathvar = (!req.pathvar.is_null())
            .then(|| unsafe { cstr::bytes(req.pathvar) })
            .transpose()?;
        spawn::search(path, pathvar, |candidate| {
            program::find(s, &child_path(candidate))
        })?
    } else {
        program::find(s, &child_path(path))?
    };
    // SAFETY: NULL-terminated string lists per the contract.
    let (argv, env) = unsafe { (cstr::list(req.argv)?, cstr::list(req.envp)?) };
    let pgroup = (req.flags & SETPGROUP != 0).then_some(req.pgroup as u64);
    let groups = s.groups.for_child(pgroup, req.flags & SETSID != 0);
    let cwd = cwd.as_ref().map(|(at, dir)| (&at[..], dir));
    let (child, handle) = spawn_child_in(s, cwd, &binary, &argv, &env, &fds, &groups, Share::Half)
        .map_err(|r| r.errno(s, "posix_spawn"))?;
    s.children.add(child, handle);
    if !pid.is_null() {
        // SAFETY: a writable pid_t per the contract.
        unsafe { pid.write_unaligned(child as i32) };
    }
    Ok(())
}

/// `p` as the child names it: under `cwd`, the working directory an
/// addchdir_np gave it, when `p` is relative.
fn under(cwd: Option<&[u8]>, p: &[u8]) -> Vec<u8> {
    match cwd {
        Some(at) if !p.starts_with(b"/") => [at, b"/", p].concat(),
        _ => p.to_vec(),
    }
}

/// The file actions' opens and chdirs, through this process's namespace:
/// the child's is the same but for its working directory, kept here once
/// an action changed it (its absolute path and the directory).
struct Effects<'a> {
    s: &'a State,
    cwd: Option<(Vec<u8>, Directory)>,
}

/// Why addfchdir_np of a directory passed by a parent fails (as fchdir).
const NO_PATH: &str = "a directory passed without its path";

impl spawn::Effects<Open> for Effects<'_> {
    fn open(&mut self, p: &[u8], flags: i64, mode: i64) -> Result<Rc<Open>, ActionError> {
        let p = under(self.cwd.as_ref().map(|(at, _)| &at[..]), p);
        open::open(self.s, AT_FDCWD, &p, flags, mode)
            .map(|(open, _)| Rc::new(open))
            .map_err(|r| ActionError {
                errno: r.errno,
                report: r.reason.map(|why| (nr::OPEN, why)),
            })
    }

    fn chdir(&mut self, to: Chdir<'_, Open>) -> Result<(), ActionError> {
        let p = match to {
            Chdir::Path(p) => under(self.cwd.as_ref().map(|(at, _)| &at[..]), p),
            Chdir::Descriptor(open) => match &open.object {
                Object::Directory(DirObject { path: Some(p), .. }) => p.clone(),
                Object::Directory(_) => {
                    return Err(ActionError {
                        errno: EACCES,
                        report: Some((nr::FCHDIR, NO_PATH)),
                    });
                }
                _ => return Err(ActionError::errno(ENOTDIR)),
            },
        };
        let fail = |e: StorageError| ActionError::errno(file::errno::of(&e));
        let (names, _) = self.s.ns.resolve(&p).map_err(fail)?;
        let mut at = Vec::new();
        for name in &names {
            at.push(b'/');
            at.extend_from_slice(name);
        }
        if at.is_empty() {
            at.push(b'/');
        }
        let dir = self.s.ns.open_dir(&at).map_err(fail)?;
        self.cwd = Some((at, dir));
        Ok(())
    }
}

fn refuse(s: &State, reason: &str) -> i64 {
    s.log(&report::named("posix_spawn", "ENOSYS", reason));
    ENOSYS
}

/// The file actions in the order they were added.
///
/// # Safety
/// `actions` is valid for `n` reads (or `n` is 0), and an open's path is
/// a C string.
unsafe fn file_actions<'a>(actions: *const Action, n: usize) -> Result<Vec<FileAction<'a>>, i64> {
    if n == 0 {
        return Ok(Vec::new());
    }
    if actions.is_null() {
        return Err(EFAULT);
    }
    // SAFETY: `n` actions per the contract.
    let raw = unsafe { core::slice::from_raw_parts(actions, n) };
    raw.iter()
        .map(|a| {
            Ok(match a.cmd {
                FDOP_CLOSE => FileAction::Close(a.fd.into()),
                FDOP_DUP2 => FileAction::Dup2 {
                    src: a.srcfd.into(),
                    fd: a.fd.into(),
                },
                FDOP_OPEN => FileAction::Open {
                    fd: a.fd.into(),
                    // SAFETY: a C string per the contract (checked for
                    // NULL and length as open's path is).
                    path: unsafe { file::path::path(a.path.cast()) }?,
                    flags: a.oflag.into(),
                    mode: a.mode.into(),
                },
                // SAFETY: a C string per the contract (checked as a
                // path is).
                FDOP_CHDIR => FileAction::Chdir(unsafe { file::path::path(a.path.cast()) }?),
                FDOP_FCHDIR => FileAction::Fchdir(a.fd.into()),
                _ => return Err(EINVAL),
            })
        })
        .collect()
}
