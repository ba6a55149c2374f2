//! What virtio-drivers needs from the kernel: memory the device can reach
//! by DMA, and the kernel address of a device's registers.
//!
//! The kernel has no IOMMU and maps all of RAM below 4 GiB (the direct
//! map), so a buffer's device address is simply its physical address, and
//! sharing a buffer needs no copy.

use core::ptr::NonNull;

use virtio_drivers::{BufferDirection, Hal, PhysAddr};

use crate::mem::{frames, phys_to_virt, virt_to_phys};

pub struct KernelHal;

// SAFETY: dma_alloc hands out zeroed frames nothing else owns, through
// their direct-map address (valid, page-aligned); mmio_phys_to_virt is only
// given BARs that pci.rs checked lie inside the direct map; share returns
// the physical address of memory the kernel maps 1:1 at a fixed offset.
unsafe impl Hal for KernelHal {
    fn dma_alloc(pages: usize, _direction: BufferDirection) -> (PhysAddr, NonNull<u8>) {
        match frames::alloc_zeroed(pages as u64) {
            Some(phys) => (
                phys,
                NonNull::new(phys_to_virt(phys)).expect("the direct map is not at 0"),
            ),
            // virtio-drivers reads a zero address as "out of memory".
            None => (0, NonNull::dangling()),
        }
    }

    unsafe fn dma_dealloc(paddr: PhysAddr, _vaddr: NonNull<u8>, pages: usize) -> i32 {
        frames::free_range(paddr, pages as u64);
        0
    }

    unsafe fn mmio_phys_to_virt(paddr: PhysAddr, _size: usize) -> NonNull<u8> {
        // The direct map is write-back in the page tables, but the MTRRs
        // the firmware set make the PCI hole uncacheable, and a UC MTRR
        // wins over a WB page: device registers are never cached.
        NonNull::new(phys_to_virt(paddr)).expect("the direct map is not at 0")
    }

    unsafe fn share(buffer: NonNull<[u8]>, _direction: BufferDirection) -> PhysAddr {
        // Buffers are kernel heap (in the kernel image, physically
        // contiguous) or direct-mapped frames; both translate by offset.
        virt_to_phys(buffer.as_ptr() as *mut u8 as u64).expect("a DMA buffer in kernel memory")
    }

    unsafe fn unshare(_paddr: PhysAddr, _buffer: NonNull<[u8]>, _direction: BufferDirection) {}
}
