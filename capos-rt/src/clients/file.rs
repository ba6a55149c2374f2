//! File: an open file, served by the kernel's store or by a process
//! (docs/interfaces/file.md).

use super::Client;
use super::storage::{self, RESULT_BYTES, Stat, StorageError, check};
use crate::error::{DecodeError, Error};
use capos_lib::fs::READ_OVERHEAD;
use capos_schema::method::file as method;
use capos_schema::{file, interface_id};

/// Most bytes one [`File::read`] or [`File::write`] moves, keeping each
/// call well inside a ring message.
pub const MAX_FILE_CHUNK: usize = 32 * 1024;

/// A time stamp change for [`File::set_times`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeChange {
    Keep,
    /// The server's clock.
    Now,
    /// Nanoseconds since the Unix epoch.
    Ns(u64),
}

super::client!(File, interface_id::FILE);

impl File {
    /// Reads into `buf` (at most [`MAX_FILE_CHUNK`] bytes) from `offset`;
    /// returns how many bytes, 0 at or past the end.
    pub fn read(&self, offset: u64, buf: &mut [u8]) -> Result<usize, StorageError> {
        let max = buf.len().min(MAX_FILE_CHUNK);
        if max == 0 {
            return Ok(0);
        }
        let (reply, _) = storage::call::<file::read_params::Owned>(
            &self.cap,
            Self::INTERFACE_ID,
            method::READ,
            max.next_multiple_of(8) + READ_OVERHEAD,
            |mut p| {
                p.set_offset(offset);
                p.set_max(max as u32);
            },
        )?;
        reply.read::<file::read_results::Owned, _>(|r| {
            if let Err(e) = check(r.get_error()) {
                return Ok(Err(e));
            }
            let data = r.get_data()?;
            if data.len() > max {
                return Err(Error::Decode(DecodeError::Contract(
                    "a file read returned more than asked",
                )));
            }
            buf[..data.len()].copy_from_slice(data);
            Ok(Ok(data.len()))
        })?
    }

    fn write_at(
        &self,
        offset: u64,
        append: bool,
        data: &[u8],
    ) -> Result<(usize, u64), StorageError> {
        let data = &data[..data.len().min(MAX_FILE_CHUNK)];
        let (reply, _) = storage::call::<file::write_params::Owned>(
            &self.cap,
            Self::INTERFACE_ID,
            method::WRITE,
            RESULT_BYTES,
            |mut p| {
                p.set_offset(offset);
                p.set_data(data);
                p.set_append(append);
            },
        )?;
        reply.read::<file::write_results::Owned, _>(|r| {
            if let Err(e) = check(r.get_error()) {
                return Ok(Err(e));
            }
            let written = r.get_written() as usize;
            if written > data.len() {
                return Err(Error::Decode(DecodeError::Contract(
                    "a file write took more than it was given",
                )));
            }
            Ok(Ok((written, r.get_end())))
        })?
    }

    /// Writes `data` (at most [`MAX_FILE_CHUNK`] bytes) at `offset`;
    /// returns how much was written (short only when the store is full)
    /// and the offset after it.
    pub fn write(&self, offset: u64, data: &[u8]) -> Result<(usize, u64), StorageError> {
        self.write_at(offset, false, data)
    }

    /// Writes `data` at the end of the file as it is when the write runs.
    pub fn append(&self, data: &[u8]) -> Result<(usize, u64), StorageError> {
        self.write_at(0, true, data)
    }

    pub fn size(&self) -> Result<u64, StorageError> {
        let (reply, _) = storage::call::<file::size_params::Owned>(
            &self.cap,
            Self::INTERFACE_ID,
            method::SIZE,
            RESULT_BYTES,
            |_| {},
        )?;
        reply.read::<file::size_results::Owned, _>(|r| {
            Ok(check(r.get_error()).map(|()| r.get_size()))
        })?
    }

    pub fn stat(&self) -> Result<Stat, StorageError> {
        let (reply, _) = storage::call::<file::stat_params::Owned>(
            &self.cap,
            Self::INTERFACE_ID,
            method::STAT,
            RESULT_BYTES,
            |_| {},
        )?;
        reply.read::<file::stat_results::Owned, _>(|r| match check(r.get_error()) {
            Ok(()) => Ok(Ok(storage::stat(r.get_stat()?)?)),
            Err(e) => Ok(Err(e)),
        })?
    }

    /// The name of the boot manifest's binary this file holds unchanged
    /// (what ProcessSpawner starts it by); `None` for any other file. A
    /// server that does not implement the method serves no binaries.
    pub fn binary(&self) -> Result<Option<alloc::string::String>, StorageError> {
        let (reply, _) = storage::call::<file::binary_params::Owned>(
            &self.cap,
            Self::INTERFACE_ID,
            method::BINARY,
            RESULT_BYTES,
            |_| {},
        )?;
        reply.read::<file::binary_results::Owned, _>(|r| match check(r.get_error()) {
            Ok(()) => {
                let name = r.get_name()?.to_str().map_err(|_| {
                    Error::Decode(DecodeError::Contract("a binary name that is not UTF-8"))
                })?;
                Ok(Ok((!name.is_empty()).then(|| name.into())))
            }
            Err(e) => Ok(Err(e)),
        })?
    }

    /// A method whose only result is `error`.
    fn simple<P: capnp::traits::Owned>(
        &self,
        method_id: u16,
        fill: impl FnOnce(P::Builder<'_>),
    ) -> Result<(), StorageError> {
        let (reply, _) =
            storage::call::<P>(&self.cap, Self::INTERFACE_ID, method_id, RESULT_BYTES, fill)?;
        reply.read::<file::truncate_results::Owned, _>(|r| Ok(check(r.get_error())))?
    }

    pub fn truncate(&self, size: u64) -> Result<(), StorageError> {
        self.simple::<file::truncate_params::Owned>(method::TRUNCATE, |mut p| p.set_size(size))
    }

    pub fn sync(&self) -> Result<(), StorageError> {
        self.simple::<file::sync_params::Owned>(method::SYNC, |_| {})
    }

    pub fn set_mode(&self, mode: u32) -> Result<(), StorageError> {
        self.simple::<file::set_mode_params::Owned>(method::SET_MODE, |mut p| p.set_mode(mode))
    }

    pub fn set_times(
        &self,
        accessed: TimeChange,
        modified: TimeChange,
    ) -> Result<(), StorageError> {
        self.simple::<file::set_times_params::Owned>(method::SET_TIMES, |mut p| {
            set_time(p.reborrow().init_accessed(), accessed);
            set_time(p.init_modified(), modified);
        })
    }

    /// A read-only facet of this file.
    pub fn read_only(&self) -> Result<File, StorageError> {
        let (reply, caps) = storage::call::<file::read_only_params::Owned>(
            &self.cap,
            Self::INTERFACE_ID,
            method::READ_ONLY,
            RESULT_BYTES,
            |_| {},
        )?;
        reply.read::<file::read_only_results::Owned, _>(|r| Ok(check(r.get_error())))??;
        Ok(storage::one(caps, "File.readOnly did not return one File")?)
    }
}

/// Where [`File::seek`] counts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Whence {
    Start,
    Current,
    End,
}

/// What [`File::description`] reports of an open file description.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Description {
    pub offset: u64,
    pub append: bool,
    pub read_only: bool,
}

/// The cursor methods: the open file description this capability is
/// (docs/interfaces/file.md), shared by its copies.
impl File {
    /// Reads into `buf` (at most [`MAX_FILE_CHUNK`] bytes) from the
    /// description's offset, which moves past them; 0 at the end.
    pub fn read_next(&self, buf: &mut [u8]) -> Result<usize, StorageError> {
        let max = buf.len().min(MAX_FILE_CHUNK);
        if max == 0 {
            return Ok(0);
        }
        let (reply, _) = storage::call::<file::read_next_params::Owned>(
            &self.cap,
            Self::INTERFACE_ID,
            method::READ_NEXT,
            max.next_multiple_of(8) + READ_OVERHEAD,
            |mut p| p.set_max(max as u32),
        )?;
        reply.read::<file::read_next_results::Owned, _>(|r| {
            if let Err(e) = check(r.get_error()) {
                return Ok(Err(e));
            }
            let data = r.get_data()?;
            if data.len() > max {
                return Err(Error::Decode(DecodeError::Contract(
                    "a file read returned more than asked",
                )));
            }
            buf[..data.len()].copy_from_slice(data);
            Ok(Ok(data.len()))
        })?
    }

    /// Writes `data` (at most [`MAX_FILE_CHUNK`] bytes) at the
    /// description's offset, or at the end when it appends; returns how
    /// much was written (short only when the store is full) and the
    /// offset after it, where the description's offset now is.
    pub fn write_next(&self, data: &[u8]) -> Result<(usize, u64), StorageError> {
        let data = &data[..data.len().min(MAX_FILE_CHUNK)];
        let (reply, _) = storage::call::<file::write_next_params::Owned>(
            &self.cap,
            Self::INTERFACE_ID,
            method::WRITE_NEXT,
            RESULT_BYTES,
            |mut p| p.set_data(data),
        )?;
        reply.read::<file::write_next_results::Owned, _>(|r| {
            if let Err(e) = check(r.get_error()) {
                return Ok(Err(e));
            }
            let written = r.get_written() as usize;
            if written > data.len() {
                return Err(Error::Decode(DecodeError::Contract(
                    "a file write took more than it was given",
                )));
            }
            Ok(Ok((written, r.get_end())))
        })?
    }

    /// Moves the description's offset; returns where it now is.
    pub fn seek(&self, offset: i64, whence: Whence) -> Result<u64, StorageError> {
        let (reply, _) = storage::call::<file::seek_params::Owned>(
            &self.cap,
            Self::INTERFACE_ID,
            method::SEEK,
            RESULT_BYTES,
            |mut p| {
                p.set_offset(offset);
                p.set_whence(match whence {
                    Whence::Start => capos_schema::Whence::Start,
                    Whence::Current => capos_schema::Whence::Current,
                    Whence::End => capos_schema::Whence::End,
                });
            },
        )?;
        reply.read::<file::seek_results::Owned, _>(|r| {
            Ok(check(r.get_error()).map(|()| r.get_offset()))
        })?
    }

    /// Whether the description's writes append (O_APPEND).
    pub fn set_append(&self, append: bool) -> Result<(), StorageError> {
        self.simple::<file::set_append_params::Owned>(method::SET_APPEND, |mut p| {
            p.set_append(append)
        })
    }

    pub fn description(&self) -> Result<Description, StorageError> {
        let (reply, _) = storage::call::<file::description_params::Owned>(
            &self.cap,
            Self::INTERFACE_ID,
            method::DESCRIPTION,
            RESULT_BYTES,
            |_| {},
        )?;
        reply.read::<file::description_results::Owned, _>(|r| {
            Ok(check(r.get_error()).map(|()| Description {
                offset: r.get_offset(),
                append: r.get_append(),
                read_only: r.get_read_only(),
            }))
        })?
    }
}

fn set_time(mut t: capos_schema::time_change::Builder<'_>, change: TimeChange) {
    match change {
        TimeChange::Keep => t.set_keep(()),
        TimeChange::Now => t.set_now(()),
        TimeChange::Ns(ns) => t.set_ns(ns),
    }
}
