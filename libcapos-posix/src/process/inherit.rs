//! Descriptors crossing a spawn (decision 1 of §6): the parent grants the
//! capability behind each inheritable descriptor under the CapSet name
//! "fd/N"; the child's adapter builds its table from those entries. This
//! file is the one place that maps a descriptor's object to a capability
//! and back; each descriptor kind adds its arm to [`object`] and
//! [`capability`].

use crate::fd::FdTable;
use crate::file::object::{DirObject, FileObject};
use crate::spawn;
use crate::state::{Object, Open};
use alloc::rc::Rc;
use alloc::vec::Vec;
use capos_rt::{AnyCap, Cap, Client, Console, Directory, File, PipeReader, PipeWriter};
use libcapos::runtime;

/// The descriptor object for a capability granted as "fd/N"; the
/// capability back if no descriptor kind implements its interface.
pub fn object(cap: AnyCap) -> Result<Object, AnyCap> {
    match cap.interface_id() {
        Console::INTERFACE_ID => cap.into_client::<Console>().map(Object::Console),
        PipeReader::INTERFACE_ID => cap.into_client::<PipeReader>().map(Object::PipeReader),
        PipeWriter::INTERFACE_ID => cap.into_client::<PipeWriter>().map(Object::PipeWriter),
        // The parent's offset is not shared: it lives in the parent
        // (docs/posix/operations.md). The access is what the capability
        // allows.
        File::INTERFACE_ID => cap.into_client::<File>().map(|file| {
            let write = file.stat().is_ok_and(|st| !st.read_only);
            Object::File(FileObject::new(file, true, write))
        }),
        Directory::INTERFACE_ID => cap
            .into_client::<Directory>()
            .map(|dir| Object::Directory(DirObject::new(dir, None))),
        _ => Err(cap),
    }
}

/// The capability behind a descriptor's object, to grant to a child.
pub fn capability(object: &Object) -> &Cap {
    match object {
        Object::Console(console) => console.cap(),
        Object::PipeReader(reader) => reader.cap(),
        Object::PipeWriter(writer) => writer.cap(),
        Object::File(f) => f.file.cap(),
        Object::Directory(d) => d.dir.cap(),
    }
}

/// The descriptor table the parent passed, or None if the CapSet holds no
/// "fd/N" entry (a process init started: the console at 1 and 2). An
/// entry whose interface no descriptor kind implements is released and
/// its descriptor stays closed.
pub fn table() -> Option<FdTable<Open>> {
    let granted: Vec<usize> = runtime::with_runtime(|rt| {
        rt.capset()
            .entries()
            .iter()
            .filter_map(|entry| spawn::fd_of_grant(entry.name()))
            .collect()
    })?;
    if granted.is_empty() {
        return None;
    }
    let mut fds = FdTable::default();
    for fd in granted {
        let Ok(cap) = runtime::take_any(&spawn::fd_grant_name(fd)) else {
            continue;
        };
        if let Ok(object) = object(cap) {
            // Cannot fail: fd is below MAX_FDS and free (names are unique).
            let _ = fds.open_from(fd, Rc::new(Open::new(object)), false);
        }
    }
    Some(fds)
}
