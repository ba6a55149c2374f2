//! `getdents64`: a directory descriptor's entries as linux_dirent64
//! records, which musl's readdir walks.
//!
//! The position is a cookie, not an index: 0 before ".", 1 before "..",
//! then 2 plus the listing cursor of the last entry returned
//! (Directory.list's cursors never shift when entries go), so unlinking
//! entries between calls skips none of the others, as POSIX asks.
//! ".." has the directory's own node number: a directory capability
//! knows nothing above it.

use super::dirent::{self, DT_DIR, DT_REG};
use super::errno;
use crate::linux::errno::{EFAULT, EINVAL};
use crate::state::{Object, State};
use capos_rt::{LIST_BATCH, NodeKind};
use core::slice;

/// `getdents64(fd, buf, count)`: the bytes written, 0 at the end.
///
/// # Safety
/// `buf` is NULL or writable for `count` bytes.
pub unsafe fn getdents64(s: &mut State, fd: i64, buf: *mut u8, count: i64) -> Result<i64, i64> {
    let open = s.fds.get(fd)?.clone();
    let Object::Directory(d) = &open.object else {
        return Err(super::abi::errno::ENOTDIR);
    };
    if count < 0 {
        return Err(EINVAL);
    }
    if buf.is_null() {
        return Err(EFAULT);
    }
    // SAFETY: writable for `count` bytes per the contract.
    let out = unsafe { slice::from_raw_parts_mut(buf, count as usize) };
    let mut used = 0;
    // "." and "..".
    while d.pos.get() < 2 {
        let node = d.dir.stat().map_err(|e| errno::of(&e))?.node;
        let name: &[u8] = if d.pos.get() == 0 { b"." } else { b".." };
        match dirent::put(&mut out[used..], node, d.pos.get() + 1, DT_DIR, name) {
            Some(n) => used += n,
            None if used == 0 => return Err(EINVAL),
            None => return Ok(used as i64),
        }
        d.pos.set(d.pos.get() + 1);
    }
    loop {
        // As many as could fit, were every name one byte.
        let room = (out.len() - used) / dirent::record_len(1);
        if room == 0 {
            break;
        }
        let (entries, end) = d
            .dir
            .list(d.pos.get() - 2, (room as u32).min(LIST_BATCH))
            .map_err(|e| errno::of(&e))?;
        for e in &entries {
            let kind = match e.kind {
                NodeKind::File => DT_REG,
                NodeKind::Directory => DT_DIR,
            };
            match dirent::put(&mut out[used..], e.node, e.cursor + 2, kind, &e.name) {
                Some(n) => used += n,
                None if used == 0 => return Err(EINVAL),
                None => return Ok(used as i64),
            }
            d.pos.set(e.cursor + 2);
        }
        if end || entries.is_empty() {
            break;
        }
    }
    Ok(used as i64)
}
