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

/// Where the kernel image is linked; it is mapped at `KERNEL_VMA + phys`.
pub const KERNEL_VMA: u64 = 0xffff_ffff_8000_0000;

pub fn phys_to_virt(phys: u64) -> *mut u8 {
    (PHYS_OFFSET + phys) as *mut u8
}

/// The physical address of a kernel address: one in the kernel image
/// (its statics and heap) or in the direct map. Devices reading kernel
/// buffers by DMA need it. `None` for any other address.
pub fn virt_to_phys(virt: u64) -> Option<u64> {
    if virt >= KERNEL_VMA {
        Some(virt - KERNEL_VMA)
    } else if (PHYS_OFFSET..PHYS_OFFSET + DIRECT_MAP_SIZE).contains(&virt) {
        Some(virt - PHYS_OFFSET)
    } else {
        None
    }
}
