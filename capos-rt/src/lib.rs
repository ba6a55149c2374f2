//! capos-rt: the native runtime of capOS user programs.
//!
//! # Writing a program
//!
//! ```ignore
//! #![no_std]
//! #![no_main]
//! use capos_rt::{Console, Runtime, println};
//!
//! capos_rt::entry!(main);
//!
//! fn main(mut rt: Runtime) -> i64 {
//!     let Ok(console) = rt.take::<Console>("console") else { return 1 };
//!     println!(console, "hello from pid {}", rt.pid());
//!     0
//! }
//! ```
//!
//! The binary links `capos-rt/user.ld` (from its build.rs) and is built for
//! `x86_64-unknown-none` with the static relocation model.
//!
//! # Start-up
//!
//! The kernel enters `_start` (here) with RDI = ring, RSI = pid, RDX =
//! CapSet. The runtime hands the heap region to the global allocator,
//! checks the ring header and the CapSet (exiting with 102 or 103 if they
//! are invalid), and calls the program's `capos_main`, defined by
//! [`entry!`]. `main`'s return value is the exit code. A panic prints
//! `panic: <message> at <file>:<line>` on the CapSet's "console" (if any)
//! and exits with 101.
//!
//! # Launch parameters
//!
//! [`Runtime::args`], [`Runtime::env`] and [`Runtime::var`] read the argv
//! and environment the spawner passed, from the read-only launch region
//! (`capos_lib::launch`), which start-up checks (exiting with 104 if it is
//! invalid).
//!
//! # Capabilities
//!
//! [`Runtime::take`] moves a capability out of the CapSet into a typed
//! client ([`Console`], [`Timer`], [`ProcessSpawner`], [`ProcessHandle`],
//! [`VirtualMemory`], [`MemoryObject`], [`BootPackage`],
//! [`EndpointFactory`], [`Endpoint`]) after checking its interface id;
//! [`Runtime::take_any`] takes one as an [`AnyCap`], whatever its
//! interface. A client owns its capability; dropping it queues a RELEASE
//! that reaches the kernel at the process's next `cap_enter` (any later
//! call or wait, or the flush after `main` returns).
//!
//! All calls go through one [`RingClient`]: several may be in flight
//! ([`Cap::submit`], [`Timer::sleep_async`]), and completions that arrive
//! while waiting for another call are kept for their owners.
//!
//! # Endpoints
//!
//! A server holds an [`Endpoint`] (the owner facet): [`Endpoint::recv`]
//! waits for a call ([`Incoming`]: call id, method, params, capabilities),
//! and [`Endpoint::reply`] or [`Endpoint::reply_exception`] answers it.
//! Its clients hold an [`EndpointClient`], which calls any method of the
//! Endpoint's interface with a Cap'n Proto params message. Both directions
//! can carry capabilities ([`Transfer::Copy`] or [`Transfer::Move`]);
//! received ones arrive as [`AnyCap`]s, owned by the receiver. A moved
//! capability that the kernel gives back (the request failed before
//! delivery) comes back in [`TransferError::restored`].

#![no_std]
#![warn(clippy::undocumented_unsafe_blocks)]

extern crate alloc;
#[cfg(test)]
extern crate std;

mod any_cap;
mod cap;
mod capset;
mod client;
mod clients;
mod completions;
mod error;
pub mod message;
mod namespace;
mod pending;
mod print;
mod reply;
mod ring;
mod runtime;
mod scratch;
mod transfer;
mod wire;

#[cfg(target_os = "none")]
mod heap;
#[cfg(any(target_os = "none", test))]
mod launch;
#[cfg(any(target_os = "none", test))]
mod line_buf;
#[cfg(target_os = "none")]
mod panic;
#[cfg(any(target_os = "none", test))]
mod panic_line;
#[cfg(target_os = "none")]
mod start;
#[cfg(target_os = "none")]
pub mod syscall;
/// A simulated kernel for host tests, here and (with the `test-kernel`
/// feature) in crates built on capos-rt.
#[cfg(any(test, feature = "test-kernel"))]
pub mod test_kernel;

pub use any_cap::AnyCap;
pub use cap::Cap;
pub use capos_lib::fs::{FsError, Kind as NodeKind};
pub use capos_lib::launch::{Launch, Strings};
pub use capos_lib::udp::Endpoint as UdpEndpoint;
pub use capos_schema::{ExceptionType, FaultKind};
pub use capset::{CapSet, CapSetError, LookupError};
pub use client::{
    CallRequest, CallTarget, DEFAULT_RESULT_BYTES, Kernel, RingClient, SharedRing, SyncParams,
};
pub use clients::{
    BootPackage, Child, Client, Console, ENDPOINT_RESULT_BYTES, Endpoint, EndpointClient,
    EndpointFactory, EntropySource, ExitStatus, Fault, Grant, Incoming, Limits, MAX_ENTROPY_CHUNK,
    MAX_MANIFEST_CHUNK, MAX_PIPE_CHUNK, Mapping, MemoryObject, NetStats, NetworkManager, PROT_EXEC,
    PROT_NONE, PROT_READ, PROT_WRITE, PendingRecv, PipeFactory, PipeReader, PipeWriter,
    ProcessHandle, ProcessSpawner, Read, Readiness, Recv, RecvWait, Share, SocketStats, Timer,
    UdpSocket, VirtualMemory,
};
pub use clients::{
    Description, Directory, Entry, File, LIST_BATCH, MAX_FILE_CHUNK, Node, OpenOptions, Opened,
    Stat, StorageError, TimeChange, Whence,
};
pub use clients::{Forked, ProcessForker};
pub use clients::{
    MAX_TCP_CHUNK, Received, Sent, StreamReadiness, StreamWait, TcpConnection, TcpFailure,
    TcpListener, TcpStats,
};
pub use clients::{NCCS, TermRead, TermReadiness, TermStats, Terminal, TerminalMode};
pub use clients::{SignalWait, Signals, UpcallEntry};
pub use completions::{Completion, Token};
pub use error::{DecodeError, Error};
pub use message::Message;
pub use namespace::{CWD_GRANT, Namespace};
pub use pending::PendingCall;
pub use reply::Reply;
pub use ring::{RingError, RingView};
pub use runtime::Runtime;
pub use transfer::{Transfer, TransferError};

#[cfg(target_os = "none")]
pub use panic::PANIC_EXIT_CODE;
#[cfg(target_os = "none")]
pub use start::{EXIT_BAD_CAPSET, EXIT_BAD_LAUNCH, EXIT_BAD_RING};
