//! The kernel's file store: capos_lib::fs's store over physical frames,
//! shared by every Directory and File capability of it, and built at
//! boot from the manifest's tree (docs/proposals/
//! storage-and-naming-proposal.md).
//!
//! The store pays for itself out of an account carved from init's at
//! boot: its metadata quota as kernel heap, its data quota as frames.
//! Processes can therefore never be promised what the store may use, and
//! the store can never take what a process was promised. The store lives
//! as long as any capability of it; then its pages, its records and its
//! account go, which the shutdown leak check sees.

pub mod handle;
mod page;

use alloc::sync::Arc;

use capos_lib::account::{Account, Exhausted};
use capos_lib::fs::{self, FsError, Limits, NodeId, Store};
use spin::{Mutex, MutexGuard};

use crate::cap::ALLOC_SLACK;
use crate::manifest::{FileSystem, FsContent, Manifest};
pub use page::FramePage;

/// The number of the boot store (NodeStat.store, st_dev).
const BOOT_STORE: u64 = 1;

/// A store and what pays for it.
pub struct StoreCell {
    store: Mutex<Store<FramePage>>,
    /// The quotas carved out of init's account; given back when the store
    /// goes.
    _account: Arc<Account>,
}

pub type SharedStore = Arc<StoreCell>;

impl StoreCell {
    /// The store, locked. Never hold the lock while a capability of it is
    /// dropped: dropping one takes the lock to release its node.
    pub fn lock(&self) -> MutexGuard<'_, Store<FramePage>> {
        self.store.lock()
    }
}

/// Why the boot store could not be built.
pub enum BootError {
    Quota(Exhausted),
    Node { path: &'static [u8], error: FsError },
}

impl core::fmt::Display for BootError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            BootError::Quota(e) => write!(f, "the file store's quotas: {e}"),
            BootError::Node { path, error } => write!(
                f,
                "file system node {:?}: {error}",
                alloc::string::String::from_utf8_lossy(path)
            ),
        }
    }
}

/// Builds the manifest's store, its quotas carved out of `root` (init's
/// account), and returns it with its root node retained once for the
/// capability the caller makes.
pub fn boot_store(
    manifest: &Manifest,
    root: &Arc<Account>,
) -> Result<(SharedStore, NodeId), BootError> {
    let FileSystem {
        data_bytes,
        meta_bytes,
        nodes,
    } = &manifest.file_system;
    let limits = Limits {
        data_bytes: *data_bytes,
        meta_bytes: *meta_bytes,
    };
    let heap = meta_bytes.saturating_add((size_of::<StoreCell>() + 2 * ALLOC_SLACK) as u64);
    let account = Account::child(root, heap, limits.pages()).map_err(BootError::Quota)?;
    let now = crate::time::wall_clock_ns();
    let boot_error = |path, error| BootError::Node { path, error };
    let mut store = Store::new(BOOT_STORE, limits, now).map_err(|e| boot_error(b"/", e))?;
    for node in nodes {
        let at = |e| boot_error(node.path, e);
        let names = fs::path::absolute(node.path).ok_or(at(FsError::InvalidName))?;
        let (name, parents) = names.split_last().ok_or(at(FsError::Exists))?;
        let dir = store
            .walk(store.root(), parents.iter().copied())
            .map_err(at)?;
        let made = match &node.content {
            FsContent::Directory => store.mkdir(dir, name, node.mode, now),
            FsContent::Data(data) => store.create_file(dir, name, node.mode, Some(data), now),
            FsContent::Binary(binary) => {
                let elf = manifest.binary(binary).ok_or(at(FsError::NotFound))?;
                store.create_file(dir, name, node.mode, Some(elf), now)
            }
            FsContent::Device(device) => store.create_device(dir, name, node.mode, *device, now),
        };
        made.map_err(at)?;
    }
    let root_node = store.root();
    store.retain(root_node).map_err(|e| boot_error(b"/", e))?;
    let cell = Arc::new(StoreCell {
        store: Mutex::new(store),
        _account: account,
    });
    Ok((cell, root_node))
}

/// The store's clock: wall-clock nanoseconds (stat's times).
pub fn now() -> u64 {
    crate::time::wall_clock_ns()
}
