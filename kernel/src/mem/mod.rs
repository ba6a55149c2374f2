//! Physical memory, the kernel heap and address spaces.
//!
//! All RAM below 4 GiB is mapped at [`PHYS_OFFSET`] (the direct map, built
//! by boot.S), so the kernel reaches any frame, including a process's ring
//! or buffers, through its physical address without touching user mappings.

pub mod frames;
pub mod heap;
pub mod kernel_map;
pub mod paging;

pub const PHYS_OFFSET: u64 = 0xffff_8000_0000_0000;
/// The direct map covers this much physical memory.
pub const DIRECT_MAP_SIZE: u64 = 4 << 30;

pub fn phys_to_virt(phys: u64) -> *mut u8 {
    (PHYS_OFFSET + phys) as *mut u8
}
