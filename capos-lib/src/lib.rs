//! Kernel logic that needs no hardware, kept out of the kernel crate so that
//! `cargo test` on the host covers it.

#![no_std]

extern crate alloc;

#[cfg(test)]
extern crate std;

pub mod account;
pub mod cap_table;
pub mod civil;
pub mod elf;
pub mod frames;
pub mod fs;
pub mod launch;
pub mod log_hold;
pub mod pipe;
pub mod service_graph;
pub mod signal;
pub mod terminal;
#[cfg(test)]
mod test_waiter;
pub mod udp;
pub mod vm_regions;
