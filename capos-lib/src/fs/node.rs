//! A node of the store: a file (its bytes in pages, or still in the boot
//! image), a directory (its entries by name and by creation order), or a
//! device (no data: what it reads and takes is its kind's).

use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::collections::btree_map::Entry;

use super::quota::{self, Quota};
use super::{FsError, MAX_FILE_SIZE, PAGE_SIZE, Page};

pub type NodeId = u64;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    File,
    Directory,
}

/// A device node's kind, with Linux's semantics (schema `DeviceKind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Device {
    /// Reads give end of file; writes succeed and are discarded.
    Null,
    /// Reads give zeros; writes are discarded.
    Zero,
    /// Reads give zeros; writes fail with `NoSpace`.
    Full,
    /// Reads give random bytes (the store's caller fills them: the store
    /// has no entropy); writes are discarded.
    Urandom,
}

impl Device {
    /// Linux's character-device numbers (major, minor), for st_rdev.
    pub fn numbers(self) -> (u32, u32) {
        match self {
            Device::Null => (1, 3),
            Device::Zero => (1, 5),
            Device::Full => (1, 7),
            Device::Urandom => (1, 9),
        }
    }
}

/// What `stat` reports (schema `NodeStat`, less the facet's `readOnly`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stat {
    /// A device is a `File` to open, read and write.
    pub kind: Kind,
    /// The device a `File` is, if it is one.
    pub device: Option<Device>,
    /// Bytes of a file (0 for a device); entries of a directory.
    pub size: u64,
    pub node: NodeId,
    pub store: u64,
    /// 1 while the node has a name, 0 after it was unlinked or removed.
    pub links: u32,
    pub mode: u32,
    pub accessed_ns: u64,
    pub modified_ns: u64,
    pub changed_ns: u64,
    pub pages: u64,
}

pub struct Node<P> {
    pub body: Body<P>,
    /// The directory holding the node's name; `None` for the root and for
    /// a node whose name is gone.
    pub parent: Option<NodeId>,
    /// Its name in `parent` (empty when it has none).
    pub name: Box<[u8]>,
    /// Its place in `parent`'s creation order (the listing cursor).
    pub seq: u64,
    /// Capabilities (open handles) naming the node; it is freed when it
    /// has neither a name nor a handle.
    pub handles: u64,
    pub mode: u32,
    pub accessed_ns: u64,
    pub modified_ns: u64,
    pub changed_ns: u64,
}

pub enum Body<P> {
    File(FileData<P>),
    Directory(DirData),
    Device(Device),
}

impl<P> Body<P> {
    pub fn kind(&self) -> Kind {
        match self {
            Body::File(_) | Body::Device(_) => Kind::File,
            Body::Directory(_) => Kind::Directory,
        }
    }
}

pub struct DirData {
    /// name -> node
    pub entries: BTreeMap<Box<[u8]>, NodeId>,
    /// creation sequence -> node, for listing
    pub order: BTreeMap<u64, NodeId>,
    pub next_seq: u64,
    /// Removed (rmdir) while a capability still held it: it stays empty.
    pub removed: bool,
}

impl DirData {
    pub fn new() -> Self {
        DirData {
            entries: BTreeMap::new(),
            order: BTreeMap::new(),
            next_seq: 1,
            removed: false,
        }
    }
}

/// A file's bytes: first those of the boot image (`base`), read in place;
/// after the first change, pages (`base` is then `None`).
pub struct FileData<P> {
    pub size: u64,
    pub base: Option<&'static [u8]>,
    /// page index -> page; a missing page inside `size` is a hole (zeros).
    pub pages: BTreeMap<u64, P>,
}

/// Metadata a file's page record costs.
pub fn page_record<P>() -> u64 {
    quota::map_entry::<u64, P>()
}

impl<P: Page> FileData<P> {
    pub fn new(base: Option<&'static [u8]>) -> Self {
        FileData {
            size: base.map_or(0, |b| b.len() as u64),
            base,
            pages: BTreeMap::new(),
        }
    }

    /// Copies `size` bytes from `offset` into `out` (the caller clipped
    /// the range to the file).
    pub fn read(&self, offset: u64, out: &mut [u8]) {
        if let Some(base) = self.base {
            out.copy_from_slice(&base[offset as usize..offset as usize + out.len()]);
            return;
        }
        let mut done = 0;
        while done < out.len() {
            let at = offset + done as u64;
            let index = at / PAGE_SIZE as u64;
            let within = (at % PAGE_SIZE as u64) as usize;
            let n = (PAGE_SIZE - within).min(out.len() - done);
            match self.pages.get(&index) {
                Some(page) => {
                    out[done..done + n].copy_from_slice(&page.bytes()[within..within + n])
                }
                None => out[done..done + n].fill(0),
            }
            done += n;
        }
    }

    /// Moves the boot image's bytes into pages, all or none.
    pub fn unshare(&mut self, quota: &mut Quota) -> Result<(), FsError> {
        let Some(base) = self.base else {
            return Ok(());
        };
        let count = base.len().div_ceil(PAGE_SIZE) as u64;
        quota.charge_pages(count)?;
        if let Err(e) = quota.charge_meta(count * page_record::<P>()) {
            quota.release_pages(count);
            return Err(e);
        }
        let mut pages = BTreeMap::new();
        for (index, chunk) in base.chunks(PAGE_SIZE).enumerate() {
            let Some(mut page) = P::zeroed() else {
                quota.release_pages(count);
                quota.release_meta(count * page_record::<P>());
                return Err(FsError::NoSpace);
            };
            page.bytes_mut()[..chunk.len()].copy_from_slice(chunk);
            pages.insert(index as u64, page);
        }
        self.pages = pages;
        self.base = None;
        Ok(())
    }

    /// Writes `data` at `offset` (checked by the caller against
    /// MAX_FILE_SIZE), taking the pages it lacks in order; stops at the
    /// first page the quota or memory refuses. Returns how many bytes it
    /// wrote: all of `data`, a prefix, or none (then `noSpace`).
    pub fn write(&mut self, offset: u64, data: &[u8], quota: &mut Quota) -> Result<usize, FsError> {
        if data.is_empty() {
            return Ok(0);
        }
        self.unshare(quota)?;
        let mut done = 0;
        while done < data.len() {
            let at = offset + done as u64;
            let index = at / PAGE_SIZE as u64;
            let within = (at % PAGE_SIZE as u64) as usize;
            let n = (PAGE_SIZE - within).min(data.len() - done);
            let page = match self.pages.entry(index) {
                Entry::Occupied(page) => page.into_mut(),
                Entry::Vacant(slot) => {
                    if quota.charge_pages(1).is_err() {
                        break;
                    }
                    if quota.charge_meta(page_record::<P>()).is_err() {
                        quota.release_pages(1);
                        break;
                    }
                    let Some(page) = P::zeroed() else {
                        quota.release_pages(1);
                        quota.release_meta(page_record::<P>());
                        break;
                    };
                    slot.insert(page)
                }
            };
            page.bytes_mut()[within..within + n].copy_from_slice(&data[done..done + n]);
            done += n;
        }
        if done == 0 {
            return Err(FsError::NoSpace);
        }
        self.size = self.size.max(offset + done as u64);
        Ok(done)
    }

    /// Sets the size; shrinking frees the pages past the end and zeros
    /// the tail of the last one, so a later growth reads zeros.
    pub fn truncate(&mut self, size: u64, quota: &mut Quota) -> Result<(), FsError> {
        if size > MAX_FILE_SIZE {
            return Err(FsError::FileTooLarge);
        }
        if self.base.is_some() {
            if size == 0 {
                self.base = None;
                self.size = 0;
                return Ok(());
            }
            if size == self.size {
                return Ok(());
            }
            self.unshare(quota)?;
        }
        if size < self.size {
            let first_gone = size.div_ceil(PAGE_SIZE as u64);
            let gone = self.pages.split_off(&first_gone);
            self.free(gone.len() as u64, quota);
            drop(gone);
            let within = (size % PAGE_SIZE as u64) as usize;
            if within != 0
                && let Some(page) = self.pages.get_mut(&(size / PAGE_SIZE as u64))
            {
                page.bytes_mut()[within..].fill(0);
            }
        }
        self.size = size;
        Ok(())
    }

    fn free(&self, pages: u64, quota: &mut Quota) {
        quota.release_pages(pages);
        quota.release_meta(pages * page_record::<P>());
    }

    /// Gives every page back (the node is being freed).
    pub fn release_all(&mut self, quota: &mut Quota) {
        let pages = core::mem::take(&mut self.pages);
        self.free(pages.len() as u64, quota);
    }
}
