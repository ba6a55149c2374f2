//! `open`, `openat` and `creat`.

use super::abi::errno::{EISDIR, ENOTDIR, EROFS};
use super::abi::open::{O_APPEND, O_CREAT, O_TRUNC, O_WRONLY};
use super::flags::{self, Refused};
use super::object::{DirObject, FileObject};
use super::path;
use crate::dispatch::refuse;
use crate::state::{Object, Open, State};
use alloc::rc::Rc;
use capos_rt::{Node, OpenOptions};

/// `openat(dirfd, path, flags, mode)`; `open` is AT_FDCWD.
///
/// # Safety
/// `p` is NULL or a readable NUL-terminated string.
pub unsafe fn openat(
    s: &mut State,
    n: i64,
    dirfd: i64,
    p: *const u8,
    flags: i64,
    mode: i64,
) -> Result<i64, i64> {
    // SAFETY: passed on.
    let p = unsafe { path::path(p) }?;
    match open(s, dirfd, p, flags, mode) {
        Ok((open, cloexec)) => s.fds.open(Rc::new(open), cloexec).map(|fd| fd as i64),
        Err(Refused {
            errno,
            reason: Some(why),
        }) => refuse(s, n, errno, why),
        Err(refused) => Err(refused.errno),
    }
}

/// The open file description `openat` makes for `p` (relative to
/// `dirfd`) and whether it is close-on-exec; also what posix_spawn's
/// addopen puts in a child's table. A refusal with a reason is one to
/// report.
pub fn open(
    s: &State,
    dirfd: i64,
    p: &[u8],
    flags: i64,
    mode: i64,
) -> Result<(Open, bool), Refused> {
    let errno = |errno| Refused {
        errno,
        reason: None,
    };
    let req = flags::parse(flags)?;
    let how = OpenOptions {
        create: req.create,
        exclusive: req.exclusive,
        truncate: req.truncate,
        // A descriptor that cannot write holds a capability that cannot.
        read_only: !req.write,
        // The description appends (the File's cursor methods).
        append: req.status & O_APPEND != 0,
    };
    let opened = path::with(s, dirfd, p, |ns, p| ns.open(p, how)).map_err(errno)?;
    let object = match opened.node {
        Node::Directory(dir) => {
            if req.write || req.create {
                return Err(errno(EISDIR));
            }
            let at = path::absolute(s, dirfd, p).map_err(errno)?;
            Object::Directory(DirObject::new(dir, at))
        }
        Node::File(file) => {
            if req.directory {
                return Err(errno(ENOTDIR));
            }
            if req.write && opened.read_only {
                return Err(errno(EROFS));
            }
            if opened.created {
                let bits = (mode as u32) & !s.umask & 0o7777;
                // Recorded for stat; a failure leaves the default 0644.
                if req.write {
                    let _ = file.set_mode(bits);
                }
            }
            Object::File(FileObject::new(file, opened.cursor, 0, req.read, req.write))
        }
    };
    let open = Open::new(object);
    open.status.set(req.status);
    Ok((open, req.cloexec))
}

/// `creat(path, mode)`: `open` with O_CREAT | O_WRONLY | O_TRUNC.
///
/// # Safety
/// As [`openat`].
pub unsafe fn creat(s: &mut State, n: i64, p: *const u8, mode: i64) -> Result<i64, i64> {
    // SAFETY: passed on.
    unsafe {
        openat(
            s,
            n,
            super::abi::at::AT_FDCWD,
            p,
            O_CREAT | O_WRONLY | O_TRUNC,
            mode,
        )
    }
}
