//! What a Directory and a File capability share: the store, the node,
//! whether it is a read-only facet, and the opener's charge for the
//! capability object. Dropping the last copy releases the node, which
//! frees it if it has no name left (a file unlinked while open).

use alloc::sync::Arc;
use alloc::vec::Vec;

use capos_lib::account::Charge;
use capos_lib::fs::{self, Device, FsError, Kind, NodeId, Stat};
use capos_schema::capos_capnp::{DeviceKind, FsError as SchemaError, NodeKind, node_stat};

use super::SharedStore;
use crate::cap::{CallCtx, CallError, CapRef};

pub struct Handle {
    pub store: SharedStore,
    pub node: NodeId,
    pub read_only: bool,
    _charge: Charge,
}

impl Handle {
    /// A handle of `node`, which the caller has already retained.
    pub fn new(store: SharedStore, node: NodeId, read_only: bool, charge: Charge) -> Self {
        Handle {
            store,
            node,
            read_only,
            _charge: charge,
        }
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        self.store.lock().release(self.node);
    }
}

/// What a new capability object costs its opener: the object in its
/// `Arc`, and the allocator's slack.
pub fn object_bytes<T>() -> usize {
    size_of::<T>() + 2 * size_of::<usize>()
}

/// A capability object for `node` (retained here), charged to the caller:
/// a File is a new open file description at offset 0, appending when
/// `append` is set. The store must not be locked by the caller.
pub fn open_cap(
    store: &SharedStore,
    node: NodeId,
    kind: Kind,
    read_only: bool,
    append: bool,
    charge: Charge,
) -> Result<CapRef, FsError> {
    store.lock().retain(node)?;
    let handle = Handle::new(store.clone(), node, read_only, charge);
    Ok(match kind {
        Kind::File => Arc::new(crate::cap::file::File::new(handle, append)),
        Kind::Directory => Arc::new(crate::cap::directory::Directory(handle)),
    })
}

/// The charge for whichever capability object `open` may make.
pub fn charge_object(ctx: &mut CallCtx) -> Result<Charge, CallError> {
    let bytes = object_bytes::<crate::cap::file::File>()
        .max(object_bytes::<crate::cap::directory::Directory>());
    ctx.charge(bytes)
}

pub fn schema_error(result: Result<(), FsError>) -> SchemaError {
    match result {
        Ok(()) => SchemaError::Ok,
        Err(e) => match e {
            FsError::NotFound => SchemaError::NotFound,
            FsError::Exists => SchemaError::Exists,
            FsError::NotDirectory => SchemaError::NotDirectory,
            FsError::IsDirectory => SchemaError::IsDirectory,
            FsError::NotEmpty => SchemaError::NotEmpty,
            FsError::ReadOnly => SchemaError::ReadOnly,
            FsError::NoSpace => SchemaError::NoSpace,
            FsError::NameTooLong => SchemaError::NameTooLong,
            FsError::InvalidName => SchemaError::InvalidName,
            FsError::InvalidArgument => SchemaError::InvalidArgument,
            FsError::FileTooLarge => SchemaError::FileTooLarge,
            FsError::CrossTree => SchemaError::CrossTree,
        },
    }
}

pub fn schema_kind(kind: Kind) -> NodeKind {
    match kind {
        Kind::File => NodeKind::File,
        Kind::Directory => NodeKind::Directory,
    }
}

pub fn set_stat(mut out: node_stat::Builder, stat: &Stat, read_only: bool) {
    out.set_kind(schema_kind(stat.kind));
    out.set_size(stat.size);
    out.set_node(stat.node);
    out.set_store(stat.store);
    out.set_links(stat.links);
    out.set_mode(stat.mode);
    out.set_accessed_ns(stat.accessed_ns);
    out.set_modified_ns(stat.modified_ns);
    out.set_changed_ns(stat.changed_ns);
    out.set_pages(stat.pages);
    out.set_read_only(read_only);
    out.set_device(match stat.device {
        None => DeviceKind::None,
        Some(Device::Null) => DeviceKind::Null,
        Some(Device::Zero) => DeviceKind::Zero,
        Some(Device::Full) => DeviceKind::Full,
        Some(Device::Urandom) => DeviceKind::Urandom,
    });
}

/// Fails with RESULT_TOO_SMALL unless the caller's buffer holds `bytes`
/// (a result encoded with placeholder values, which has the size of the
/// real one): checked before a method with side effects acts.
pub fn check_fits(ctx: &CallCtx, bytes: &[u8]) -> Result<(), CallError> {
    if bytes.len() > ctx.result_capacity as usize {
        return Err(CallError::ResultTooSmall(bytes.len()));
    }
    Ok(())
}

/// Most names `walk` and `rename` take, and their bytes: a path's worth.
pub fn names<'a>(
    list: capnp::text_list::Reader<'a>,
) -> Result<Result<Vec<&'a [u8]>, FsError>, CallError> {
    if list.len() as usize > fs::PATH_MAX / 2 + 1 {
        return Ok(Err(FsError::NameTooLong));
    }
    let mut names = Vec::new();
    let mut bytes = 0;
    for name in list.iter() {
        let name = name?.as_bytes();
        bytes += name.len() + 1;
        if bytes > fs::PATH_MAX + 1 {
            return Ok(Err(FsError::NameTooLong));
        }
        names.push(name);
    }
    Ok(Ok(names))
}
