//! `open`, `openat` and `creat`.

use super::abi::errno::{EISDIR, ENOTDIR, EROFS};
use super::abi::open::{O_CREAT, O_TRUNC, O_WRONLY};
use super::flags;
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
    let req = match flags::parse(flags) {
        Ok(req) => req,
        Err(refused) => {
            return match refused.reason {
                Some(why) => refuse(s, n, refused.errno, why),
                None => Err(refused.errno),
            };
        }
    };
    let how = OpenOptions {
        create: req.create,
        exclusive: req.exclusive,
        truncate: req.truncate,
        // A descriptor that cannot write holds a capability that cannot.
        read_only: !req.write,
    };
    let opened = path::with(s, dirfd, p, |ns, p| ns.open(p, how))?;
    let object = match opened.node {
        Node::Directory(dir) => {
            if req.write || req.create {
                return Err(EISDIR);
            }
            Object::Directory(DirObject::new(dir, path::absolute(s, dirfd, p)?))
        }
        Node::File(file) => {
            if req.directory {
                return Err(ENOTDIR);
            }
            if req.write && opened.read_only {
                return Err(EROFS);
            }
            if opened.created {
                let bits = (mode as u32) & !s.umask & 0o7777;
                // Recorded for stat; a failure leaves the default 0644.
                if req.write {
                    let _ = file.set_mode(bits);
                }
            }
            Object::File(FileObject::new(file, req.read, req.write))
        }
    };
    let open = Open::new(object);
    open.status.set(req.status);
    s.fds.open(Rc::new(open), req.cloexec).map(|fd| fd as i64)
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
