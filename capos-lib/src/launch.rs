//! Launch parameters: the argv and environment a process starts with.
//!
//! The kernel writes them, encoded by [`encode()`], into a read-only region at
//! [`capos_abi::layout::LAUNCH_VADDR`]; runtimes read them back with
//! [`decode()`]. init calls [`encode()`] too, while validating its service graph,
//! so a manifest whose parameters could never be written fails before
//! anything starts.
//!
//! # Layout
//!
//! All integers are little-endian `u32`; every offset counts from the start
//! of the region.
//!
//! | Offset | Size         | Field                                           |
//! |--------|--------------|-------------------------------------------------|
//! | 0      | 4            | magic, `"LNCH"` ([`MAGIC`])                     |
//! | 4      | 4            | version ([`VERSION`])                           |
//! | 8      | 4            | total length of the encoded parameters          |
//! | 12     | 4            | argc                                            |
//! | 16     | 4            | envc                                            |
//! | 20     | 4            | offset of the argv table                        |
//! | 24     | 4            | offset of the env table                         |
//! | 28     | 4            | reserved, zero                                  |
//! | 32     | 4 × argc     | argv table: offset of each argument             |
//! | …      | 4 × envc     | env table: offset of each `KEY=VALUE` entry     |
//! | …      | …            | the strings, each followed by one NUL byte      |
//!
//! [`encode()`] writes the tables right after the header and the strings right
//! after the tables, in order. [`decode()`] accepts any placement that keeps
//! the tables 4-byte aligned and every byte it refers to past the header and
//! inside the total length, because the region is untrusted input to
//! whoever reads it.
//!
//! Strings keep their NUL in the region so that a C runtime can hand out
//! `LAUNCH_VADDR + offset` as a `char *` without copying: see
//! [`Strings::offset`] and [`Strings::c_str`].

mod decode;
mod encode;
mod env;
mod error;
mod header;
mod strings;
#[cfg(test)]
mod tests;

pub use decode::{Launch, decode};
pub use encode::encode;
pub use error::{LaunchError, List};
pub use strings::Strings;

/// Header magic: "LNCH" in little-endian.
pub const MAGIC: u32 = u32::from_le_bytes(*b"LNCH");
pub const VERSION: u32 = 1;
/// Size of the fixed header.
pub const HEADER_SIZE: usize = 32;
/// Most arguments a process may start with.
pub const MAX_ARGS: usize = 1024;
/// Most environment entries a process may start with.
pub const MAX_ENV: usize = 1024;
/// Most bytes the encoded parameters may take: the size of the region the
/// kernel reserves for them.
pub const MAX_SIZE: usize = capos_abi::layout::LAUNCH_MAX_SIZE as usize;
