//! A process's file namespace: its directory capabilities mounted at
//! paths, and a working directory, so that programs can name files by
//! path (docs/proposals/storage-and-naming-proposal.md, rules 3 and 4).
//!
//! The mounts are the process's `Directory` capabilities whose CapSet
//! names are absolute paths (`/`, `/tmp`, `/etc`), or any mounted by hand.
//! A path is resolved lexically (`capos_lib::fs::path`) against the
//! working directory, then served by the longest mount that covers it,
//! as one `walk` of the directories between and one call on the last
//! name. A path that no mount covers reaches nothing
//! ([`StorageError::NotCovered`], EACCES): that is how `..` never climbs
//! above a capability's directory. Nothing here is authority; it only
//! picks which capability to use.
//!
//! The working directory comes from the CapSet too, as a `Directory`
//! named [`CWD_GRANT`] followed by its absolute path ("cwd:/tmp/work"):
//! how a parent passes its own to a child ([`Namespace::grants`]).

use crate::clients::{
    Client, Directory, Entry, File, Node, OpenOptions, Opened, Stat, StorageError,
};
use crate::runtime::Runtime;
use alloc::vec::Vec;
use capos_lib::fs::{FsError, Kind, path};

/// A directory capability and the path it is mounted at.
struct Mount {
    names: Vec<Vec<u8>>,
    dir: Directory,
}

/// The CapSet name of the working directory is this and its path.
pub const CWD_GRANT: &str = "cwd:";

#[derive(Default)]
pub struct Namespace {
    mounts: Vec<Mount>,
    /// The working directory: its names from the root and its capability.
    /// `None` is the root, reached through the mounts.
    cwd: Option<Mount>,
}

/// The directory holding a path's last name.
enum Parent<'a> {
    Held(&'a Directory),
    Walked(Directory),
}

impl Parent<'_> {
    fn dir(&self) -> &Directory {
        match self {
            Parent::Held(d) => d,
            Parent::Walked(d) => d,
        }
    }
}

/// What a path leads to.
enum Target<'a> {
    /// A mount point or the working directory itself.
    Held(&'a Directory),
    /// Entry `name` of a directory.
    Entry { parent: Parent<'a>, name: Vec<u8> },
}

fn owned(names: &[&[u8]]) -> Vec<Vec<u8>> {
    names.iter().map(|n| n.to_vec()).collect()
}

fn borrowed(names: &[Vec<u8>]) -> Vec<&[u8]> {
    names.iter().map(Vec::as_slice).collect()
}

impl Namespace {
    pub fn new() -> Self {
        Self::default()
    }

    /// A namespace of every `Directory` in the CapSet whose name is an
    /// absolute path, and the working directory granted as
    /// [`CWD_GRANT`] and its path; they are taken out of the CapSet.
    pub fn from_capset(rt: &mut Runtime) -> Self {
        let mut ns = Namespace::new();
        let cwd = CWD_GRANT.as_bytes();
        let names: Vec<Vec<u8>> = rt
            .capset()
            .entries()
            .iter()
            .filter(|e| e.interface_id == Directory::INTERFACE_ID)
            .filter(|e| e.name().starts_with(b"/") || e.name().starts_with(cwd))
            .map(|e| e.name().to_vec())
            .collect();
        for name in names {
            let Ok(text) = core::str::from_utf8(&name) else {
                continue;
            };
            if let Ok(dir) = rt.take::<Directory>(text) {
                // A name that is not a normalized path is not a mount.
                let _ = match name.strip_prefix(cwd) {
                    Some(at) => ns.enter(at, dir),
                    None => ns.mount(&name, dir),
                };
            }
        }
        ns
    }

    /// Makes `dir` the working directory, at path `at` (absolute and
    /// normalized): what a parent's working directory becomes in its
    /// child.
    pub fn enter(&mut self, at: &[u8], dir: Directory) -> Result<(), StorageError> {
        let names = path::absolute(at).ok_or(StorageError::Fs(FsError::InvalidName))?;
        self.cwd = Some(Mount {
            names: owned(&names),
            dir,
        });
        Ok(())
    }

    /// What a child is granted so that it sees the files this process
    /// does: each mount at its path, and the working directory (unless it
    /// is the root) as [`CWD_GRANT`] and its path. Each is a copy of the
    /// capability held here, so a read-only facet stays one.
    pub fn grants(&self) -> impl Iterator<Item = (Vec<u8>, &Directory)> + '_ {
        let mounts = self.mounts.iter().map(|m| (join(&m.names), &m.dir));
        let cwd = self.cwd.as_ref().map(|c| {
            let mut name = CWD_GRANT.as_bytes().to_vec();
            name.extend_from_slice(&join(&c.names));
            (name, &c.dir)
        });
        mounts.chain(cwd)
    }

    /// Mounts `dir` at `at` (absolute and normalized). A mount point
    /// already used is `exists`.
    pub fn mount(&mut self, at: &[u8], dir: Directory) -> Result<(), StorageError> {
        let names = path::absolute(at).ok_or(StorageError::Fs(FsError::InvalidName))?;
        if self.mounts.iter().any(|m| borrowed(&m.names) == names) {
            return Err(StorageError::Fs(FsError::Exists));
        }
        self.mounts.push(Mount {
            names: owned(&names),
            dir,
        });
        Ok(())
    }

    /// The directory mounted at `at`, if any.
    pub fn mounted(&self, at: &[u8]) -> Option<&Directory> {
        let names = path::absolute(at)?;
        self.mounts
            .iter()
            .find(|m| borrowed(&m.names) == names)
            .map(|m| &m.dir)
    }

    /// The mount points, in the order they were mounted.
    pub fn mount_points(&self) -> impl Iterator<Item = Vec<u8>> + '_ {
        self.mounts.iter().map(|m| join(&m.names))
    }

    /// The working directory's path.
    pub fn cwd(&self) -> Vec<u8> {
        join(self.cwd.as_ref().map_or(&[][..], |c| &c.names))
    }

    fn cwd_names(&self) -> Vec<&[u8]> {
        self.cwd.as_ref().map_or(Vec::new(), |c| borrowed(&c.names))
    }

    /// The names from the root `path` leads to, and whether its form says
    /// it is a directory.
    pub fn resolve(&self, p: &[u8]) -> Result<(Vec<Vec<u8>>, bool), StorageError> {
        let cwd = self.cwd_names();
        let r = path::resolve(&cwd, p)?;
        Ok((owned(&r.names), r.directory))
    }

    /// Every held directory with the path it covers: the mounts, then the
    /// working directory.
    fn held(&self) -> Vec<(&[Vec<u8>], &Directory)> {
        let mut held: Vec<_> = self.mounts.iter().map(|m| (&m.names[..], &m.dir)).collect();
        if let Some(c) = &self.cwd {
            held.push((&c.names[..], &c.dir));
        }
        held
    }

    /// The held directory covering `names` (the longest), and how many of
    /// the names it covers.
    fn cover(&self, names: &[Vec<u8>]) -> Result<(&Directory, usize), StorageError> {
        let held = self.held();
        let points: Vec<Vec<&[u8]>> = held.iter().map(|(n, _)| borrowed(n)).collect();
        let (i, depth) = path::locate(&points, &borrowed(names)).ok_or(StorageError::NotCovered)?;
        Ok((held[i].1, depth))
    }

    fn target(&self, names: &[Vec<u8>]) -> Result<Target<'_>, StorageError> {
        let (dir, depth) = self.cover(names)?;
        let rest = &names[depth..];
        let Some((name, between)) = rest.split_last() else {
            return Ok(Target::Held(dir));
        };
        let parent = if between.is_empty() {
            Parent::Held(dir)
        } else {
            Parent::Walked(dir.walk(&borrowed(between))?)
        };
        Ok(Target::Entry {
            parent,
            name: name.clone(),
        })
    }

    /// Opens the file or directory at `p`.
    pub fn open(&self, p: &[u8], how: OpenOptions) -> Result<Opened, StorageError> {
        let (names, directory) = self.resolve(p)?;
        let opened = match self.target(&names)? {
            Target::Held(dir) => {
                if how.create && how.exclusive {
                    return Err(StorageError::Fs(FsError::Exists));
                }
                if how.truncate {
                    return Err(StorageError::Fs(FsError::IsDirectory));
                }
                let dir = if how.read_only {
                    dir.read_only()?
                } else {
                    dir.walk(&[])?
                };
                let read_only = dir.stat()?.read_only;
                Opened {
                    node: Node::Directory(dir),
                    read_only,
                    created: false,
                    cursor: false,
                }
            }
            Target::Entry { parent, name } => parent.dir().open(&name, how)?,
        };
        if directory && matches!(opened.node, Node::File(_)) {
            return Err(StorageError::Fs(FsError::NotDirectory));
        }
        Ok(opened)
    }

    /// Opens the file at `p`; a directory is `isDirectory`.
    pub fn open_file(&self, p: &[u8], how: OpenOptions) -> Result<File, StorageError> {
        match self.open(p, how)?.node {
            Node::File(f) => Ok(f),
            Node::Directory(_) => Err(StorageError::Fs(FsError::IsDirectory)),
        }
    }

    /// Opens the directory at `p`; a file is `notDirectory`.
    pub fn open_dir(&self, p: &[u8]) -> Result<Directory, StorageError> {
        match self.open(p, OpenOptions::default())?.node {
            Node::Directory(d) => Ok(d),
            Node::File(_) => Err(StorageError::Fs(FsError::NotDirectory)),
        }
    }

    pub fn stat(&self, p: &[u8]) -> Result<Stat, StorageError> {
        let (names, directory) = self.resolve(p)?;
        let stat = match self.target(&names)? {
            Target::Held(dir) => dir.stat()?,
            Target::Entry { parent, name } => parent.dir().stat_at(&name)?,
        };
        if directory && stat.kind == Kind::File {
            return Err(StorageError::Fs(FsError::NotDirectory));
        }
        Ok(stat)
    }

    /// Makes the directory `p`, mode 0755.
    pub fn mkdir(&self, p: &[u8]) -> Result<(), StorageError> {
        self.mkdir_mode(p, 0o755)
    }

    /// Makes the directory `p` with permission bits `mode`.
    pub fn mkdir_mode(&self, p: &[u8], mode: u32) -> Result<(), StorageError> {
        let (names, _) = self.resolve(p)?;
        match self.target(&names)? {
            Target::Held(_) => Err(StorageError::Fs(FsError::Exists)),
            Target::Entry { parent, name } => parent.dir().mkdir_mode(&name, mode),
        }
    }

    pub fn unlink(&self, p: &[u8]) -> Result<(), StorageError> {
        let (names, directory) = self.resolve(p)?;
        match self.target(&names)? {
            Target::Held(_) => Err(StorageError::Fs(FsError::IsDirectory)),
            Target::Entry { parent, name } => {
                if directory {
                    // "file/" names a directory that a file cannot be.
                    let kind = parent.dir().stat_at(&name)?.kind;
                    return Err(StorageError::Fs(match kind {
                        Kind::File => FsError::NotDirectory,
                        Kind::Directory => FsError::IsDirectory,
                    }));
                }
                parent.dir().unlink(&name)
            }
        }
    }

    pub fn rmdir(&self, p: &[u8]) -> Result<(), StorageError> {
        let (names, _) = self.resolve(p)?;
        match self.target(&names)? {
            Target::Held(_) => Err(StorageError::Busy),
            Target::Entry { parent, name } => parent.dir().rmdir(&name),
        }
    }

    /// Moves `from` to `to` through the longest held directory covering
    /// both; paths under two different ones are `crossTree` (EXDEV).
    pub fn rename(&self, from: &[u8], to: &[u8]) -> Result<(), StorageError> {
        let (from, _) = self.resolve(from)?;
        let (to, _) = self.resolve(to)?;
        let (_, from_depth) = self.cover(&from)?;
        let (_, to_depth) = self.cover(&to)?;
        // The longest held directory that is a prefix of both paths.
        let held = self.held();
        let both = held
            .iter()
            .filter(|(n, _)| from.starts_with(n) && to.starts_with(n))
            .max_by_key(|(n, _)| n.len());
        let Some(&(names, dir)) = both else {
            return Err(StorageError::Fs(FsError::CrossTree));
        };
        if from.len() == from_depth || to.len() == to_depth || from.len() == names.len() {
            return Err(StorageError::Busy);
        }
        let depth = names.len();
        dir.rename(&borrowed(&from[depth..]), &borrowed(&to[depth..]))
    }

    /// Every entry of the directory at `p`.
    pub fn list(&self, p: &[u8]) -> Result<Vec<Entry>, StorageError> {
        let (names, _) = self.resolve(p)?;
        match self.target(&names)? {
            Target::Held(dir) => dir.entries(),
            Target::Entry { parent, name } => {
                let dir = parent.dir().walk(&[&name])?;
                dir.entries()
            }
        }
    }

    /// Makes `p` the working directory (it must be a directory that a
    /// mount covers).
    pub fn chdir(&mut self, p: &[u8]) -> Result<(), StorageError> {
        let (names, _) = self.resolve(p)?;
        let dir = match self.target(&names)? {
            Target::Held(dir) => dir.walk(&[])?,
            Target::Entry { parent, name } => parent.dir().walk(&[&name])?,
        };
        self.cwd = Some(Mount { names, dir });
        Ok(())
    }
}

/// `/a/b` from `["a", "b"]`; `/` from none.
fn join(names: &[Vec<u8>]) -> Vec<u8> {
    if names.is_empty() {
        return b"/".to_vec();
    }
    let mut out = Vec::new();
    for n in names {
        out.push(b'/');
        out.extend_from_slice(n);
    }
    out
}

#[cfg(test)]
mod tests;
