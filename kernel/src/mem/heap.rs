//! The kernel heap: a fixed region in .bss, so it exists before the frame
//! allocator (whose bitmap lives on it).

use linked_list_allocator::LockedHeap;

pub const SIZE: usize = 16 * 1024 * 1024;

#[repr(align(4096))]
struct HeapArea {
    _bytes: [u8; SIZE],
}

static mut HEAP_AREA: HeapArea = HeapArea { _bytes: [0; SIZE] };

#[global_allocator]
static ALLOCATOR: LockedHeap = LockedHeap::empty();

pub fn init() {
    // SAFETY: called once at boot; the area is used by nothing else.
    unsafe {
        ALLOCATOR
            .lock()
            .init(core::ptr::addr_of_mut!(HEAP_AREA) as *mut u8, SIZE);
    }
}

/// Bytes of heap in use, for leak reports.
pub fn used() -> usize {
    ALLOCATOR.lock().used()
}
