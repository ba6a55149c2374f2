//! Directory: a directory and the subtree below it, served by the
//! kernel's store or by a process (docs/interfaces/directory.md). Every
//! method takes single names; paths are [`crate::Namespace`]'s.

use super::storage::{self, RESULT_BYTES, Stat, StorageError, check};
use super::{Client, File};
use crate::error::{DecodeError, Error};
use alloc::vec::Vec;
use capnp::text;
use capos_lib::fs::{Kind, NAME_MAX};
use capos_schema::method::directory as method;
use capos_schema::{directory, interface_id};

super::client!(Directory, interface_id::DIRECTORY);

/// How [`Directory::open`] opens.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OpenOptions {
    /// Make an empty file if the name is missing.
    pub create: bool,
    /// With `create`: fail with `exists` if the name is there.
    pub exclusive: bool,
    /// Empty the file.
    pub truncate: bool,
    /// Ask for a read-only facet.
    pub read_only: bool,
    /// A File's description appends (O_APPEND).
    pub append: bool,
}

/// What an open gave.
pub enum Node {
    File(File),
    Directory(Directory),
}

pub struct Opened {
    pub node: Node,
    /// The capability is a read-only facet (asked for, or all the
    /// directory could give).
    pub read_only: bool,
    pub created: bool,
    /// The server keeps the File's offset (its cursor methods work): a
    /// copy of the capability shares it.
    pub cursor: bool,
}

/// One directory entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub name: Vec<u8>,
    pub kind: Kind,
    pub node: u64,
    /// Where a listing continues after this entry.
    pub cursor: u64,
}

/// Entries one [`Directory::list`] call asks for: as many as fit its
/// result buffer with names of the longest length, whoever serves it.
pub const LIST_BATCH: u32 = 112;
/// The result buffer of a listing.
const LIST_BYTES: usize = 64 + LIST_BATCH as usize * (32 + (NAME_MAX + 1).next_multiple_of(8));

fn set_names(mut list: capnp::text_list::Builder<'_>, names: &[&[u8]]) {
    for (i, name) in names.iter().enumerate() {
        list.set(i as u32, text::Reader::from(*name));
    }
}

impl Directory {
    /// Opens entry `name` (see the interface page for the options).
    pub fn open(&self, name: &[u8], how: OpenOptions) -> Result<Opened, StorageError> {
        let (reply, caps) = storage::call::<directory::open_params::Owned>(
            &self.cap,
            Self::INTERFACE_ID,
            method::OPEN,
            RESULT_BYTES,
            |mut p| {
                p.set_name(text::Reader::from(name));
                p.set_create(how.create);
                p.set_exclusive(how.exclusive);
                p.set_truncate(how.truncate);
                p.set_read_only(how.read_only);
                p.set_append(how.append);
            },
        )?;
        let (kind, read_only, created, cursor) =
            reply.read::<directory::open_results::Owned, _>(|r| match check(r.get_error()) {
                Ok(()) => Ok(Ok((
                    storage::kind(r.get_kind())?,
                    r.get_read_only(),
                    r.get_created(),
                    r.get_cursor(),
                ))),
                Err(e) => Ok(Err(e)),
            })??;
        let node = match kind {
            Kind::File => Node::File(storage::one(
                caps,
                "Directory.open did not return one File",
            )?),
            Kind::Directory => Node::Directory(storage::one(
                caps,
                "Directory.open did not return one Directory",
            )?),
        };
        Ok(Opened {
            node,
            read_only,
            created,
            cursor,
        })
    }

    /// Opens a file; a directory of that name is `isDirectory`.
    pub fn open_file(&self, name: &[u8], how: OpenOptions) -> Result<File, StorageError> {
        match self.open(name, how)?.node {
            Node::File(f) => Ok(f),
            Node::Directory(_) => Err(StorageError::Fs(capos_lib::fs::FsError::IsDirectory)),
        }
    }

    /// A method whose only result is `error`.
    fn simple<P: capnp::traits::Owned>(
        &self,
        method_id: u16,
        fill: impl FnOnce(P::Builder<'_>),
    ) -> Result<(), StorageError> {
        let (reply, _) =
            storage::call::<P>(&self.cap, Self::INTERFACE_ID, method_id, RESULT_BYTES, fill)?;
        reply.read::<directory::mkdir_results::Owned, _>(|r| Ok(check(r.get_error())))?
    }

    /// Makes directory `name`, mode 0755.
    pub fn mkdir(&self, name: &[u8]) -> Result<(), StorageError> {
        self.mkdir_mode(name, 0o755)
    }

    /// Makes directory `name` with permission bits `mode` (at most 0o7777).
    pub fn mkdir_mode(&self, name: &[u8], mode: u32) -> Result<(), StorageError> {
        self.simple::<directory::mkdir_params::Owned>(method::MKDIR, |mut p| {
            p.set_name(text::Reader::from(name));
            p.set_mode(mode);
        })
    }

    pub fn unlink(&self, name: &[u8]) -> Result<(), StorageError> {
        self.simple::<directory::unlink_params::Owned>(method::UNLINK, |mut p| {
            p.set_name(text::Reader::from(name))
        })
    }

    pub fn rmdir(&self, name: &[u8]) -> Result<(), StorageError> {
        self.simple::<directory::rmdir_params::Owned>(method::RMDIR, |mut p| {
            p.set_name(text::Reader::from(name))
        })
    }

    /// Moves the entry at `from` to `to`, each a list of names below this
    /// directory.
    pub fn rename(&self, from: &[&[u8]], to: &[&[u8]]) -> Result<(), StorageError> {
        self.simple::<directory::rename_params::Owned>(method::RENAME, |mut p| {
            set_names(p.reborrow().init_from(from.len() as u32), from);
            set_names(p.init_to(to.len() as u32), to);
        })
    }

    /// Up to `max` entries after `cursor` (0 to start); and whether none
    /// is left after them.
    pub fn list(&self, cursor: u64, max: u32) -> Result<(Vec<Entry>, bool), StorageError> {
        let max = max.min(LIST_BATCH);
        let (reply, _) = storage::call::<directory::list_params::Owned>(
            &self.cap,
            Self::INTERFACE_ID,
            method::LIST,
            LIST_BYTES,
            |mut p| {
                p.set_cursor(cursor);
                p.set_max(max);
            },
        )?;
        reply.read::<directory::list_results::Owned, _>(|r| {
            if let Err(e) = check(r.get_error()) {
                return Ok(Err(e));
            }
            let list = r.get_entries()?;
            if list.len() > max {
                return Err(Error::Decode(DecodeError::Contract(
                    "a listing returned more entries than asked",
                )));
            }
            let mut entries = Vec::with_capacity(list.len() as usize);
            for e in list.iter() {
                entries.push(Entry {
                    name: e.get_name()?.as_bytes().to_vec(),
                    kind: storage::kind(e.get_kind())?,
                    node: e.get_node(),
                    cursor: e.get_cursor(),
                });
            }
            Ok(Ok((entries, r.get_end())))
        })?
    }

    /// Every entry, in creation order.
    pub fn entries(&self) -> Result<Vec<Entry>, StorageError> {
        let mut all = Vec::new();
        let mut cursor = 0;
        loop {
            let (batch, end) = self.list(cursor, LIST_BATCH)?;
            if let Some(last) = batch.last() {
                cursor = last.cursor;
            } else if !end {
                return Err(StorageError::Call(Error::Decode(DecodeError::Contract(
                    "a listing returned nothing but said more is left",
                ))));
            }
            all.extend(batch);
            if end {
                return Ok(all);
            }
        }
    }

    fn stat_call<P: capnp::traits::Owned>(
        &self,
        method_id: u16,
        fill: impl FnOnce(P::Builder<'_>),
    ) -> Result<Stat, StorageError> {
        let (reply, _) =
            storage::call::<P>(&self.cap, Self::INTERFACE_ID, method_id, RESULT_BYTES, fill)?;
        reply.read::<directory::stat_results::Owned, _>(|r| match check(r.get_error()) {
            Ok(()) => Ok(Ok(storage::stat(r.get_stat()?)?)),
            Err(e) => Ok(Err(e)),
        })?
    }

    /// This directory's metadata.
    pub fn stat(&self) -> Result<Stat, StorageError> {
        self.stat_call::<directory::stat_params::Owned>(method::STAT, |_| {})
    }

    /// Entry `name`'s metadata, without opening it.
    pub fn stat_at(&self, name: &[u8]) -> Result<Stat, StorageError> {
        self.stat_call::<directory::stat_at_params::Owned>(method::STAT_AT, |mut p| {
            p.set_name(text::Reader::from(name))
        })
    }

    /// The directory reached through `names` (each a directory).
    pub fn walk(&self, names: &[&[u8]]) -> Result<Directory, StorageError> {
        let (reply, caps) = storage::call::<directory::walk_params::Owned>(
            &self.cap,
            Self::INTERFACE_ID,
            method::WALK,
            RESULT_BYTES,
            |p| set_names(p.init_names(names.len() as u32), names),
        )?;
        reply.read::<directory::walk_results::Owned, _>(|r| Ok(check(r.get_error())))??;
        Ok(storage::one(
            caps,
            "Directory.walk did not return one Directory",
        )?)
    }

    /// A read-only facet of this directory.
    pub fn read_only(&self) -> Result<Directory, StorageError> {
        let (reply, caps) = storage::call::<directory::read_only_params::Owned>(
            &self.cap,
            Self::INTERFACE_ID,
            method::READ_ONLY,
            RESULT_BYTES,
            |_| {},
        )?;
        reply.read::<directory::read_only_results::Owned, _>(|r| Ok(check(r.get_error())))??;
        Ok(storage::one(
            caps,
            "Directory.readOnly did not return one Directory",
        )?)
    }
}
