//! Directories: `capos_dir_open` opens or creates an entry of a
//! Directory (a File or a Directory comes back, held here),
//! `capos_dir_mkdir`, `capos_dir_unlink` and `capos_dir_rmdir` change it,
//! `capos_dir_list` reads its entries (docs/interfaces/directory.md).
//! Every name is a single name, never a path: a Directory is the
//! authority over its subtree and nothing above it.
//!
//! Each answer of the file system is a code of its own
//! (`CAPOS_E_NO_ENTRY`, `CAPOS_E_EXISTS`, ... in the `error` module).

use crate::error::{CAPOS_E_BAD_ARGUMENT, CAPOS_E_MESSAGE_TOO_LARGE, CAPOS_OK, status, storage};
use crate::ffi;
use crate::held::Held;
use crate::state::{self, State};
use capos_rt::{Entry, Node, NodeKind, OpenOptions};
use core::ffi::c_char;

/// `flags` of `capos_dir_open`: make an empty file if the name is missing.
pub const CAPOS_OPEN_CREATE: u32 = 1;
/// With `CAPOS_OPEN_CREATE`: fail with `CAPOS_E_EXISTS` if the name is there.
pub const CAPOS_OPEN_EXCLUSIVE: u32 = 2;
/// Empty the file.
pub const CAPOS_OPEN_TRUNCATE: u32 = 4;
/// Ask for a read-only facet.
pub const CAPOS_OPEN_READ_ONLY: u32 = 8;
/// The File's writes at its own offset (`capos_file_write_next`) append.
pub const CAPOS_OPEN_APPEND: u32 = 16;

/// A File (what `capos_dir_open` and `capos_dir_list` report).
pub const CAPOS_NODE_FILE: u32 = 0;
/// A Directory.
pub const CAPOS_NODE_DIRECTORY: u32 = 1;

/// Room for the longest name (255 bytes) and its NUL.
pub const CAPOS_NAME_BYTES: usize = 256;

const _: () = assert!(CAPOS_NAME_BYTES == capos_lib::fs::NAME_MAX + 1);

/// One entry of a directory, as `capos_dir_list` stores it.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct capos_dir_entry {
    /// The name, NUL-terminated.
    pub name: [c_char; CAPOS_NAME_BYTES],
    /// `CAPOS_NODE_FILE` or `CAPOS_NODE_DIRECTORY`.
    pub kind: u32,
    /// The node's number (st_ino).
    pub node: u64,
    /// Where a listing continues after this entry.
    pub cursor: u64,
}

const FLAGS: u32 = CAPOS_OPEN_CREATE
    | CAPOS_OPEN_EXCLUSIVE
    | CAPOS_OPEN_TRUNCATE
    | CAPOS_OPEN_READ_ONLY
    | CAPOS_OPEN_APPEND;

fn options(flags: u32) -> Result<OpenOptions, i32> {
    if flags & !FLAGS != 0 {
        return Err(CAPOS_E_BAD_ARGUMENT);
    }
    Ok(OpenOptions {
        create: flags & CAPOS_OPEN_CREATE != 0,
        exclusive: flags & CAPOS_OPEN_EXCLUSIVE != 0,
        truncate: flags & CAPOS_OPEN_TRUNCATE != 0,
        read_only: flags & CAPOS_OPEN_READ_ONLY != 0,
        append: flags & CAPOS_OPEN_APPEND != 0,
    })
}

fn kind(kind: NodeKind) -> u32 {
    match kind {
        NodeKind::File => CAPOS_NODE_FILE,
        NodeKind::Directory => CAPOS_NODE_DIRECTORY,
    }
}

impl From<&Entry> for capos_dir_entry {
    fn from(e: &Entry) -> Self {
        let mut name = [0 as c_char; CAPOS_NAME_BYTES];
        // A server's longer name is cut: the entry stays NUL-terminated.
        for (to, &from) in name
            .iter_mut()
            .zip(e.name.iter().take(CAPOS_NAME_BYTES - 1))
        {
            *to = from as c_char;
        }
        capos_dir_entry {
            name,
            kind: kind(e.kind),
            node: e.node,
            cursor: e.cursor,
        }
    }
}

impl State {
    /// Opens `name` of `dir`; returns the held id and its kind.
    pub fn dir_open(&mut self, dir: u32, name: &[u8], flags: u32) -> Result<(u32, u32), i32> {
        let how = options(flags)?;
        let opened = self
            .held
            .directory(dir)?
            .open(name, how)
            .map_err(|e| storage(&e))?;
        Ok(match opened.node {
            Node::File(f) => (self.held.insert(Held::File(f)), CAPOS_NODE_FILE),
            Node::Directory(d) => (self.held.insert(Held::Directory(d)), CAPOS_NODE_DIRECTORY),
        })
    }

    /// Up to `out.len()` entries after `cursor`; how many, and whether
    /// none are left.
    pub fn dir_list(
        &self,
        dir: u32,
        cursor: u64,
        out: &mut [capos_dir_entry],
    ) -> Result<(usize, bool), i32> {
        let max = u32::try_from(out.len()).unwrap_or(u32::MAX);
        let (entries, end) = self
            .held
            .directory(dir)?
            .list(cursor, max)
            .map_err(|e| storage(&e))?;
        let n = entries.len().min(out.len());
        for (to, from) in out.iter_mut().zip(&entries) {
            *to = from.into();
        }
        // A server that gave more than asked: the rest is listed again.
        Ok((n, end && n == entries.len()))
    }
}

/// The bytes of the NUL-terminated name at `name`.
///
/// # Safety
/// `name` must be NULL or a NUL-terminated string.
unsafe fn name_bytes<'a>(name: *const c_char) -> Result<&'a [u8], i32> {
    // SAFETY: forwarded contract.
    unsafe { ffi::c_bytes(name, ffi::MAX_BYTES) }?.ok_or(CAPOS_E_MESSAGE_TOO_LARGE)
}

/// Opens entry `name` of the Directory `dir` with `flags` (the
/// `CAPOS_OPEN_*` bits) and stores the id of what came back, held by
/// libcapos, at `out_node` and its kind (`CAPOS_NODE_FILE` or
/// `CAPOS_NODE_DIRECTORY`) at `out_kind` (either may be NULL; a NULL
/// `out_node` releases the capability at once). A File comes as a new
/// open file description at offset 0 (`capos_file_read_next`).
///
/// Returns 0, a file system code (`CAPOS_E_NO_ENTRY`, `CAPOS_E_EXISTS`,
/// `CAPOS_E_READ_ONLY`, `CAPOS_E_NO_SPACE`, `CAPOS_E_NAME_TOO_LONG`,
/// `CAPOS_E_INVALID_NAME`, `CAPOS_E_IS_DIRECTORY` for truncating a
/// directory), `CAPOS_E_BAD_ARGUMENT` (NULL name, unknown flag,
/// `CAPOS_OPEN_EXCLUSIVE` without `CAPOS_OPEN_CREATE`), `CAPOS_E_NOT_HELD`,
/// `CAPOS_E_WRONG_INTERFACE` (not a Directory), `CAPOS_E_APPLICATION` (a
/// quota) or a transport code.
///
/// # Safety
/// `name` must be NULL or a NUL-terminated string; `out_node` and
/// `out_kind` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn capos_dir_open(
    dir: u32,
    name: *const c_char,
    flags: u32,
    out_node: *mut u32,
    out_kind: *mut u32,
) -> i32 {
    let run = || {
        // SAFETY: NULL or a NUL-terminated string per the contract.
        let name = unsafe { name_bytes(name) }?;
        state::with(|s| s.dir_open(dir, name, flags))
    };
    match run() {
        Ok((id, node_kind)) => {
            if out_node.is_null() {
                let _ = state::with(|s| s.release(id));
            }
            // SAFETY: NULL or writable per the contract.
            unsafe {
                ffi::store(out_node, id);
                ffi::store(out_kind, node_kind);
            }
            CAPOS_OK
        }
        Err(rc) => rc,
    }
}

/// Makes the empty directory `name` in the Directory `dir`, recording the
/// permission bits `mode`.
///
/// Returns 0, `CAPOS_E_EXISTS`, `CAPOS_E_READ_ONLY`, `CAPOS_E_NO_SPACE`,
/// `CAPOS_E_NAME_TOO_LONG`, `CAPOS_E_INVALID_NAME`,
/// `CAPOS_E_BAD_ARGUMENT` (NULL name), `CAPOS_E_NOT_HELD`,
/// `CAPOS_E_WRONG_INTERFACE` or a transport code.
///
/// # Safety
/// `name` must be NULL or a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn capos_dir_mkdir(dir: u32, name: *const c_char, mode: u32) -> i32 {
    status(state::with(|s| {
        // SAFETY: per the contract.
        let name = unsafe { name_bytes(name) }?;
        let dir = s.held.directory(dir)?;
        dir.mkdir_mode(name, mode).map_err(|e| storage(&e))
    }))
}

/// Removes the file `name` of the Directory `dir`; its data lives until
/// its last File capability goes.
///
/// Returns 0, `CAPOS_E_NO_ENTRY`, `CAPOS_E_IS_DIRECTORY`,
/// `CAPOS_E_READ_ONLY`, `CAPOS_E_INVALID_NAME`, `CAPOS_E_BAD_ARGUMENT`,
/// `CAPOS_E_NOT_HELD`, `CAPOS_E_WRONG_INTERFACE` or a transport code.
///
/// # Safety
/// `name` must be NULL or a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn capos_dir_unlink(dir: u32, name: *const c_char) -> i32 {
    status(state::with(|s| {
        // SAFETY: per the contract.
        let name = unsafe { name_bytes(name) }?;
        let dir = s.held.directory(dir)?;
        dir.unlink(name).map_err(|e| storage(&e))
    }))
}

/// Removes the empty directory `name` of the Directory `dir`.
///
/// Returns 0, `CAPOS_E_NO_ENTRY`, `CAPOS_E_NOT_DIRECTORY`,
/// `CAPOS_E_NOT_EMPTY`, `CAPOS_E_READ_ONLY`, `CAPOS_E_INVALID_NAME`,
/// `CAPOS_E_BAD_ARGUMENT`, `CAPOS_E_NOT_HELD`, `CAPOS_E_WRONG_INTERFACE`
/// or a transport code.
///
/// # Safety
/// `name` must be NULL or a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn capos_dir_rmdir(dir: u32, name: *const c_char) -> i32 {
    status(state::with(|s| {
        // SAFETY: per the contract.
        let name = unsafe { name_bytes(name) }?;
        let dir = s.held.directory(dir)?;
        dir.rmdir(name).map_err(|e| storage(&e))
    }))
}

/// Stores up to `max` entries of the Directory `dir` created after
/// `cursor` (0: from the start), oldest first, at `out`; how many at
/// `out_count` and, at `out_end`, 1 if none are left after them, else 0
/// (either may be NULL). Continue with the last entry's `cursor`.
///
/// Returns 0, `CAPOS_E_BAD_ARGUMENT` (`out` NULL with `max` above 0),
/// `CAPOS_E_NOT_HELD`, `CAPOS_E_WRONG_INTERFACE` or a transport code.
///
/// # Safety
/// `out` must be valid for `max` writable entries (NULL if 0);
/// `out_count` and `out_end` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn capos_dir_list(
    dir: u32,
    cursor: u64,
    out: *mut capos_dir_entry,
    max: usize,
    out_count: *mut usize,
    out_end: *mut u32,
) -> i32 {
    let run = || {
        let entries: &mut [capos_dir_entry] = match max {
            0 => &mut [],
            _ if out.is_null() || max > isize::MAX as usize / size_of::<capos_dir_entry>() => {
                return Err(CAPOS_E_BAD_ARGUMENT);
            }
            // SAFETY: non-NULL and valid for `max` entries per the contract.
            _ => unsafe { core::slice::from_raw_parts_mut(out, max) },
        };
        state::with(|s| s.dir_list(dir, cursor, entries))
    };
    let ((n, end), rc) = match run() {
        Ok(got) => (got, CAPOS_OK),
        Err(rc) => ((0, false), rc),
    };
    // SAFETY: NULL or writable per the contract.
    unsafe {
        ffi::store(out_count, n);
        ffi::store(out_end, u32::from(end));
    }
    rc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_become_options_and_unknown_bits_are_refused() {
        let all = options(FLAGS).unwrap();
        assert!(all.create && all.exclusive && all.truncate && all.read_only && all.append);
        assert_eq!(options(0).unwrap(), OpenOptions::default());
        assert_eq!(options(32), Err(CAPOS_E_BAD_ARGUMENT));
    }

    #[test]
    fn an_entry_keeps_its_name_terminated() {
        let long = Entry {
            name: alloc::vec![b'x'; 300],
            kind: NodeKind::Directory,
            node: 7,
            cursor: 3,
        };
        let e = capos_dir_entry::from(&long);
        assert_eq!(e.name[CAPOS_NAME_BYTES - 1], 0);
        assert_eq!(e.name[CAPOS_NAME_BYTES - 2], b'x' as c_char);
        assert_eq!((e.kind, e.node, e.cursor), (CAPOS_NODE_DIRECTORY, 7, 3));
    }
}
