//! What a read-only facet may do.
//!
//! A capability to a node is either writable or a read-only facet. The
//! facet is the capability's, not the node's: the same directory can be
//! held writable by one process and read-only by another. A read-only
//! facet refuses every mutation with [`FsError::ReadOnly`] (EROFS), and
//! whatever it opens is read-only too, so authority only ever narrows
//! (docs/proposals/storage-and-naming-proposal.md, rule 5).

use super::store::{NodeId, Open};
use super::{FsError, Kind, Page, Store};

/// Refuses a mutation through a read-only facet.
pub fn mutate(read_only: bool) -> Result<(), FsError> {
    if read_only {
        Err(FsError::ReadOnly)
    } else {
        Ok(())
    }
}

/// What an `open` gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Opened {
    pub node: NodeId,
    pub kind: Kind,
    pub created: bool,
    /// The capability to make for it is a read-only facet.
    pub read_only: bool,
}

/// `Directory.open` of `name` in `dir` through a facet that is read-only
/// or not, asking for a read-only result or not.
///
/// Through a read-only directory nothing is created or truncated: a
/// missing name asked to be created is `readOnly` (as Linux's EROFS), an
/// existing one asked to be created exclusively is still `exists`.
pub fn open<P: Page>(
    store: &mut Store<P>,
    dir: NodeId,
    dir_read_only: bool,
    name: &[u8],
    how: Open,
    read_only: bool,
    now: u64,
) -> Result<Opened, FsError> {
    if how.exclusive && !how.create {
        return Err(FsError::InvalidArgument);
    }
    let (node, created) = if dir_read_only {
        let node = match store.lookup(dir, name) {
            Ok(_) if how.create && how.exclusive => return Err(FsError::Exists),
            Ok(node) => node,
            Err(FsError::NotFound) if how.create => return Err(FsError::ReadOnly),
            Err(e) => return Err(e),
        };
        if how.truncate {
            return Err(match store.kind(node)? {
                Kind::Directory => FsError::IsDirectory,
                Kind::File => FsError::ReadOnly,
            });
        }
        (node, false)
    } else {
        store.open(dir, name, how, now)?
    };
    Ok(Opened {
        node,
        kind: store.kind(node)?,
        created,
        read_only: dir_read_only || read_only,
    })
}
