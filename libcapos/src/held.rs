//! The capabilities libcapos owns on behalf of the C program, by id.
//!
//! C code names capabilities by their raw 32-bit ids. Behind each id that
//! came from `capos_capset_get`, `capos_spawn` or `capos_pipe_create` sits the capos-rt client
//! that owns it, so typed calls go through capos-rt's clients and a release
//! goes through capos-rt's release. A typed call on an id that is not here
//! fails with `CAPOS_E_NOT_HELD`; on an id of another interface, with
//! `CAPOS_E_WRONG_INTERFACE`, before anything reaches the kernel.

use crate::error::{CAPOS_E_NOT_HELD, CAPOS_E_WRONG_INTERFACE};
use alloc::collections::BTreeMap;
use capos_rt::{
    Cap, Client, Console, Directory, File, NetworkManager, PipeFactory, PipeReader, PipeWriter,
    ProcessForker, ProcessHandle, ProcessSpawner, TcpConnection, TcpListener, Timer, UdpSocket,
    VirtualMemory,
};

/// One owned capability, typed where libcapos has a wrapper for its
/// interface.
pub enum Held {
    Console(Console),
    Timer(Timer),
    Spawner(ProcessSpawner),
    Process(ProcessHandle),
    Forker(ProcessForker),
    Memory(VirtualMemory),
    Pipes(PipeFactory),
    PipeReader(PipeReader),
    PipeWriter(PipeWriter),
    Network(NetworkManager),
    Udp(UdpSocket),
    Tcp(TcpConnection),
    TcpListener(TcpListener),
    Directory(Directory),
    File(File),
    /// A capability of an interface libcapos has no typed calls for; raw
    /// calls reach it.
    Other(Cap),
}

impl Held {
    pub fn cap(&self) -> &Cap {
        match self {
            Held::Console(c) => c.cap(),
            Held::Timer(c) => c.cap(),
            Held::Spawner(c) => c.cap(),
            Held::Process(c) => c.cap(),
            Held::Forker(c) => c.cap(),
            Held::Memory(c) => c.cap(),
            Held::Pipes(c) => c.cap(),
            Held::PipeReader(c) => c.cap(),
            Held::PipeWriter(c) => c.cap(),
            Held::Network(c) => c.cap(),
            Held::Udp(c) => c.cap(),
            Held::Tcp(c) => c.cap(),
            Held::TcpListener(c) => c.cap(),
            Held::Directory(c) => c.cap(),
            Held::File(c) => c.cap(),
            Held::Other(cap) => cap,
        }
    }

    pub fn into_cap(self) -> Cap {
        match self {
            Held::Console(c) => c.into_cap(),
            Held::Timer(c) => c.into_cap(),
            Held::Spawner(c) => c.into_cap(),
            Held::Process(c) => c.into_cap(),
            Held::Forker(c) => c.into_cap(),
            Held::Memory(c) => c.into_cap(),
            Held::Pipes(c) => c.into_cap(),
            Held::PipeReader(c) => c.into_cap(),
            Held::PipeWriter(c) => c.into_cap(),
            Held::Network(c) => c.into_cap(),
            Held::Udp(c) => c.into_cap(),
            Held::Tcp(c) => c.into_cap(),
            Held::TcpListener(c) => c.into_cap(),
            Held::Directory(c) => c.into_cap(),
            Held::File(c) => c.into_cap(),
            Held::Other(cap) => cap,
        }
    }
}

/// Defines a getter returning the typed client behind an id.
macro_rules! typed {
    ($name:ident, $variant:ident, $client:ty) => {
        pub fn $name(&self, id: u32) -> Result<&$client, i32> {
            match self.get(id)? {
                Held::$variant(client) => Ok(client),
                _ => Err(CAPOS_E_WRONG_INTERFACE),
            }
        }
    };
}

#[derive(Default)]
pub struct Table {
    by_id: BTreeMap<u32, Held>,
}

impl Table {
    /// Files a capability under its id and returns the id.
    pub fn insert(&mut self, held: Held) -> u32 {
        let id = held.cap().id();
        self.by_id.insert(id, held);
        id
    }

    pub fn get(&self, id: u32) -> Result<&Held, i32> {
        self.by_id.get(&id).ok_or(CAPOS_E_NOT_HELD)
    }

    /// Drops every ProcessHandle: a forked child's copies of its parent's,
    /// which name nothing in the child (handles are not transferable).
    pub fn drop_process_handles(&mut self) {
        self.by_id
            .retain(|_, held| !matches!(held, Held::Process(_)));
    }

    pub fn remove(&mut self, id: u32) -> Result<Held, i32> {
        self.by_id.remove(&id).ok_or(CAPOS_E_NOT_HELD)
    }

    typed!(console, Console, Console);
    typed!(timer, Timer, Timer);
    typed!(spawner, Spawner, ProcessSpawner);
    typed!(process, Process, ProcessHandle);
    typed!(forker, Forker, ProcessForker);
    typed!(memory, Memory, VirtualMemory);
    typed!(pipes, Pipes, PipeFactory);
    typed!(pipe_reader, PipeReader, PipeReader);
    typed!(pipe_writer, PipeWriter, PipeWriter);
    typed!(network, Network, NetworkManager);
    typed!(udp, Udp, UdpSocket);
    typed!(tcp, Tcp, TcpConnection);
    typed!(tcp_listener, TcpListener, TcpListener);
    typed!(directory, Directory, Directory);
    typed!(file, File, File);
}
