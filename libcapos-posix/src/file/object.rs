//! What a file or directory descriptor holds.

use alloc::vec::Vec;
use capos_rt::{Directory, File};
use core::cell::Cell;

pub struct FileObject {
    /// The node, and (when `local` is None) the open file description:
    /// its offset and append flag live in the File capability's object,
    /// shared by every copy of it (a descriptor passed to a child).
    pub file: File,
    /// The offset, kept here for a File whose server keeps none (a
    /// userspace server answering `cursor` false): shared by every
    /// descriptor `dup` made, not by a child's.
    pub local: Option<Cell<u64>>,
    /// The access mode it was opened with.
    pub read: bool,
    pub write: bool,
}

pub struct DirObject {
    pub dir: Directory,
    /// Its absolute path, when it was opened by one: `*at` calls then
    /// resolve against it through the namespace (so `..` climbs as far as
    /// the mounts allow), and `fchdir` can go there. A directory passed by
    /// a parent has none: paths below it resolve inside it alone.
    pub path: Option<Vec<u8>>,
    /// `getdents64`'s position: 0 before ".", 1 before "..", then 2 plus
    /// the listing cursor of the last entry returned.
    pub pos: Cell<u64>,
}

impl FileObject {
    /// `cursor`: the File's server keeps its offset (the kernel's store
    /// does); otherwise this object keeps it, from `offset`.
    pub fn new(file: File, cursor: bool, offset: u64, read: bool, write: bool) -> Self {
        FileObject {
            file,
            local: (!cursor).then(|| Cell::new(offset)),
            read,
            write,
        }
    }
}

impl DirObject {
    pub fn new(dir: Directory, path: Option<Vec<u8>>) -> Self {
        DirObject {
            dir,
            path,
            pos: Cell::new(0),
        }
    }
}
