//! Descriptors crossing a spawn (decision 1 of §6): the parent grants the
//! capability behind each inheritable descriptor under the CapSet name
//! "fd/N"; the child's adapter builds its table from those entries. This
//! file is the one place that maps a descriptor's object to a capability
//! and back; each descriptor kind adds its arm to [`object`] and
//! [`capability`].
//!
//! A UDP socket crosses as its kernel socket, which has its port (one is
//! made first if the socket had none: Linux's automatic binding, done at
//! the spawn). Its POSIX state stays behind: the child's copy is bound,
//! unconnected, with default options. A connected socket therefore does
//! not cross (the child would hear from anyone where the parent hears
//! only its peer): the spawn fails with EINVAL and a report line, unless
//! the descriptor is close-on-exec (SOCK_CLOEXEC).

use crate::fd::FdTable;
use crate::file::object::{DirObject, FileObject};
use crate::net::Failure;
use crate::net::object::UdpFd;
use crate::net::stream::{StreamCap, TcpFd};
use crate::spawn;
use crate::state::{Object, Open, State};
use alloc::rc::Rc;
use alloc::vec::Vec;
use capos_rt::{
    AnyCap, Cap, Client, Console, Directory, File, PipeReader, PipeWriter, TcpConnection,
    TcpListener, Terminal, UdpSocket,
};
use libcapos::runtime;

/// Why a connected socket does not cross a spawn.
pub const CONNECTED_SOCKET: &str = "a connected UDP socket cannot be passed to a child \
(its association stays in this process); open it with SOCK_CLOEXEC";

/// The open file description for a capability granted as "fd/N"; None
/// (the capability released) if no descriptor kind implements its
/// interface, or a socket's port cannot be read.
pub fn open(cap: AnyCap) -> Option<Open> {
    if cap.interface_id() == File::INTERFACE_ID {
        return cap.into_client::<File>().ok().map(file);
    }
    object(cap).map(Open::new)
}

/// A file descriptor's description. The kernel's File capability is the
/// parent's open file description: the offset and O_APPEND are shared
/// with it (File.description reads them back). A server that keeps no
/// offset fails `description`: the child then starts at offset 0 of its
/// own. The access is what the capability allows.
fn file(file: File) -> Open {
    let (cursor, append, read_only) = match file.description() {
        Ok(d) => (true, d.append, d.read_only),
        Err(_) => (false, false, file.stat().map_or(true, |st| st.read_only)),
    };
    let open = Open::new(Object::File(FileObject::new(
        file, cursor, 0, true, !read_only,
    )));
    if append {
        open.status.set(crate::linux::fcntl::O_APPEND);
    }
    open
}

/// The descriptor object for a capability granted as "fd/N" (a File's
/// is [`open`]'s).
fn object(cap: AnyCap) -> Option<Object> {
    match cap.interface_id() {
        Console::INTERFACE_ID => cap.into_client::<Console>().ok().map(Object::Console),
        PipeReader::INTERFACE_ID => cap.into_client::<PipeReader>().ok().map(Object::PipeReader),
        PipeWriter::INTERFACE_ID => cap.into_client::<PipeWriter>().ok().map(Object::PipeWriter),
        Terminal::INTERFACE_ID => cap.into_client::<Terminal>().ok().map(Object::Terminal),
        Directory::INTERFACE_ID => cap
            .into_client::<Directory>()
            .ok()
            .map(|dir| Object::Directory(DirObject::new(dir, None))),
        UdpSocket::INTERFACE_ID => {
            let socket = cap.into_client::<UdpSocket>().ok()?;
            UdpFd::inherited(socket).ok().map(Object::Udp)
        }
        // A TCP socket crosses as its connection or listener; its options
        // stay behind.
        TcpConnection::INTERFACE_ID => cap
            .into_client::<TcpConnection>()
            .ok()
            .map(|c| Object::Tcp(TcpFd::with(StreamCap::Connection(c)))),
        TcpListener::INTERFACE_ID => cap
            .into_client::<TcpListener>()
            .ok()
            .map(|l| Object::Tcp(TcpFd::with(StreamCap::Listener(l)))),
        _ => None,
    }
}

/// The capability behind a descriptor's object, to grant to a child;
/// None for a socket, whose capability [`socket`] gives.
pub fn capability(object: &Object) -> Option<&Cap> {
    match object {
        Object::Console(console) => Some(console.cap()),
        Object::PipeReader(reader) => Some(reader.cap()),
        Object::PipeWriter(writer) => Some(writer.cap()),
        Object::File(f) => Some(f.file.cap()),
        Object::Directory(d) => Some(d.dir.cap()),
        Object::Terminal(t) => Some(t.cap()),
        Object::Udp(_) => None,
        // A fresh or bound TCP socket has nothing in the kernel yet: it
        // does not cross (EINVAL at the spawn).
        // An interest list has no capability: it does not cross.
        Object::Epoll(_) => None,
        Object::Tcp(t) => match t.kernel()? {
            StreamCap::Connection(c) => Some(c.cap()),
            StreamCap::Listener(l) => Some(l.cap()),
        },
    }
}

/// The kernel socket to grant for a socket descriptor (made first if the
/// socket has no port); None for other objects. A connected socket is
/// refused (see the module's notes).
pub fn socket(s: &State, object: &Object) -> Result<Option<Rc<UdpSocket>>, Failure> {
    let Object::Udp(u) = object else {
        return Ok(None);
    };
    if u.udp.borrow().connected().is_some() {
        return Err(Failure {
            errno: crate::linux::errno::EINVAL,
            report: Some(CONNECTED_SOCKET.into()),
        });
    }
    u.ensure_port(s).map(Some)
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
        if let Some(open) = open(cap) {
            // Cannot fail: fd is below MAX_FDS and free (names are unique).
            let _ = fds.open_from(fd, Rc::new(open), false);
        }
    }
    Some(fds)
}
