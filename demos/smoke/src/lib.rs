//! Code shared by the smoke programs.

#![no_std]

extern crate alloc;

pub mod fault;
pub mod sse;
