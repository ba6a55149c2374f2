//! libcapos-posix: the OS-facing layer under musl on capOS.
//!
//! musl's system call layer is rebuilt (vendor/musl/) to call
//! [`__capos_syscall`](dispatch) instead of executing `syscall`. This crate
//! implements each Linux-numbered operation over the capabilities the
//! process holds — `console` (Console), `memory` (VirtualMemory), `timer`
//! (Timer), `network` (NetworkManager) and the others state.rs names —
//! and returns what Linux would: a result, or a negative errno
//! that musl stores in its thread-local `errno`. An operation nothing backs
//! fails with a documented errno (ENOSYS when capOS has no equivalent), and
//! the first such call in a process logs one line naming it
//! (docs/posix/operations.md lists them all).
//!
//! It also owns the C program's start: capos-rt's `_start` calls
//! `capos_main` here, which builds argv, envp and the auxiliary vector from
//! the launch parameters and enters musl's `__libc_start_main`.
//!
//! It is built on libcapos (the rlib, without libcapos.a's entry), and its
//! archive carries libcapos's C functions: a POSIX program may call any
//! `capos_*` function of `<capos/capos.h>` beside POSIX. The process's one
//! capos-rt runtime and ring live in libcapos's state; the adapter takes
//! its capabilities through it (`libcapos::runtime`), and its exit ends
//! both layers with one flush.
//!
//! The process has one thread, so the state behind the calls is a global
//! that each call borrows for its duration.

#![no_std]
#![warn(clippy::undocumented_unsafe_blocks)]
// The host build only runs the unit tests of the pure parts; what uses them
// (dispatch, start) exists only for capOS.
#![cfg_attr(not(target_os = "none"), allow(dead_code))]

extern crate alloc;
#[cfg(test)]
extern crate std;

mod epoll;
mod fd;
mod file;
mod fork;
mod linux;
mod mmap;
mod poll;
mod report;
mod signal;
mod socket;
mod spawn;
mod syscalls;
mod termios;
mod vector;
mod wait;

#[cfg(target_os = "none")]
mod dispatch;
#[cfg(target_os = "none")]
mod epoll_call;
#[cfg(target_os = "none")]
mod interrupt;
#[cfg(target_os = "none")]
mod net;
#[cfg(target_os = "none")]
mod pipe;
#[cfg(target_os = "none")]
mod poll_call;
#[cfg(target_os = "none")]
mod process;
#[cfg(target_os = "none")]
mod sigcall;
#[cfg(target_os = "none")]
mod start;
#[cfg(target_os = "none")]
mod state;
#[cfg(target_os = "none")]
mod tty;
#[cfg(target_os = "none")]
mod upcall;
