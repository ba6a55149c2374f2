//! What the bench programs share.

#![no_std]

/// The interface bench-echo's Endpoint serves (made up; only the two
/// programs use it).
pub const ECHO_INTERFACE: u64 = 0xbe4c_0000_0000_0001;
