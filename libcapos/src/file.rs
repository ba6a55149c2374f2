//! Files: `capos_file_read` and `capos_file_write` at an offset (pread
//! and pwrite), `capos_file_read_next`, `capos_file_write_next` and
//! `capos_file_seek` at the open file description's own offset, which
//! every copy of the capability shares (a File handed to a child moves
//! one offset with the parent), `capos_file_size` and
//! `capos_file_truncate` (docs/interfaces/file.md). Closing is
//! `capos_release`.

use crate::error::{CAPOS_E_BAD_ARGUMENT, CAPOS_OK, status, storage};
use crate::ffi;
use crate::state;
use capos_rt::{File, FsError, MAX_FILE_CHUNK, StorageError, Whence};
use core::ffi::c_void;

/// `whence` of `capos_file_seek`: from the start of the file.
pub const CAPOS_SEEK_SET: u32 = 0;
/// From the description's offset.
pub const CAPOS_SEEK_CUR: u32 = 1;
/// From the end of the file.
pub const CAPOS_SEEK_END: u32 = 2;

fn whence(w: u32) -> Result<Whence, i32> {
    match w {
        CAPOS_SEEK_SET => Ok(Whence::Start),
        CAPOS_SEEK_CUR => Ok(Whence::Current),
        CAPOS_SEEK_END => Ok(Whence::End),
        _ => Err(CAPOS_E_BAD_ARGUMENT),
    }
}

/// Fills `buf` piece by piece with `read` (bytes into a piece, 0 at the
/// end) until it is full or the file ends; how many bytes, and the code
/// of a failure after some bytes came.
fn fill(
    buf: &mut [u8],
    mut read: impl FnMut(&mut [u8], usize) -> Result<usize, StorageError>,
) -> (usize, i32) {
    let mut done = 0;
    while done < buf.len() {
        let end = (done + MAX_FILE_CHUNK).min(buf.len());
        match read(&mut buf[done..end], done) {
            Ok(0) => break,
            Ok(n) => done += n,
            Err(e) => return (done, storage(&e)),
        }
    }
    (done, CAPOS_OK)
}

/// Writes `data` piece by piece with `write` (bytes taken of a piece)
/// until all is in; a short piece is the store running out of space
/// (`CAPOS_E_NO_SPACE` with the count so far).
fn drain(
    data: &[u8],
    mut write: impl FnMut(&[u8], usize) -> Result<usize, StorageError>,
) -> (usize, i32) {
    let mut done = 0;
    while done < data.len() {
        let piece = &data[done..(done + MAX_FILE_CHUNK).min(data.len())];
        match write(piece, done) {
            Ok(n) => {
                done += n;
                if n < piece.len() {
                    return (done, storage(&StorageError::Fs(FsError::NoSpace)));
                }
            }
            Err(e) => return (done, storage(&e)),
        }
    }
    (done, CAPOS_OK)
}

/// Runs `f` on the File `file` and stores the count it gives at `out`.
///
/// # Safety
/// `out` NULL or writable.
unsafe fn counted(
    out: *mut usize,
    file: u32,
    f: impl FnOnce(&File) -> Result<(usize, i32), i32>,
) -> i32 {
    let (n, rc) = state::with(|s| f(s.held.file(file)?)).unwrap_or_else(|rc| (0, rc));
    // SAFETY: NULL or writable per the caller's contract.
    unsafe { ffi::store(out, n) };
    rc
}

/// Reads up to `len` bytes of the File `file` from `offset` into `buf`
/// (less only at the end of the file) and stores how many at `out_len`
/// (may be NULL; on failure, the bytes read before it). The description's
/// offset does not move.
///
/// Returns 0, `CAPOS_E_BAD_ARGUMENT` (`buf` NULL with `len` above 0),
/// `CAPOS_E_NOT_HELD`, `CAPOS_E_WRONG_INTERFACE` (not a File) or a
/// transport code.
///
/// # Safety
/// `buf` must be valid for `len` writable bytes (NULL if 0); `out_len`
/// NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn capos_file_read(
    file: u32,
    offset: u64,
    buf: *mut c_void,
    len: usize,
    out_len: *mut usize,
) -> i32 {
    // SAFETY: valid for `len` writable bytes per the contract.
    let buf = match unsafe { ffi::bytes_mut(buf, len) } {
        Ok(buf) => buf,
        Err(rc) => return rc,
    };
    // SAFETY: NULL or writable per the contract.
    unsafe {
        counted(out_len, file, |f| {
            Ok(fill(buf, |piece, done| f.read(offset + done as u64, piece)))
        })
    }
}

/// Writes the `len` bytes at `data` to the File `file` at `offset` and
/// stores how many went in at `out_written` (may be NULL), on failure too.
/// The description's offset does not move.
///
/// Returns 0, `CAPOS_E_NO_SPACE` (the store is full; the count says what
/// went in), `CAPOS_E_READ_ONLY` (a read-only facet),
/// `CAPOS_E_FILE_TOO_LARGE`, `CAPOS_E_BAD_ARGUMENT`, `CAPOS_E_NOT_HELD`,
/// `CAPOS_E_WRONG_INTERFACE` or a transport code.
///
/// # Safety
/// `data` must be valid for `len` bytes (NULL if 0); `out_written` NULL
/// or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn capos_file_write(
    file: u32,
    offset: u64,
    data: *const c_void,
    len: usize,
    out_written: *mut usize,
) -> i32 {
    // SAFETY: valid for `len` bytes per the contract.
    let data = match unsafe { ffi::bytes(data, len) } {
        Ok(data) => data,
        Err(rc) => return rc,
    };
    // SAFETY: NULL or writable per the contract.
    unsafe {
        counted(out_written, file, |f| {
            Ok(drain(data, |piece, done| {
                f.write(offset + done as u64, piece).map(|(n, _)| n)
            }))
        })
    }
}

/// As `capos_file_read`, from the open file description's offset, which
/// moves past what was read (for every holder of the capability).
///
/// # Safety
/// As `capos_file_read`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn capos_file_read_next(
    file: u32,
    buf: *mut c_void,
    len: usize,
    out_len: *mut usize,
) -> i32 {
    // SAFETY: valid for `len` writable bytes per the contract.
    let buf = match unsafe { ffi::bytes_mut(buf, len) } {
        Ok(buf) => buf,
        Err(rc) => return rc,
    };
    // SAFETY: NULL or writable per the contract.
    unsafe {
        counted(out_len, file, |f| {
            Ok(fill(buf, |piece, _| f.read_next(piece)))
        })
    }
}

/// As `capos_file_write`, at the open file description's offset (or at
/// the end of the file, if it was opened with `CAPOS_OPEN_APPEND`), which
/// moves past what was written (for every holder of the capability).
///
/// # Safety
/// As `capos_file_write`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn capos_file_write_next(
    file: u32,
    data: *const c_void,
    len: usize,
    out_written: *mut usize,
) -> i32 {
    // SAFETY: valid for `len` bytes per the contract.
    let data = match unsafe { ffi::bytes(data, len) } {
        Ok(data) => data,
        Err(rc) => return rc,
    };
    // SAFETY: NULL or writable per the contract.
    unsafe {
        counted(out_written, file, |f| {
            Ok(drain(data, |piece, _| f.write_next(piece).map(|(n, _)| n)))
        })
    }
}

/// Moves the open file description's offset of the File `file` to
/// `offset` from `whence` (`CAPOS_SEEK_SET`, `CAPOS_SEEK_CUR`,
/// `CAPOS_SEEK_END`) and stores where it now is at `out_offset` (may be
/// NULL).
///
/// Returns 0, `CAPOS_E_BAD_ARGUMENT` (an unknown whence, or a result
/// below 0 or past 2^63 - 1: the offset stays), `CAPOS_E_NOT_HELD`,
/// `CAPOS_E_WRONG_INTERFACE` or a transport code.
///
/// # Safety
/// `out_offset` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn capos_file_seek(
    file: u32,
    offset: i64,
    whence: u32,
    out_offset: *mut u64,
) -> i32 {
    let run = || {
        let whence = self::whence(whence)?;
        state::with(|s| {
            s.held
                .file(file)?
                .seek(offset, whence)
                .map_err(|e| storage(&e))
        })
    };
    match run() {
        Ok(at) => {
            // SAFETY: NULL or writable per the contract.
            unsafe { ffi::store(out_offset, at) };
            CAPOS_OK
        }
        Err(rc) => rc,
    }
}

/// Stores the size in bytes of the File `file` at `out_size` (may be
/// NULL).
///
/// Returns 0, `CAPOS_E_NOT_HELD`, `CAPOS_E_WRONG_INTERFACE` or a
/// transport code.
///
/// # Safety
/// `out_size` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn capos_file_size(file: u32, out_size: *mut u64) -> i32 {
    match state::with(|s| s.held.file(file)?.size().map_err(|e| storage(&e))) {
        Ok(size) => {
            // SAFETY: NULL or writable per the contract.
            unsafe { ffi::store(out_size, size) };
            CAPOS_OK
        }
        Err(rc) => rc,
    }
}

/// Cuts the File `file` to `size` bytes, or extends it with zeros.
///
/// Returns 0, `CAPOS_E_READ_ONLY`, `CAPOS_E_NO_SPACE`,
/// `CAPOS_E_FILE_TOO_LARGE`, `CAPOS_E_NOT_HELD`, `CAPOS_E_WRONG_INTERFACE`
/// or a transport code.
#[unsafe(no_mangle)]
pub extern "C" fn capos_file_truncate(file: u32, size: u64) -> i32 {
    status(state::with(|s| {
        s.held.file(file)?.truncate(size).map_err(|e| storage(&e))
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::CAPOS_E_NO_SPACE;

    #[test]
    fn whence_values_are_linuxs_and_others_are_refused() {
        assert_eq!(whence(0), Ok(Whence::Start));
        assert_eq!(whence(1), Ok(Whence::Current));
        assert_eq!(whence(2), Ok(Whence::End));
        assert_eq!(whence(3), Err(CAPOS_E_BAD_ARGUMENT));
    }

    #[test]
    fn fill_reads_piece_by_piece_until_the_end() {
        let file: alloc::vec::Vec<u8> = (0..MAX_FILE_CHUNK as u32 + 100).map(|i| i as u8).collect();
        let mut buf = alloc::vec![0u8; MAX_FILE_CHUNK + 500];
        let (n, rc) = fill(&mut buf, |piece, at| {
            let rest = &file[at.min(file.len())..];
            let n = piece.len().min(rest.len());
            piece[..n].copy_from_slice(&rest[..n]);
            Ok(n)
        });
        assert_eq!((n, rc), (file.len(), CAPOS_OK));
        assert_eq!(&buf[..n], &file[..]);
    }

    #[test]
    fn a_short_write_is_no_space_with_its_count() {
        let data = alloc::vec![1u8; MAX_FILE_CHUNK * 2];
        let (n, rc) = drain(&data, |piece, done| {
            Ok(if done == 0 { piece.len() } else { 10 })
        });
        assert_eq!((n, rc), (MAX_FILE_CHUNK + 10, CAPOS_E_NO_SPACE));
        let (n, rc) = drain(&data, |_, _| Err(StorageError::Fs(FsError::ReadOnly)));
        assert_eq!((n, rc), (0, crate::error::CAPOS_E_READ_ONLY));
    }
}
