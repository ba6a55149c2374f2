//! VirtualMemory: protection bits and the region anonymous mappings use.

pub const PROT_NONE: u32 = 0;
pub const PROT_READ: u32 = 1;
pub const PROT_WRITE: u32 = 2;
pub const PROT_EXEC: u32 = 4;

/// Start of the region VirtualMemory.map allocates from.
pub const VM_BASE: u64 = 0x10_0000_0000;
/// End (exclusive) of that region.
pub const VM_LIMIT: u64 = 0x7000_0000_0000;
/// Largest single mapping, in bytes.
pub const MAX_MAP_SIZE: u64 = 1 << 32;
