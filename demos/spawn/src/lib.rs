//! What the spawn services share: the echo protocol.

#![no_std]

extern crate alloc;

pub mod echo;
pub mod pipe;
