//! A page of file data: one physical frame, reached through the direct
//! map, freed when the page is dropped.

use capos_lib::fs::{PAGE_SIZE, Page};

use crate::mem::{frames, phys_to_virt};

pub struct FramePage {
    phys: u64,
}

impl Page for FramePage {
    fn zeroed() -> Option<Self> {
        frames::alloc_zeroed(1).map(|phys| FramePage { phys })
    }

    fn bytes(&self) -> &[u8; PAGE_SIZE] {
        // SAFETY: the frame is this page's alone from its allocation to
        // its drop, the direct map covers it, and it is PAGE_SIZE bytes.
        unsafe { &*(phys_to_virt(self.phys) as *const [u8; PAGE_SIZE]) }
    }

    fn bytes_mut(&mut self) -> &mut [u8; PAGE_SIZE] {
        // SAFETY: as in `bytes`; `&mut self` makes the borrow unique.
        unsafe { &mut *(phys_to_virt(self.phys) as *mut [u8; PAGE_SIZE]) }
    }
}

impl Drop for FramePage {
    fn drop(&mut self) {
        frames::free(self.phys);
    }
}
