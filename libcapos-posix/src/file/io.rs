//! Reading, writing and seeking file descriptors.

use super::abi::errno::{EISDIR, ENXIO, ESPIPE};
use super::abi::seek::*;
use super::errno;
use super::object::FileObject;
use crate::linux::errno::{EBADF, EINVAL};
use crate::linux::fcntl::O_APPEND;
use crate::state::{Object, Open};
use capos_rt::{FsError, MAX_FILE_CHUNK, StorageError, Whence};

/// Reads into `out` from `offset` until it is full or the file ends.
fn read_at(f: &FileObject, mut offset: u64, out: &mut [u8]) -> Result<usize, i64> {
    let mut done = 0;
    while done < out.len() {
        let end = (done + MAX_FILE_CHUNK).min(out.len());
        let n = f
            .file
            .read(offset, &mut out[done..end])
            .map_err(|e| errno::of(&e))?;
        if n == 0 {
            break;
        }
        done += n;
        offset += n as u64;
    }
    Ok(done)
}

/// Writes `data` at `offset` (or the end, appending); returns how much
/// went in and the offset after it. A short write is the store running
/// out of space; ENOSPC only if nothing went in.
fn write_at(
    f: &FileObject,
    mut offset: u64,
    append: bool,
    data: &[u8],
) -> Result<(usize, u64), i64> {
    let mut done = 0;
    while done < data.len() {
        let chunk = &data[done..(done + MAX_FILE_CHUNK).min(data.len())];
        let result = if append {
            f.file.append(chunk)
        } else {
            f.file.write(offset, chunk)
        };
        match result {
            Ok((n, end)) => {
                done += n;
                offset = end;
                if n < chunk.len() {
                    break;
                }
            }
            Err(StorageError::Fs(FsError::NoSpace)) if done > 0 => break,
            Err(e) => return Err(errno::of(&e)),
        }
    }
    Ok((done, offset))
}

/// Reads into `out` at the description's offset (which moves on) until
/// it is full or a piece comes back short: the file ended (no second
/// call to learn it, as a read at EOF would be).
fn read_next(f: &FileObject, out: &mut [u8]) -> Result<usize, i64> {
    let mut done = 0;
    while done < out.len() {
        let end = (done + MAX_FILE_CHUNK).min(out.len());
        let n = f
            .file
            .read_next(&mut out[done..end])
            .map_err(|e| errno::of(&e))?;
        done += n;
        if done < end {
            break;
        }
    }
    Ok(done)
}

/// Writes `data` at the description's offset, or its end when it
/// appends; as [`write_at`], a short write is the store running out.
fn write_next(f: &FileObject, data: &[u8]) -> Result<usize, i64> {
    let mut done = 0;
    while done < data.len() {
        let chunk = &data[done..(done + MAX_FILE_CHUNK).min(data.len())];
        match f.file.write_next(chunk) {
            Ok((n, _)) => {
                done += n;
                if n < chunk.len() {
                    break;
                }
            }
            Err(StorageError::Fs(FsError::NoSpace)) if done > 0 => break,
            Err(e) => return Err(errno::of(&e)),
        }
    }
    Ok(done)
}

fn file(open: &Open) -> Result<&FileObject, i64> {
    match &open.object {
        Object::File(f) => Ok(f),
        Object::Directory(_) => Err(EISDIR),
        _ => Err(EBADF),
    }
}

/// `read` on a file: from its offset, which moves on.
pub fn read(open: &Open, out: &mut [u8]) -> Result<i64, i64> {
    let f = file(open)?;
    if !f.read {
        return Err(EBADF);
    }
    let n = match &f.local {
        None => read_next(f, out)?,
        Some(offset) => {
            let n = read_at(f, offset.get(), out)?;
            offset.set(offset.get() + n as u64);
            n
        }
    };
    Ok(n as i64)
}

/// `write` on a file: at its offset, or at the end with O_APPEND (the
/// offset then moves to the end, as Linux's).
pub fn write(open: &Open, data: &[u8]) -> Result<i64, i64> {
    let f = match &open.object {
        Object::File(f) => f,
        _ => return Err(EBADF),
    };
    if !f.write {
        return Err(EBADF);
    }
    let n = match &f.local {
        None => write_next(f, data)?,
        Some(offset) => {
            let append = open.status.get() & O_APPEND != 0;
            let (n, end) = write_at(f, offset.get(), append, data)?;
            offset.set(end);
            n
        }
    };
    Ok(n as i64)
}

/// F_GETFL's status flags of `open`. A file whose description the server
/// keeps answers O_APPEND from there: a child sharing it may have changed
/// it since.
pub fn status(open: &Open) -> i64 {
    let flags = open.status.get();
    match &open.object {
        Object::File(f @ FileObject { local: None, .. }) => match f.file.description() {
            Ok(d) if d.append => flags | O_APPEND,
            Ok(_) => flags & !O_APPEND,
            Err(_) => flags,
        },
        _ => flags,
    }
}

/// F_SETFL: the status flags of `open`; a file whose description the
/// server keeps learns whether it appends.
pub fn set_status(open: &Open, flags: i64) -> Result<(), i64> {
    if let Object::File(f @ FileObject { local: None, .. }) = &open.object {
        f.file
            .set_append(flags & O_APPEND != 0)
            .map_err(|e| errno::of(&e))?;
    }
    open.status.set(flags);
    Ok(())
}

/// `pread64`: at `offset`, leaving the file offset alone.
pub fn pread(open: &Open, out: &mut [u8], offset: i64) -> Result<i64, i64> {
    let f = match &open.object {
        Object::File(f) => f,
        Object::Directory(_) => return Err(EISDIR),
        _ => return Err(ESPIPE),
    };
    if !f.read {
        return Err(EBADF);
    }
    let offset = u64::try_from(offset).map_err(|_| EINVAL)?;
    read_at(f, offset, out).map(|n| n as i64)
}

/// `pwrite64`: at `offset`, leaving the file offset alone; with O_APPEND
/// at the end, as Linux does.
pub fn pwrite(open: &Open, data: &[u8], offset: i64) -> Result<i64, i64> {
    let f = match &open.object {
        Object::File(f) => f,
        Object::Directory(_) => return Err(EBADF),
        _ => return Err(ESPIPE),
    };
    if !f.write {
        return Err(EBADF);
    }
    let offset = u64::try_from(offset).map_err(|_| EINVAL)?;
    let append = open.status.get() & O_APPEND != 0;
    write_at(f, offset, append, data).map(|(n, _)| n as i64)
}

/// `lseek`: every whence on a file (SEEK_DATA and SEEK_HOLE see the file
/// as one run of data: holes are not reported); a directory's position is
/// a `getdents64` cookie; pipes and the console are ESPIPE.
pub fn lseek(open: &Open, offset: i64, whence: i64) -> Result<i64, i64> {
    match &open.object {
        Object::File(f) => {
            let size = || -> Result<i64, i64> {
                let size = f.file.size().map_err(|e| errno::of(&e))?;
                i64::try_from(size).map_err(|_| EINVAL)
            };
            let (offset, whence) = match whence {
                SEEK_SET => (offset, Whence::Start),
                SEEK_CUR => (offset, Whence::Current),
                SEEK_END => (offset, Whence::End),
                SEEK_DATA | SEEK_HOLE => {
                    let size = size()?;
                    if offset < 0 || offset >= size {
                        return Err(if offset < 0 { EINVAL } else { ENXIO });
                    }
                    (
                        if whence == SEEK_DATA { offset } else { size },
                        Whence::Start,
                    )
                }
                _ => return Err(EINVAL),
            };
            let Some(at) = &f.local else {
                let to = f.file.seek(offset, whence).map_err(|e| errno::of(&e))?;
                return i64::try_from(to).map_err(|_| EINVAL);
            };
            let base = match whence {
                Whence::Start => 0,
                Whence::Current => at.get() as i64,
                Whence::End => size()?,
            };
            let to = base
                .checked_add(offset)
                .filter(|&to| to >= 0)
                .ok_or(EINVAL)?;
            at.set(to as u64);
            Ok(to)
        }
        Object::Directory(d) => match (whence, offset) {
            (SEEK_SET, at) if at >= 0 => {
                d.pos.set(at as u64);
                Ok(at)
            }
            (SEEK_CUR, 0) => Ok(d.pos.get() as i64),
            _ => Err(EINVAL),
        },
        _ => Err(ESPIPE),
    }
}
