//! A node's metadata: the stat family, `access`, `chmod`, `utimensat`,
//! `truncate`, `fsync` and `umask`.

use super::abi::access::{R_OK, W_OK, X_OK};
use super::abi::at::*;
use super::abi::errno::{EISDIR, EROFS};
use super::abi::{UTIME_NOW, UTIME_OMIT};
use super::errno;
use super::path;
use super::stat::{self, KSTAT_SIZE, S_IFCHR, S_IFIFO, STATX_SIZE};
use crate::linux::errno::{EACCES, EFAULT, EINVAL, EPERM};
use crate::state::{Object, State};
use capos_rt::{Node, NodeKind, OpenOptions, Stat, StorageError, TimeChange};

/// Writes `bytes` to the C buffer `out`.
///
/// # Safety
/// `out` is NULL or writable for `bytes.len()` bytes.
unsafe fn copy_out(out: *mut u8, bytes: &[u8]) -> Result<i64, i64> {
    if out.is_null() {
        return Err(EFAULT);
    }
    // SAFETY: writable per the contract.
    unsafe { out.copy_from_nonoverlapping(bytes.as_ptr(), bytes.len()) };
    Ok(0)
}

/// The stat of what descriptor `fd` holds; pipes, the console and the
/// terminal have only a type (the terminal a character device, as a
/// Linux tty's crw--w----).
fn fd_stat(s: &State, fd: i64) -> Result<Result<Stat, [u8; KSTAT_SIZE]>, i64> {
    let open = s.fds.get(fd)?;
    let got = match &open.object {
        Object::File(f) => f.file.stat(),
        Object::Directory(d) => d.dir.stat(),
        Object::Console(_) | Object::Terminal(_) => {
            return Ok(Err(stat::kstat_of_kind(S_IFCHR, 0o620)));
        }
        _ => return Ok(Err(stat::kstat_of_kind(S_IFIFO, 0o600))),
    };
    got.map(Ok).map_err(|e| errno::of(&e))
}

/// `fstat(fd, buf)`.
///
/// # Safety
/// `out` is NULL or a writable struct stat.
pub unsafe fn fstat(s: &mut State, fd: i64, out: *mut u8) -> Result<i64, i64> {
    let bytes = match fd_stat(s, fd)? {
        Ok(st) => stat::kstat(&st),
        Err(bytes) => bytes,
    };
    // SAFETY: passed on.
    unsafe { copy_out(out, &bytes) }
}

/// The stat of `path` relative to `dirfd`; with AT_EMPTY_PATH and an empty
/// path, of `dirfd` itself. There are no links, so AT_SYMLINK_NOFOLLOW
/// changes nothing.
///
/// # Safety
/// `p` is NULL or a readable NUL-terminated string.
unsafe fn stat_at(
    s: &State,
    dirfd: i64,
    p: *const u8,
    flags: i64,
    allowed: i64,
) -> Result<Result<Stat, [u8; KSTAT_SIZE]>, i64> {
    if flags & !allowed != 0 {
        return Err(EINVAL);
    }
    // SAFETY: passed on.
    let p = unsafe { path::c_str(p) }?;
    if p.is_empty() {
        if flags & AT_EMPTY_PATH == 0 {
            return Err(crate::linux::errno::ENOENT);
        }
        if dirfd == AT_FDCWD {
            return path::with(s, AT_FDCWD, b".", |ns, p| ns.stat(p)).map(Ok);
        }
        return fd_stat(s, dirfd);
    }
    path::with(s, dirfd, p, |ns, p| ns.stat(p)).map(Ok)
}

/// `newfstatat(dirfd, path, buf, flags)`; `stat` and `lstat` are
/// AT_FDCWD with no flags.
///
/// # Safety
/// `p` as [`stat_at`]; `out` is NULL or a writable struct stat.
pub unsafe fn fstatat(
    s: &mut State,
    dirfd: i64,
    p: *const u8,
    out: *mut u8,
    flags: i64,
) -> Result<i64, i64> {
    let allowed = AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT;
    // SAFETY: passed on.
    let bytes = match unsafe { stat_at(s, dirfd, p, flags, allowed) }? {
        Ok(st) => stat::kstat(&st),
        Err(bytes) => bytes,
    };
    // SAFETY: passed on.
    unsafe { copy_out(out, &bytes) }
}

/// `statx(dirfd, path, flags, mask, buf)`: the basic stats whatever the
/// mask asks (as Linux may); the sync-type flags change nothing on a RAM
/// store.
///
/// # Safety
/// As [`fstatat`], with a writable struct statx.
pub unsafe fn statx(
    s: &mut State,
    dirfd: i64,
    p: *const u8,
    flags: i64,
    out: *mut u8,
) -> Result<i64, i64> {
    let allowed = AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT | AT_STATX_SYNC_TYPE;
    // SAFETY: passed on.
    let bytes = match unsafe { stat_at(s, dirfd, p, flags, allowed) }? {
        Ok(st) => stat::statx(&st),
        Err(kstat) => {
            // A pipe or the console: its type and permission bits.
            let mut bytes = [0u8; STATX_SIZE];
            bytes[0..4].copy_from_slice(&stat::STATX_BASIC_STATS.to_le_bytes());
            bytes[16..20].copy_from_slice(&1u32.to_le_bytes());
            bytes[28..30].copy_from_slice(&kstat[24..26]);
            bytes
        }
    };
    // SAFETY: passed on.
    unsafe { copy_out(out, &bytes) }
}

/// `faccessat(dirfd, path, mode, flags)`: F_OK is existence; R_OK always
/// holds (no users); W_OK fails with EROFS through a read-only capability;
/// X_OK needs an execute bit on a file (a directory can always be
/// searched).
///
/// # Safety
/// `p` is NULL or a readable NUL-terminated string.
pub unsafe fn faccessat(
    s: &mut State,
    dirfd: i64,
    p: *const u8,
    mode: i64,
    flags: i64,
) -> Result<i64, i64> {
    if mode & !(R_OK | W_OK | X_OK) != 0 {
        return Err(EINVAL);
    }
    let allowed = AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH;
    // SAFETY: passed on.
    let st = match unsafe { stat_at(s, dirfd, p, flags, allowed) }? {
        Ok(st) => st,
        Err(_) => return Ok(0),
    };
    if mode & W_OK != 0 && st.read_only {
        return Err(EROFS);
    }
    if mode & X_OK != 0 && st.kind == NodeKind::File && st.mode & 0o111 == 0 {
        return Err(EACCES);
    }
    Ok(0)
}

/// Opens the file `p` (relative to `dirfd`) for a change of its metadata.
/// A directory has no metadata to change but its name: EPERM.
fn open_for_change(s: &State, dirfd: i64, p: &[u8]) -> Result<capos_rt::File, i64> {
    let opened = path::with(s, dirfd, p, |ns, p| ns.open(p, OpenOptions::default()))?;
    match opened.node {
        Node::File(f) => Ok(f),
        Node::Directory(_) => Err(EPERM),
    }
}

fn the_file(s: &State, fd: i64) -> Result<&capos_rt::File, i64> {
    match &s.fds.get(fd)?.object {
        Object::File(f) => Ok(&f.file),
        Object::Directory(_) => Err(EPERM),
        _ => Err(EINVAL),
    }
}

fn change(r: Result<(), StorageError>) -> Result<i64, i64> {
    r.map(|()| 0).map_err(|e| errno::of(&e))
}

/// `fchmodat(dirfd, path, mode, flags)`; `chmod` is AT_FDCWD. Directories'
/// modes are set at mkdir and fixed after (EPERM).
///
/// # Safety
/// `p` is NULL or a readable NUL-terminated string.
pub unsafe fn fchmodat(
    s: &mut State,
    dirfd: i64,
    p: *const u8,
    mode: i64,
    flags: i64,
) -> Result<i64, i64> {
    if flags & !AT_SYMLINK_NOFOLLOW != 0 {
        return Err(EINVAL);
    }
    // SAFETY: passed on.
    let p = unsafe { path::path(p) }?;
    let f = open_for_change(s, dirfd, p)?;
    change(f.set_mode((mode as u32) & 0o7777))
}

/// `fchmod(fd, mode)`: through the descriptor's capability, which is
/// read-only when it was opened O_RDONLY (EROFS then).
pub fn fchmod(s: &mut State, fd: i64, mode: i64) -> Result<i64, i64> {
    change(the_file(s, fd)?.set_mode((mode as u32) & 0o7777))
}

/// A `struct timespec` of utimensat as a change.
fn time_change(sec: i64, nsec: i64) -> Result<TimeChange, i64> {
    match nsec {
        UTIME_NOW => Ok(TimeChange::Now),
        UTIME_OMIT => Ok(TimeChange::Keep),
        0..=999_999_999 if sec >= 0 => Ok(TimeChange::Ns(
            (sec as u64)
                .saturating_mul(1_000_000_000)
                .saturating_add(nsec as u64),
        )),
        // Times before the epoch cannot be kept.
        _ => Err(EINVAL),
    }
}

/// `utimensat(dirfd, path, times, flags)`; a NULL path is `futimens`
/// on `dirfd`. NULL times means now for both.
///
/// # Safety
/// `p` is NULL or a readable NUL-terminated string; `times` is NULL or
/// two readable struct timespec.
pub unsafe fn utimensat(
    s: &mut State,
    dirfd: i64,
    p: *const u8,
    times: *const i64,
    flags: i64,
) -> Result<i64, i64> {
    if flags & !AT_SYMLINK_NOFOLLOW != 0 {
        return Err(EINVAL);
    }
    let (accessed, modified) = if times.is_null() {
        (TimeChange::Now, TimeChange::Now)
    } else {
        // SAFETY: two readable timespecs per the contract.
        let t = unsafe { core::slice::from_raw_parts(times, 4) };
        (time_change(t[0], t[1])?, time_change(t[2], t[3])?)
    };
    if p.is_null() {
        return change(the_file(s, dirfd)?.set_times(accessed, modified));
    }
    // SAFETY: passed on.
    let p = unsafe { path::path(p) }?;
    let f = open_for_change(s, dirfd, p)?;
    change(f.set_times(accessed, modified))
}

/// `truncate(path, length)`.
///
/// # Safety
/// `p` is NULL or a readable NUL-terminated string.
pub unsafe fn truncate(s: &mut State, p: *const u8, length: i64) -> Result<i64, i64> {
    let length = u64::try_from(length).map_err(|_| EINVAL)?;
    // SAFETY: passed on.
    let p = unsafe { path::path(p) }?;
    let opened = path::with(s, AT_FDCWD, p, |ns, p| ns.open(p, OpenOptions::default()))?;
    match opened.node {
        Node::File(f) => change(f.truncate(length)),
        Node::Directory(_) => Err(EISDIR),
    }
}

/// `ftruncate(fd, length)`: EINVAL unless the descriptor can write.
pub fn ftruncate(s: &mut State, fd: i64, length: i64) -> Result<i64, i64> {
    let length = u64::try_from(length).map_err(|_| EINVAL)?;
    match &s.fds.get(fd)?.object {
        Object::File(f) if f.write => change(f.file.truncate(length)),
        Object::File(_) | Object::Directory(_) => Err(EINVAL),
        _ => Err(EINVAL),
    }
}

/// `fsync` and `fdatasync`: File.sync; a directory has nothing to sync.
pub fn fsync(s: &mut State, fd: i64) -> Result<i64, i64> {
    match &s.fds.get(fd)?.object {
        Object::File(f) => change(f.file.sync()),
        Object::Directory(_) => Ok(0),
        _ => Err(EINVAL),
    }
}

/// `umask(mask)`: the old mask.
pub fn umask(s: &mut State, mask: i64) -> Result<i64, i64> {
    let old = s.umask;
    s.umask = (mask as u32) & 0o777;
    Ok(i64::from(old))
}
