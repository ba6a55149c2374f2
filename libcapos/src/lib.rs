//! libcapos: the C ABI of capOS (`libcapos.a`, header `<capos/capos.h>`).
//!
//! A thin layer over capos-rt for programs written in C. In `libcapos.a`
//! (the `c-entry` feature) it owns what happens before `main` (capos-rt's
//! `_start`, then the `entry` module calling C's
//! `int main(int argc, char **argv)`); always, the heap (`capos_alloc` and
//! friends) and exit. On top of that:
//!
//! - `capos_capset_get`: the capabilities the process started with, by
//!   name, with their interface id;
//! - `capos_call`: one raw CALL with a Cap'n Proto params message;
//! - `capos_submit`, `capos_poll`, `capos_wait_any`, `capos_complete`,
//!   `capos_abandon`: several raw calls in flight;
//! - typed calls on Console, Timer, ProcessSpawner, ProcessHandle,
//!   VirtualMemory, pipes (PipeFactory, PipeReader, PipeWriter), UDP and
//!   TCP (NetworkManager, UdpSocket, TcpConnection, TcpListener),
//!   through capos-rt's clients;
//! - `capos_release`;
//! - `capos_env_get`: the environment the spawner passed.
//!
//! Every function reports failure as a negative code (see the `error` module) and
//! never crashes on bad input it can detect: NULL pointers, bad lengths,
//! non-UTF-8 text, unknown ids and tickets. There is nothing POSIX here:
//! no errno, no file descriptors; those belong to libcapos-posix.
//!
//! No floating point crosses the C ABI: this library is built soft-float
//! (`x86_64-unknown-none`) and gcc passes floats in SSE registers, so every
//! quantity is an integer (times in nanoseconds).
//!
//! The header is generated from this source by cbindgen (`make headers`).
//!
//! # Under libcapos-posix
//!
//! The crate is also an rlib with a Rust interface ([`runtime`]), which
//! libcapos-posix builds on without the `c-entry` feature: its archive
//! carries every `capos_*` function, and its own entry point hands the
//! process's one capos-rt runtime to libcapos's state, takes the
//! capabilities it uses through it, and ends it at exit. A POSIX program
//! therefore has one runtime, one ring and one CapSet, shared by the
//! POSIX calls and the C calls here.

#![no_std]
#![warn(clippy::undocumented_unsafe_blocks)]

extern crate alloc;
#[cfg(test)]
extern crate std;

#[cfg(test)]
mod abi_tests;
// What C's two-argument `main` receives: the C entry's alone.
#[cfg(any(all(target_os = "none", feature = "c-entry"), test))]
mod argv;
mod call;
mod capset;
mod console;
mod directory;
#[cfg(all(target_os = "none", feature = "c-entry"))]
mod entry;
mod env;
mod error;
mod ffi;
mod file;
mod heap;
mod held;
mod iface;
mod memory;
mod pipe;
mod process;
mod process_info;
mod release;
pub mod runtime;
mod state;
mod submit;
mod sys;
mod tcp;
#[cfg(test)]
mod test_kernel;
mod timer;
mod udp;
