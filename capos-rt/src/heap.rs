//! The global allocator, over the heap region the kernel maps for every
//! process (`capos_abi::layout::HEAP_BASE`, `HEAP_SIZE`).

use capos_abi::layout::{HEAP_BASE, HEAP_SIZE};
use linked_list_allocator::LockedHeap;

#[global_allocator]
static HEAP: LockedHeap = LockedHeap::empty();

/// Hands the heap region to the allocator.
///
/// # Safety
/// Call once, before anything allocates, in a process whose heap region is
/// mapped read-write (the kernel's start-up contract).
pub unsafe fn init() {
    // SAFETY: per the contract the region is mapped, writable, unused and
    // ours alone, and this is the only call.
    unsafe { HEAP.lock().init(HEAP_BASE as *mut u8, HEAP_SIZE as usize) }
}
