//! The store's two quotas, and what each record it keeps costs.
//!
//! File data is counted in pages against [`Limits::data_bytes`].
//! Everything else the store allocates (nodes, names, directory entries,
//! page records) is counted in bytes against [`Limits::meta_bytes`], each
//! record charged an upper bound of the heap it takes, so that a store
//! whose metadata quota was carved out of a kernel account can never take
//! more heap than it paid for. Charges are made before the allocation;
//! a refused charge is [`FsError::NoSpace`] and nothing changes.
//!
//! The bounds for ordered maps (`BTreeMap`, which the store uses for
//! every collection) come from its node layout: a node holds up to 11
//! entries and at least 5 unless it is the root, plus a header and, for
//! internal nodes, 12 child pointers. A map therefore takes at most one
//! node's worth for its root ([`map_base`]) plus a fifth of a node per
//! entry beyond it ([`map_entry`]). A host test with a counting allocator
//! checks the bound against what the store really allocates.

use super::{FsError, PAGE_SIZE};

/// What the allocator adds to an allocation at most (header, rounding),
/// as the kernel's `ALLOC_SLACK`.
pub const ALLOC_SLACK: u64 = 32;

/// A store's limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// File data, in bytes; only whole pages count (the rest is unusable).
    pub data_bytes: u64,
    /// Metadata, in bytes of heap.
    pub meta_bytes: u64,
}

impl Limits {
    pub fn pages(&self) -> u64 {
        self.data_bytes / PAGE_SIZE as u64
    }
}

/// How much of each quota is in use.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    pub pages: u64,
    pub meta_bytes: u64,
}

/// The counters against the limits.
#[derive(Debug)]
pub struct Quota {
    limits: Limits,
    used: Usage,
}

impl Quota {
    pub fn new(limits: Limits) -> Self {
        Quota {
            limits,
            used: Usage::default(),
        }
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }

    pub fn used(&self) -> Usage {
        self.used
    }

    pub fn charge_meta(&mut self, bytes: u64) -> Result<(), FsError> {
        match self.used.meta_bytes.checked_add(bytes) {
            Some(total) if total <= self.limits.meta_bytes => {
                self.used.meta_bytes = total;
                Ok(())
            }
            _ => Err(FsError::NoSpace),
        }
    }

    pub fn release_meta(&mut self, bytes: u64) {
        debug_assert!(bytes <= self.used.meta_bytes, "releasing unpaid metadata");
        self.used.meta_bytes = self.used.meta_bytes.saturating_sub(bytes);
    }

    /// Whether `pages` more pages fit.
    pub fn pages_left(&self) -> u64 {
        self.limits.pages().saturating_sub(self.used.pages)
    }

    pub fn charge_pages(&mut self, pages: u64) -> Result<(), FsError> {
        if pages > self.pages_left() {
            return Err(FsError::NoSpace);
        }
        self.used.pages += pages;
        Ok(())
    }

    pub fn release_pages(&mut self, pages: u64) {
        debug_assert!(pages <= self.used.pages, "releasing unpaid pages");
        self.used.pages = self.used.pages.saturating_sub(pages);
    }
}

/// Upper bound of the heap a `BTreeMap<K, V>` takes for its root node.
pub const fn map_base<K, V>() -> u64 {
    let entry = (size_of::<K>() + size_of::<V>()) as u64;
    // Header (parent pointer, index, length), 11 entries, 12 edges.
    16 + 11 * entry + 12 * 8 + ALLOC_SLACK
}

/// Upper bound of the heap a `BTreeMap<K, V>` takes per entry, beyond
/// [`map_base`]: a non-root node of at least 5 entries shares its bytes
/// among them.
pub const fn map_entry<K, V>() -> u64 {
    map_base::<K, V>().div_ceil(5)
}

/// Heap of a boxed name of `len` bytes.
pub const fn boxed(len: usize) -> u64 {
    len as u64 + ALLOC_SLACK
}
