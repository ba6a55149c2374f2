//! A file store without the kernel: the tree of directories and files,
//! their data in pages, the store's two quotas, and the rules for names
//! and paths (docs/proposals/storage-and-naming-proposal.md).
//!
//! The kernel's Directory and File capabilities (kernel/src/cap/
//! directory.rs, file.rs) keep one [`Store`] under a lock and call it with
//! node numbers their capabilities hold; a userspace server could do the
//! same. Nothing here knows about capabilities: which facet may write is
//! [`facet`], decided before the store is called.
//!
//! - [`name`]: what a single name may be (the only thing a Directory
//!   method accepts).
//! - [`path`]: how a client turns a path into directory capabilities and
//!   names, lexically, never above a capability's directory.
//! - [`quota`]: what each record costs, so the store's metadata quota is
//!   an upper bound of the heap it takes.
//! - [`Store`]: the tree, files, listing cursors, rename's checks, and
//!   the life of nodes that are unlinked while open.
//! - [`cursor`]: an open file description's offset and append flag.
//!
//! No operation panics on any input: every failure is an [`FsError`].

pub mod cursor;
mod error;
pub mod facet;
pub mod name;
mod node;
pub mod path;
pub mod quota;
mod store;

#[cfg(test)]
mod tests;

pub use error::FsError;
pub use node::{Device, Kind, Stat};
pub use quota::Limits;
pub use store::{DirEntry, NodeId, Open, Store, TimeChange, WriteAt};

/// Bytes in a page of file data.
pub const PAGE_SIZE: usize = 4096;

/// Longest name, in bytes (Linux's NAME_MAX).
pub const NAME_MAX: usize = 255;

/// Longest path a client accepts, in bytes, not counting a terminating
/// NUL (Linux's PATH_MAX is 4096 with it).
pub const PATH_MAX: usize = 4095;

/// Largest file: a write or truncate past this is
/// [`FsError::FileTooLarge`].
pub const MAX_FILE_SIZE: u64 = 1 << 40;

/// Most entries one listing call returns.
pub const MAX_LIST: usize = 1024;

/// A File.read result's bytes besides its data (padded to words):
/// segment table, root pointer, the struct's data word and the data's
/// list pointer, and one word of slack for the store's framing.
pub const READ_OVERHEAD: usize = 40;

/// A page of file data. The kernel's are physical frames; host tests use
/// boxed arrays.
pub trait Page: Sized {
    /// A zeroed page, or `None` when memory has run out (the write then
    /// stops there, as if the quota had).
    fn zeroed() -> Option<Self>;
    fn bytes(&self) -> &[u8; PAGE_SIZE];
    fn bytes_mut(&mut self) -> &mut [u8; PAGE_SIZE];
}
