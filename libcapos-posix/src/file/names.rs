//! Calls on names: `mkdir`, `unlink`, `rmdir`, `rename`, the working
//! directory, and the link calls (there are no links).

use super::abi::at::{AT_FDCWD, AT_REMOVEDIR, RENAME_NOREPLACE};
use super::abi::errno::{EEXIST, EXDEV};
use super::errno;
use super::path;
use crate::dispatch::refuse;
use crate::linux::errno::{EFAULT, EINVAL, EPERM};
use crate::state::{Object, State};
use capos_rt::{FsError, StorageError};

fn done(r: Result<(), StorageError>) -> Result<(), i64> {
    r.map_err(|e| errno::of(&e))
}

/// `mkdirat(dirfd, path, mode)`; `mkdir` is AT_FDCWD. The mode, less the
/// umask, is recorded.
///
/// # Safety
/// `p` is NULL or a readable NUL-terminated string.
pub unsafe fn mkdirat(s: &mut State, dirfd: i64, p: *const u8, mode: i64) -> Result<i64, i64> {
    // SAFETY: passed on.
    let p = unsafe { path::path(p) }?;
    let mode = (mode as u32) & !s.umask & 0o7777;
    path::with(s, dirfd, p, |ns, p| ns.mkdir_mode(p, mode)).map(|()| 0)
}

/// `unlinkat(dirfd, path, flags)`: a file, or with AT_REMOVEDIR an empty
/// directory; `unlink` and `rmdir` are AT_FDCWD.
///
/// # Safety
/// `p` is NULL or a readable NUL-terminated string.
pub unsafe fn unlinkat(s: &mut State, dirfd: i64, p: *const u8, flags: i64) -> Result<i64, i64> {
    if flags & !AT_REMOVEDIR != 0 {
        return Err(EINVAL);
    }
    // SAFETY: passed on.
    let p = unsafe { path::path(p) }?;
    if flags & AT_REMOVEDIR != 0 {
        // "." as the last name is Linux's EINVAL (it would remove the
        // directory through itself).
        if p == b"." || p.ends_with(b"/.") {
            return Err(EINVAL);
        }
        path::with(s, dirfd, p, |ns, p| ns.rmdir(p)).map(|()| 0)
    } else {
        path::with(s, dirfd, p, |ns, p| ns.unlink(p)).map(|()| 0)
    }
}

/// `renameat2(olddirfd, old, newdirfd, new, flags)`; `rename` and
/// `renameat` have no flags. Both paths must be in the process's
/// namespace (a directory passed without its path is its own tree:
/// EXDEV across it). RENAME_NOREPLACE checks the new name first; another
/// process could make it in between, which capOS does not prevent.
///
/// # Safety
/// `old` and `new` are NULL or readable NUL-terminated strings.
pub unsafe fn renameat2(
    s: &mut State,
    n: i64,
    (old_dir, old): (i64, *const u8),
    (new_dir, new): (i64, *const u8),
    flags: i64,
) -> Result<i64, i64> {
    if flags & !RENAME_NOREPLACE != 0 {
        return refuse(s, n, EINVAL, "RENAME_EXCHANGE and RENAME_WHITEOUT");
    }
    // SAFETY: passed on.
    let (old, new) = unsafe { (path::path(old)?, path::path(new)?) };
    let (Some(from), Some(to)) = (
        path::absolute(s, old_dir, old)?,
        path::absolute(s, new_dir, new)?,
    ) else {
        // Below a directory passed without its path: one call through it
        // when both are, else two trees.
        if old_dir == new_dir && old_dir != AT_FDCWD {
            let to = [b"/", new].concat();
            return path::with(s, old_dir, old, |ns, from| ns.rename(from, &to)).map(|()| 0);
        }
        return Err(EXDEV);
    };
    if flags & RENAME_NOREPLACE != 0 {
        match s.ns.stat(&to) {
            Ok(_) => return Err(EEXIST),
            Err(StorageError::Fs(FsError::NotFound)) => {}
            Err(e) => return Err(errno::of(&e)),
        }
    }
    done(s.ns.rename(&from, &to)).map(|()| 0)
}

/// `link`, `linkat`, `symlink` and `symlinkat`: there are no links; a node
/// has exactly one name (EPERM, as a Linux file system without them).
pub fn link(s: &mut State, n: i64) -> Result<i64, i64> {
    refuse(s, n, EPERM, "no links: a node has exactly one name")
}

/// `readlinkat(dirfd, path, buf, size)`: nothing is a link, so EINVAL for
/// what exists, and the lookup's errno for what does not.
///
/// # Safety
/// `p` is NULL or a readable NUL-terminated string.
pub unsafe fn readlinkat(s: &mut State, dirfd: i64, p: *const u8, size: i64) -> Result<i64, i64> {
    if size <= 0 {
        return Err(EINVAL);
    }
    // SAFETY: passed on.
    let p = unsafe { path::path(p) }?;
    path::with(s, dirfd, p, |ns, p| ns.stat(p))?;
    Err(EINVAL)
}

/// `getcwd(buf, size)`: the working directory's path; the length with
/// its NUL, as the Linux call returns.
///
/// # Safety
/// `buf` is NULL or writable for `size` bytes.
pub unsafe fn getcwd(s: &mut State, buf: *mut u8, size: i64) -> Result<i64, i64> {
    const ERANGE: i64 = 34;
    let cwd = s.ns.cwd();
    if buf.is_null() {
        return Err(EFAULT);
    }
    if (size as usize) < cwd.len() + 1 || size < 0 {
        return Err(ERANGE);
    }
    // SAFETY: writable for `size` bytes per the contract.
    unsafe {
        buf.copy_from_nonoverlapping(cwd.as_ptr(), cwd.len());
        buf.add(cwd.len()).write(0);
    }
    Ok(cwd.len() as i64 + 1)
}

/// `chdir(path)`: the directory becomes the working directory; it must be
/// one the namespace covers.
///
/// # Safety
/// `p` is NULL or a readable NUL-terminated string.
pub unsafe fn chdir(s: &mut State, p: *const u8) -> Result<i64, i64> {
    // SAFETY: passed on.
    let p = unsafe { path::path(p) }?;
    done(s.ns.chdir(p)).map(|()| 0)
}

/// `fchdir(fd)`: to a directory opened by path.
pub fn fchdir(s: &mut State, n: i64, fd: i64) -> Result<i64, i64> {
    let path = match &s.fds.get(fd)?.object {
        Object::Directory(d) => d.path.clone(),
        _ => return Err(super::abi::errno::ENOTDIR),
    };
    match path {
        Some(p) => done(s.ns.chdir(&p)).map(|()| 0),
        None => refuse(
            s,
            n,
            crate::linux::errno::EACCES,
            "a directory passed without its path",
        ),
    }
}
