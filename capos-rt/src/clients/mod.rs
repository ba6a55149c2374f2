//! Typed clients of the kernel's capabilities.

/// Defines a client type `$name` owning one capability of interface `$iface`.
macro_rules! client {
    ($name:ident, $iface:expr) => {
        pub struct $name {
            cap: $crate::cap::Cap,
        }

        impl $crate::clients::Client for $name {
            const INTERFACE_ID: u64 = $iface;

            fn from_cap(cap: $crate::cap::Cap) -> Self {
                $name { cap }
            }

            fn cap(&self) -> &$crate::cap::Cap {
                &self.cap
            }

            fn into_cap(self) -> $crate::cap::Cap {
                self.cap
            }
        }
    };
}
use client;

mod boot_package;
mod console;
mod directory;
mod endpoint;
mod endpoint_client;
mod endpoint_factory;
mod entropy_source;
mod file;
mod forker;
mod mapping;
mod memory_object;
mod network_manager;
mod pipe;
mod pipe_factory;
mod process;
mod spawner;
mod storage;
mod tcp;
mod terminal;
mod timer;
mod udp_socket;
mod virtual_memory;

pub use boot_package::{BootPackage, MAX_MANIFEST_CHUNK};
pub use console::Console;
pub use directory::{Directory, Entry, LIST_BATCH, Node, OpenOptions, Opened};
pub use endpoint::{Endpoint, Incoming, PendingRecv};
pub use endpoint_client::{ENDPOINT_RESULT_BYTES, EndpointClient};
pub use endpoint_factory::EndpointFactory;
pub use entropy_source::{EntropySource, MAX_ENTROPY_CHUNK};
pub use file::{Description, File, MAX_FILE_CHUNK, TimeChange, Whence};
pub use forker::{Forked, ProcessForker};
pub use mapping::Mapping;
pub use memory_object::MemoryObject;
pub use network_manager::{NetStats, NetworkManager, TcpStats};
pub use pipe::{MAX_PIPE_CHUNK, PipeReader, PipeWriter, Read, Readiness};
pub use pipe_factory::PipeFactory;
pub use process::{ExitStatus, Fault, ProcessHandle};
pub use spawner::{Child, Grant, Limits, ProcessSpawner, Share};
pub use storage::{Stat, StorageError};
pub use tcp::{
    Failure as TcpFailure, MAX_TCP_CHUNK, Received, Sent, StreamReadiness, StreamWait,
    TcpConnection, TcpListener,
};
pub use terminal::{NCCS, TermRead, TermReadiness, TermStats, Terminal, TerminalMode};
pub use timer::{SignalWait, Signals, Timer, UpcallEntry};
pub use udp_socket::{Recv, RecvWait, SocketStats, UdpSocket};
pub use virtual_memory::{PROT_EXEC, PROT_NONE, PROT_READ, PROT_WRITE, VirtualMemory};

use crate::cap::Cap;

/// A typed client: wraps one owned capability of one interface.
pub trait Client {
    /// The interface (schema type id) this client speaks.
    const INTERFACE_ID: u64;

    /// Wraps `cap`. Every call names [`Client::INTERFACE_ID`], so wrapping
    /// a capability of another interface makes calls fail with
    /// `WRONG_INTERFACE`, never run the wrong method.
    fn from_cap(cap: Cap) -> Self;

    fn cap(&self) -> &Cap;

    /// Unwraps the capability, for example to [`Cap::release`] it now.
    fn into_cap(self) -> Cap;
}
