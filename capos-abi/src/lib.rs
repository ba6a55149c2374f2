//! The binary contract between the capOS kernel and user processes.
//!
//! Everything here is plain `repr(C)` data and constants: no allocation, no
//! hardware. Kernel and userspace both depend on this crate, so a layout can
//! never drift between them, and the host test suite pins every offset.

#![no_std]

pub mod capset;
pub mod error;
pub mod ipc;
pub mod layout;
pub mod limits;
pub mod pipe;
pub mod ring;
pub mod syscall;
pub mod tcp;
pub mod terminal;
pub mod udp;
pub mod upcall;
pub mod vm;
