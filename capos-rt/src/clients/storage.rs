//! What the Directory and File clients share: the call whose reply may
//! bring a capability, the storage error, and stat.
//!
//! Both interfaces can be served by the kernel or by a process through an
//! Endpoint, and a capability comes back the same way from either: as
//! the reply's capability record, never as an id in the results. So every
//! call here reads the records, as [`crate::EndpointClient`] does.

use crate::any_cap::AnyCap;
use crate::cap::Cap;
use crate::client::CallRequest;
use crate::error::{DecodeError, Error};
use crate::message;
use crate::reply::Reply;
use crate::wire;
use alloc::vec::Vec;
use capnp::traits::Owned;
use capos_abi::ipc::reply_size;
use capos_lib::fs::{Device, FsError, Kind};
use capos_schema::{DeviceKind, NodeKind, node_stat};
use core::fmt;

/// Why a storage call did not do what it was asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StorageError {
    /// The file system's answer (the schema's `FsError`; its errno is in
    /// docs/proposals/storage-and-naming-proposal.md).
    Fs(FsError),
    /// No directory capability of the [`crate::Namespace`] covers the
    /// path: it leads above every directory the process holds (EACCES).
    NotCovered,
    /// The path is a mount point of the [`crate::Namespace`], which cannot
    /// be removed or renamed through it (EBUSY).
    Busy,
    /// The call itself failed: refused by the kernel, an exception (the
    /// caller's quota, a server gone), or a reply that cannot be read.
    Call(Error),
}

impl From<Error> for StorageError {
    fn from(e: Error) -> Self {
        StorageError::Call(e)
    }
}

impl From<FsError> for StorageError {
    fn from(e: FsError) -> Self {
        StorageError::Fs(e)
    }
}

impl fmt::Display for StorageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StorageError::Fs(e) => e.fmt(f),
            StorageError::NotCovered => {
                f.write_str("no directory capability covers the path (EACCES)")
            }
            StorageError::Busy => f.write_str("a mount point of the namespace (EBUSY)"),
            StorageError::Call(e) => e.fmt(f),
        }
    }
}

/// A node's metadata (the schema's `NodeStat`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stat {
    pub kind: Kind,
    /// Bytes of a file; entries of a directory.
    pub size: u64,
    pub node: u64,
    pub store: u64,
    pub links: u32,
    pub mode: u32,
    pub accessed_ns: u64,
    pub modified_ns: u64,
    pub changed_ns: u64,
    pub pages: u64,
    /// The capability it came through is a read-only facet.
    pub read_only: bool,
    /// The device a `File` node is (/dev/null), if it is one.
    pub device: Option<capos_lib::fs::Device>,
}

pub(crate) fn kind(k: Result<NodeKind, capnp::NotInSchema>) -> Result<Kind, Error> {
    Ok(match k? {
        NodeKind::File => Kind::File,
        NodeKind::Directory => Kind::Directory,
    })
}

pub(crate) fn stat(s: node_stat::Reader<'_>) -> Result<Stat, Error> {
    Ok(Stat {
        kind: kind(s.get_kind())?,
        size: s.get_size(),
        node: s.get_node(),
        store: s.get_store(),
        links: s.get_links(),
        mode: s.get_mode(),
        accessed_ns: s.get_accessed_ns(),
        modified_ns: s.get_modified_ns(),
        changed_ns: s.get_changed_ns(),
        pages: s.get_pages(),
        read_only: s.get_read_only(),
        device: match s.get_device()? {
            DeviceKind::None => None,
            DeviceKind::Null => Some(Device::Null),
            DeviceKind::Zero => Some(Device::Zero),
            DeviceKind::Full => Some(Device::Full),
            DeviceKind::Urandom => Some(Device::Urandom),
        },
    })
}

/// The `error` result as a Rust result. A value this runtime does not
/// know (a newer server's) is a decode error, never success.
pub(crate) fn check(
    e: Result<capos_schema::FsError, capnp::NotInSchema>,
) -> Result<(), StorageError> {
    let ordinal = e? as u16;
    match ordinal {
        0 => Ok(()),
        n => Err(FsError::from_ordinal(n)
            .map(StorageError::Fs)
            .unwrap_or(StorageError::Call(Error::Decode(DecodeError::NotInSchema(
                n,
            ))))),
    }
}

impl From<capnp::NotInSchema> for StorageError {
    fn from(e: capnp::NotInSchema) -> Self {
        StorageError::Call(e.into())
    }
}

/// Room for the results of every method but `read` and `list`, and the
/// capability record some bring. A `CapException`'s reason fits too.
pub(crate) const RESULT_BYTES: usize = 512;

/// Calls `method_id` with params `P` and a result buffer of
/// `result_bytes`, and returns the reply with the capabilities it brought
/// (owned: dropped ones are released).
pub(crate) fn call<P: Owned>(
    cap: &Cap,
    interface_id: u64,
    method_id: u16,
    result_bytes: usize,
    fill: impl FnOnce(P::Builder<'_>),
) -> Result<(Reply, Vec<AnyCap>), Error> {
    let request = CallRequest {
        cap_id: cap.id(),
        interface_id,
        method_id,
        params: message::build::<P>(fill),
        result_bytes: reply_size(result_bytes, 1),
    };
    let ring = cap.ring();
    let completion = ring.borrow_mut().call(request)?;
    let cqe = completion.cqe;
    // Owned before anything else can fail, so they are released rather
    // than leaked if the message turns out to be bad.
    let caps: Vec<AnyCap> = match usize::try_from(cqe.result) {
        Ok(len) if cqe.flags != 0 => {
            wire::reply_records(message::as_bytes(&completion.result), len, cqe.flags)
                .map_err(Error::Decode)?
                .into_iter()
                .map(|r| AnyCap::new(Cap::new(r.cap_id, ring.clone()), r.interface_id))
                .collect()
        }
        _ => Vec::new(),
    };
    Ok((Reply::from_completion(completion)?, caps))
}

/// The one capability a successful reply must bring, as client `C`.
pub(crate) fn one<C: crate::Client>(caps: Vec<AnyCap>, what: &'static str) -> Result<C, Error> {
    let mut caps = caps.into_iter();
    match (caps.next(), caps.next()) {
        (Some(cap), None) => cap.expect(what),
        _ => Err(Error::Decode(DecodeError::Contract(what))),
    }
}
