//! The store: nodes by number, the tree they form, and every operation a
//! Directory or File capability can ask of it.

use alloc::boxed::Box;
use alloc::collections::BTreeMap;

use super::node::{Body, DirData, FileData, Node};
pub use super::node::{Device, Kind, NodeId, Stat};
use super::quota::{self, Limits, Quota, Usage};
use super::{FsError, MAX_FILE_SIZE, MAX_LIST, Page, name};

/// The root directory's node number.
const ROOT: NodeId = 1;

/// Largest permission bits `setMode` records.
const MODE_MASK: u32 = 0o7777;

/// `open`'s flags (schema `Directory.open`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Open {
    pub create: bool,
    pub exclusive: bool,
    pub truncate: bool,
}

/// One change of a time stamp (schema `TimeChange`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeChange {
    Keep,
    Now,
    Ns(u64),
}

/// Where a write goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteAt {
    Offset(u64),
    /// The end of the file as it is when the write runs.
    End,
}

/// One entry of a listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DirEntry<'a> {
    pub name: &'a [u8],
    pub kind: Kind,
    pub node: NodeId,
    /// Pass it to `list` to continue after this entry.
    pub cursor: u64,
}

pub struct Store<P> {
    id: u64,
    nodes: BTreeMap<NodeId, Node<P>>,
    next_node: NodeId,
    quota: Quota,
}

/// Metadata a node's own record costs, whatever its name: its place in
/// the store's map and its body's empty maps.
fn body_cost<P>(body: &Body<P>) -> u64 {
    quota::map_entry::<NodeId, Node<P>>()
        + match body {
            Body::File(_) => quota::map_base::<u64, P>(),
            Body::Directory(_) => {
                quota::map_base::<Box<[u8]>, NodeId>() + quota::map_base::<u64, NodeId>()
            }
            Body::Device(_) => 0,
        }
}

/// Metadata a name costs: the node's copy and the directory's key, and
/// the directory's two entries for it.
fn link_cost(len: usize) -> u64 {
    2 * quota::boxed(len)
        + quota::map_entry::<Box<[u8]>, NodeId>()
        + quota::map_entry::<u64, NodeId>()
}

impl<P: Page> Store<P> {
    /// An empty store (a root directory, mode 0755) numbered `id` (the
    /// `store` of every stat).
    pub fn new(id: u64, limits: Limits, now: u64) -> Result<Self, FsError> {
        let mut quota = Quota::new(limits);
        quota.charge_meta(
            quota::map_base::<NodeId, Node<P>>() + body_cost::<P>(&Body::Directory(DirData::new())),
        )?;
        let mut nodes = BTreeMap::new();
        nodes.insert(
            ROOT,
            Self::new_node(Body::Directory(DirData::new()), 0o755, now),
        );
        Ok(Store {
            id,
            nodes,
            next_node: ROOT + 1,
            quota,
        })
    }

    fn new_node(body: Body<P>, mode: u32, now: u64) -> Node<P> {
        Node {
            body,
            parent: None,
            name: Box::default(),
            seq: 0,
            handles: 0,
            mode,
            accessed_ns: now,
            modified_ns: now,
            changed_ns: now,
        }
    }

    pub fn id(&self) -> u64 {
        self.id
    }

    pub fn root(&self) -> NodeId {
        ROOT
    }

    pub fn usage(&self) -> Usage {
        self.quota.used()
    }

    pub fn limits(&self) -> Limits {
        self.quota.limits()
    }

    /// Nodes alive, named or held.
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    fn node(&self, id: NodeId) -> Result<&Node<P>, FsError> {
        self.nodes.get(&id).ok_or(FsError::NotFound)
    }

    fn node_mut(&mut self, id: NodeId) -> Result<&mut Node<P>, FsError> {
        self.nodes.get_mut(&id).ok_or(FsError::NotFound)
    }

    fn dir(&self, id: NodeId) -> Result<&DirData, FsError> {
        match &self.node(id)?.body {
            Body::Directory(d) => Ok(d),
            Body::File(_) | Body::Device(_) => Err(FsError::NotDirectory),
        }
    }

    fn dir_mut(&mut self, id: NodeId) -> Result<&mut DirData, FsError> {
        match &mut self.node_mut(id)?.body {
            Body::Directory(d) => Ok(d),
            Body::File(_) | Body::Device(_) => Err(FsError::NotDirectory),
        }
    }

    fn file(&self, id: NodeId) -> Result<&FileData<P>, FsError> {
        match &self.node(id)?.body {
            Body::File(f) => Ok(f),
            Body::Directory(_) => Err(FsError::IsDirectory),
            // Callers ask `device` first; a device holds no data.
            Body::Device(_) => Err(FsError::InvalidArgument),
        }
    }

    /// The device node `id` is, if it is one.
    pub fn device(&self, id: NodeId) -> Result<Option<Device>, FsError> {
        Ok(match self.node(id)?.body {
            Body::Device(device) => Some(device),
            _ => None,
        })
    }

    pub fn kind(&self, id: NodeId) -> Result<Kind, FsError> {
        Ok(self.node(id)?.body.kind())
    }

    pub fn stat(&self, id: NodeId) -> Result<Stat, FsError> {
        let node = self.node(id)?;
        let (size, pages) = match &node.body {
            Body::File(f) => (f.size, f.pages.len() as u64),
            Body::Directory(d) => (d.entries.len() as u64, 0),
            Body::Device(_) => (0, 0),
        };
        Ok(Stat {
            kind: node.body.kind(),
            device: match node.body {
                Body::Device(device) => Some(device),
                _ => None,
            },
            size,
            node: id,
            store: self.id,
            links: u32::from(id == ROOT || node.parent.is_some()),
            mode: node.mode,
            accessed_ns: node.accessed_ns,
            modified_ns: node.modified_ns,
            changed_ns: node.changed_ns,
            pages,
        })
    }

    /// The entry `name` of directory `dir`.
    pub fn lookup(&self, dir: NodeId, name: &[u8]) -> Result<NodeId, FsError> {
        name::check(name)?;
        self.dir(dir)?
            .entries
            .get(name)
            .copied()
            .ok_or(FsError::NotFound)
    }

    /// The directory reached from `dir` through `names`.
    pub fn walk<'n>(
        &self,
        dir: NodeId,
        names: impl IntoIterator<Item = &'n [u8]>,
    ) -> Result<NodeId, FsError> {
        self.dir(dir)?;
        let mut at = dir;
        for name in names {
            at = self.lookup(at, name)?;
            self.dir(at)?;
        }
        Ok(at)
    }

    /// A capability to `id` was made: the node stays alive while it lives.
    pub fn retain(&mut self, id: NodeId) -> Result<(), FsError> {
        let node = self.node_mut(id)?;
        node.handles += 1;
        Ok(())
    }

    /// A capability to `id` went; an unnamed node with no capability left
    /// is freed.
    pub fn release(&mut self, id: NodeId) {
        if let Some(node) = self.nodes.get_mut(&id) {
            node.handles = node.handles.saturating_sub(1);
        }
        self.free_if_unused(id);
    }

    fn free_if_unused(&mut self, id: NodeId) {
        let unused = self
            .nodes
            .get(&id)
            .is_some_and(|n| id != ROOT && n.parent.is_none() && n.handles == 0);
        if !unused {
            return;
        }
        let Some(mut node) = self.nodes.remove(&id) else {
            return;
        };
        // Only an empty directory loses its name (rmdir, or replaced by a
        // rename), and a removed one stays empty.
        if let Body::File(f) = &mut node.body {
            f.release_all(&mut self.quota);
        }
        self.quota.release_meta(body_cost::<P>(&node.body));
    }

    /// Gives node `id` (unnamed) the name `name` in `dir`; the link cost
    /// is already charged.
    fn link(&mut self, dir: NodeId, name: &[u8], id: NodeId, now: u64) -> Result<(), FsError> {
        let d = self.dir_mut(dir)?;
        let seq = d.next_seq;
        d.next_seq += 1;
        d.entries.insert(name.into(), id);
        d.order.insert(seq, id);
        let parent = self.node_mut(dir)?;
        parent.modified_ns = now;
        parent.changed_ns = now;
        let node = self.node_mut(id)?;
        node.parent = Some(dir);
        node.name = name.into();
        node.seq = seq;
        node.changed_ns = now;
        Ok(())
    }

    /// Takes node `id`'s name away (it is `name` in `dir`) and gives back
    /// what the name cost; the node itself is freed if nothing holds it.
    fn unlink_node(&mut self, dir: NodeId, id: NodeId, now: u64) -> Result<(), FsError> {
        let (name, seq) = {
            let node = self.node_mut(id)?;
            node.parent = None;
            node.changed_ns = now;
            (core::mem::take(&mut node.name), node.seq)
        };
        let d = self.dir_mut(dir)?;
        d.entries.remove(&name);
        d.order.remove(&seq);
        let parent = self.node_mut(dir)?;
        parent.modified_ns = now;
        parent.changed_ns = now;
        self.quota.release_meta(link_cost(name.len()));
        self.free_if_unused(id);
        Ok(())
    }

    /// Makes a new node `name` in `dir`, charging it first.
    fn create(
        &mut self,
        dir: NodeId,
        name: &[u8],
        body: Body<P>,
        mode: u32,
        now: u64,
    ) -> Result<NodeId, FsError> {
        name::check(name)?;
        let d = self.dir(dir)?;
        if d.removed {
            return Err(FsError::NotFound);
        }
        if d.entries.contains_key(name) {
            return Err(FsError::Exists);
        }
        let cost = body_cost::<P>(&body) + link_cost(name.len());
        self.quota.charge_meta(cost)?;
        let id = self.next_node;
        self.next_node += 1;
        self.nodes.insert(id, Self::new_node(body, mode, now));
        self.link(dir, name, id, now)?;
        Ok(id)
    }

    /// Makes the file `name` in `dir`, holding `base` (bytes that live as
    /// long as the store, served without a copy until first written).
    pub fn create_file(
        &mut self,
        dir: NodeId,
        name: &[u8],
        mode: u32,
        base: Option<&'static [u8]>,
        now: u64,
    ) -> Result<NodeId, FsError> {
        if base.is_some_and(|b| b.len() as u64 > MAX_FILE_SIZE) {
            return Err(FsError::FileTooLarge);
        }
        self.create(
            dir,
            name,
            Body::File(FileData::new(base)),
            mode & MODE_MASK,
            now,
        )
    }

    /// Makes the device node `name` in `dir`.
    pub fn create_device(
        &mut self,
        dir: NodeId,
        name: &[u8],
        mode: u32,
        device: Device,
        now: u64,
    ) -> Result<NodeId, FsError> {
        self.create(dir, name, Body::Device(device), mode & MODE_MASK, now)
    }

    pub fn mkdir(
        &mut self,
        dir: NodeId,
        name: &[u8],
        mode: u32,
        now: u64,
    ) -> Result<NodeId, FsError> {
        self.create(
            dir,
            name,
            Body::Directory(DirData::new()),
            mode & MODE_MASK,
            now,
        )
    }

    /// Opens (and with `create` makes) entry `name` of `dir`; returns it
    /// and whether it was created.
    pub fn open(
        &mut self,
        dir: NodeId,
        name: &[u8],
        how: Open,
        now: u64,
    ) -> Result<(NodeId, bool), FsError> {
        if how.exclusive && !how.create {
            return Err(FsError::InvalidArgument);
        }
        let id = match self.lookup(dir, name) {
            Ok(id) if how.create && how.exclusive => {
                let _ = id;
                return Err(FsError::Exists);
            }
            Ok(id) => id,
            Err(FsError::NotFound) if how.create => {
                return Ok((self.create_file(dir, name, 0o644, None, now)?, true));
            }
            Err(e) => return Err(e),
        };
        if how.truncate {
            self.truncate(id, 0, now)?;
        }
        Ok((id, false))
    }

    pub fn unlink(&mut self, dir: NodeId, name: &[u8], now: u64) -> Result<(), FsError> {
        let id = self.lookup(dir, name)?;
        if self.kind(id)? == Kind::Directory {
            return Err(FsError::IsDirectory);
        }
        self.unlink_node(dir, id, now)
    }

    pub fn rmdir(&mut self, dir: NodeId, name: &[u8], now: u64) -> Result<(), FsError> {
        let id = self.lookup(dir, name)?;
        let d = self.dir(id)?;
        if !d.entries.is_empty() {
            return Err(FsError::NotEmpty);
        }
        self.dir_mut(id)?.removed = true;
        self.unlink_node(dir, id, now)
    }

    /// Moves the entry at `from` to `to` (each a non-empty list of names
    /// below `dir`; see schema `Directory.rename`).
    pub fn rename(
        &mut self,
        dir: NodeId,
        from: &[&[u8]],
        to: &[&[u8]],
        now: u64,
    ) -> Result<(), FsError> {
        let (Some((&from_name, from_dirs)), Some((&to_name, to_dirs))) =
            (from.split_last(), to.split_last())
        else {
            return Err(FsError::InvalidArgument);
        };
        name::check(from_name)?;
        name::check(to_name)?;
        let from_dir = self.walk(dir, from_dirs.iter().copied())?;
        let to_dir = self.walk(dir, to_dirs.iter().copied())?;
        let id = self.lookup(from_dir, from_name)?;
        let kind = self.kind(id)?;
        if self.dir(to_dir)?.removed {
            return Err(FsError::NotFound);
        }
        let target = match self.lookup(to_dir, to_name) {
            Ok(target) => Some(target),
            Err(FsError::NotFound) => None,
            Err(e) => return Err(e),
        };
        if target == Some(id) {
            return Ok(());
        }
        if kind == Kind::Directory {
            // Never into itself: walk up from the destination.
            let mut at = Some(to_dir);
            while let Some(up) = at {
                if up == id {
                    return Err(FsError::InvalidArgument);
                }
                at = self.node(up)?.parent;
            }
        }
        if let Some(target) = target {
            match (kind, self.kind(target)?) {
                (Kind::File, Kind::Directory) => return Err(FsError::IsDirectory),
                (Kind::Directory, Kind::File) => return Err(FsError::NotDirectory),
                (Kind::Directory, Kind::Directory) if !self.dir(target)?.entries.is_empty() => {
                    return Err(FsError::NotEmpty);
                }
                _ => {}
            }
        }
        // The new name is paid for before anything moves.
        self.quota.charge_meta(link_cost(to_name.len()))?;
        if let Some(target) = target {
            if let Body::Directory(d) = &mut self.node_mut(target)?.body {
                d.removed = true;
            }
            self.unlink_node(to_dir, target, now)?;
        }
        // Unlinking gives back the old name's cost; the node is held by
        // the name it is about to get, so detach it without freeing.
        let node = self.node_mut(id)?;
        node.handles += 1;
        self.unlink_node(from_dir, id, now)?;
        self.link(to_dir, to_name, id, now)?;
        self.node_mut(id)?.handles -= 1;
        Ok(())
    }

    /// Calls `each` with the entries of `dir` created after `cursor`, in
    /// creation order, at most `max` (and [`MAX_LIST`]); `each` returns
    /// false to refuse an entry and stop. Returns whether no entry is left
    /// after the last one taken.
    pub fn list(
        &self,
        dir: NodeId,
        cursor: u64,
        max: usize,
        mut each: impl FnMut(DirEntry<'_>) -> bool,
    ) -> Result<bool, FsError> {
        let d = self.dir(dir)?;
        let max = max.min(MAX_LIST);
        for (taken, (&seq, &id)) in d.order.range(cursor.saturating_add(1)..).enumerate() {
            if taken == max {
                return Ok(false);
            }
            let node = self.node(id)?;
            let entry = DirEntry {
                name: &node.name,
                kind: node.body.kind(),
                node: id,
                cursor: seq,
            };
            if !each(entry) {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// How many bytes a read of at most `max` from `offset` gives.
    /// The boot image's bytes file `file` still holds unchanged (served
    /// in place); `None` once it was written or truncated. The kernel
    /// matches them against the manifest's binaries (File.binary).
    pub fn boot_bytes(&self, file: NodeId) -> Result<Option<&'static [u8]>, FsError> {
        if self.device(file)?.is_some() {
            return Ok(None);
        }
        Ok(self.file(file)?.base)
    }

    /// How many bytes a read of at most `max` from `offset` gives: a
    /// device's reads are never short but for null's end of file.
    pub fn readable(&self, file: NodeId, offset: u64, max: usize) -> Result<usize, FsError> {
        Ok(match &self.node(file)?.body {
            Body::File(f) => f.size.saturating_sub(offset).min(max as u64) as usize,
            Body::Device(Device::Null) => 0,
            Body::Device(_) => max,
            Body::Directory(_) => return Err(FsError::IsDirectory),
        })
    }

    /// Reads into `out` from `offset`; returns how many bytes (0 at or
    /// past the end).
    pub fn read(
        &mut self,
        file: NodeId,
        offset: u64,
        out: &mut [u8],
        now: u64,
    ) -> Result<usize, FsError> {
        let n = self.readable(file, offset, out.len())?;
        let node = self.node_mut(file)?;
        match &node.body {
            Body::File(f) => f.read(offset, &mut out[..n]),
            // urandom's bytes are the caller's to fill.
            Body::Device(_) => out[..n].fill(0),
            Body::Directory(_) => {}
        }
        node.accessed_ns = now;
        Ok(n)
    }

    /// Writes `data`; returns how much was written (short only when the
    /// quota or memory ran out) and the offset after it.
    pub fn write(
        &mut self,
        file: NodeId,
        at: WriteAt,
        data: &[u8],
        now: u64,
    ) -> Result<(usize, u64), FsError> {
        let Store { nodes, quota, .. } = self;
        let node = nodes.get_mut(&file).ok_or(FsError::NotFound)?;
        let f = match &mut node.body {
            Body::File(f) => f,
            Body::Directory(_) => return Err(FsError::IsDirectory),
            Body::Device(Device::Full) => return Err(FsError::NoSpace),
            // Discarded, as written; the offset does not move (Linux's).
            Body::Device(_) => {
                return Ok((data.len(), if let WriteAt::Offset(o) = at { o } else { 0 }));
            }
        };
        let offset = match at {
            WriteAt::Offset(offset) => offset,
            WriteAt::End => f.size,
        };
        match offset.checked_add(data.len() as u64) {
            Some(end) if end <= MAX_FILE_SIZE => {}
            _ => return Err(FsError::FileTooLarge),
        }
        let written = f.write(offset, data, quota)?;
        if written > 0 {
            node.modified_ns = now;
            node.changed_ns = now;
        }
        Ok((written, offset + written as u64))
    }

    pub fn truncate(&mut self, file: NodeId, size: u64, now: u64) -> Result<(), FsError> {
        let Store { nodes, quota, .. } = self;
        let node = nodes.get_mut(&file).ok_or(FsError::NotFound)?;
        let f = match &mut node.body {
            Body::File(f) => f,
            Body::Directory(_) => return Err(FsError::IsDirectory),
            // O_TRUNC of a device is ignored, as on Linux.
            Body::Device(_) => return Ok(()),
        };
        f.truncate(size, quota)?;
        node.modified_ns = now;
        node.changed_ns = now;
        Ok(())
    }

    pub fn set_mode(&mut self, id: NodeId, mode: u32, now: u64) -> Result<(), FsError> {
        if mode & !MODE_MASK != 0 {
            return Err(FsError::InvalidArgument);
        }
        let node = self.node_mut(id)?;
        node.mode = mode;
        node.changed_ns = now;
        Ok(())
    }

    pub fn set_times(
        &mut self,
        id: NodeId,
        accessed: TimeChange,
        modified: TimeChange,
        now: u64,
    ) -> Result<(), FsError> {
        let node = self.node_mut(id)?;
        let pick = |change, old| match change {
            TimeChange::Keep => old,
            TimeChange::Now => now,
            TimeChange::Ns(ns) => ns,
        };
        node.accessed_ns = pick(accessed, node.accessed_ns);
        node.modified_ns = pick(modified, node.modified_ns);
        node.changed_ns = now;
        Ok(())
    }
}
