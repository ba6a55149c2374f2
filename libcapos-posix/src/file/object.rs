//! What a file or directory descriptor holds.

use alloc::vec::Vec;
use capos_rt::{Directory, File};
use core::cell::Cell;

pub struct FileObject {
    pub file: File,
    /// The file offset, shared by every descriptor `dup` made.
    pub offset: Cell<u64>,
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
    pub fn new(file: File, read: bool, write: bool) -> Self {
        FileObject {
            file,
            offset: Cell::new(0),
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
