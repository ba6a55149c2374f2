//! Per-process resource quotas: the defaults a spawn gets when it does not
//! name its own (see docs/architecture/resource-limits.md).
//!
//! A child's quotas are carved out of its spawner's, so these are also what
//! a spawner gives up for each child it starts with the defaults.

/// Kernel heap a process may hold: its own process structures (about
/// 40 KiB), the capability objects it creates and the messages it has
/// queued at Endpoints.
pub const DEFAULT_KERNEL_BYTES: u64 = 256 * 1024;
/// Physical memory a process may hold: its image, heap, stack, ring, the
/// pages it maps and creates, and its page tables.
pub const DEFAULT_MEMORY_BYTES: u64 = 16 * 1024 * 1024;
