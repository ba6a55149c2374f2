//! Paths from C, and which namespace serves a path given with a
//! directory descriptor.

use super::abi::at::AT_FDCWD;
use super::errno;
use crate::linux::errno::{EBADF, EFAULT, ENAMETOOLONG, ENOENT};
use crate::state::{Object, State};
use alloc::vec::Vec;
use capos_lib::fs::PATH_MAX;
use capos_rt::{Namespace, StorageError};

/// The NUL-terminated string at `p`: EFAULT for NULL, ENAMETOOLONG when
/// no NUL comes within PATH_MAX + 1 bytes. Empty is allowed here (callers
/// with AT_EMPTY_PATH want it); [`path`] refuses it.
///
/// # Safety
/// `p` is NULL or a readable NUL-terminated string (or at least PATH_MAX
/// + 1 readable bytes).
pub unsafe fn c_str<'a>(p: *const u8) -> Result<&'a [u8], i64> {
    if p.is_null() {
        return Err(EFAULT);
    }
    for len in 0..=PATH_MAX {
        // SAFETY: bytes up to the NUL are readable per the contract.
        if unsafe { p.add(len).read() } == 0 {
            // SAFETY: as above, for the `len` bytes before it.
            return Ok(unsafe { core::slice::from_raw_parts(p, len) });
        }
    }
    Err(ENAMETOOLONG)
}

/// A path argument: as [`c_str`], and ENOENT when empty.
///
/// # Safety
/// As [`c_str`].
pub unsafe fn path<'a>(p: *const u8) -> Result<&'a [u8], i64> {
    // SAFETY: passed on.
    let path = unsafe { c_str(p) }?;
    if path.is_empty() {
        return Err(ENOENT);
    }
    Ok(path)
}

/// Runs `f` on the namespace and path that serve `path` relative to
/// `dirfd`: the process's namespace for an absolute path, AT_FDCWD, or a
/// directory opened by path (its path joined in front); for a directory
/// passed without a path, a namespace holding that directory alone at
/// "/" (so nothing outside it is reachable, `..` included).
pub fn with<R>(
    s: &State,
    dirfd: i64,
    path: &[u8],
    f: impl FnOnce(&Namespace, &[u8]) -> Result<R, StorageError>,
) -> Result<R, i64> {
    let run = |ns: &Namespace, p: &[u8]| f(ns, p).map_err(|e| errno::of(&e));
    if dirfd == AT_FDCWD || path.starts_with(b"/") {
        return run(&s.ns, path);
    }
    let open = s.fds.get(dirfd).map_err(|_| EBADF)?;
    let Object::Directory(d) = &open.object else {
        return Err(super::abi::errno::ENOTDIR);
    };
    match &d.path {
        Some(base) => {
            let mut joined = base.clone();
            joined.push(b'/');
            joined.extend_from_slice(path);
            run(&s.ns, &joined)
        }
        None => {
            let mut alone = Namespace::new();
            let copy = d.dir.walk(&[]).map_err(|e| errno::of(&e))?;
            alone.mount(b"/", copy).map_err(|e| errno::of(&e))?;
            let mut rooted: Vec<u8> = Vec::with_capacity(path.len() + 1);
            rooted.push(b'/');
            rooted.extend_from_slice(path);
            run(&alone, &rooted)
        }
    }
}

/// The absolute path `path` names relative to `dirfd`, when the
/// process's namespace serves it (see [`with`]); `None` for a path below
/// a directory passed without one.
pub fn absolute(s: &State, dirfd: i64, path: &[u8]) -> Result<Option<Vec<u8>>, i64> {
    let joined = if dirfd == AT_FDCWD || path.starts_with(b"/") {
        path.to_vec()
    } else {
        let open = s.fds.get(dirfd).map_err(|_| EBADF)?;
        let Object::Directory(d) = &open.object else {
            return Err(super::abi::errno::ENOTDIR);
        };
        let Some(base) = &d.path else {
            return Ok(None);
        };
        let mut joined = base.clone();
        joined.push(b'/');
        joined.extend_from_slice(path);
        joined
    };
    let (names, _) = s.ns.resolve(&joined).map_err(|e| errno::of(&e))?;
    Ok(Some(join(&names)))
}

/// `/a/b` from its names; `/` from none.
pub fn join(names: &[Vec<u8>]) -> Vec<u8> {
    if names.is_empty() {
        return b"/".to_vec();
    }
    let mut out = Vec::new();
    for n in names {
        out.push(b'/');
        out.extend_from_slice(n);
    }
    out
}
