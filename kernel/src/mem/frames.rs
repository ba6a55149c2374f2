//! The global physical frame allocator, over capos-lib's bitmap.

use capos_lib::frames::{FRAME_SIZE, FrameBitmap};
use spin::Mutex;

use super::{DIRECT_MAP_SIZE, phys_to_virt};

static FRAMES: Mutex<Option<FrameBitmap>> = Mutex::new(None);

/// A RAM range from the boot memory map.
pub struct Region {
    pub start: u64,
    pub end: u64,
}

/// Builds the allocator from usable RAM minus the reserved ranges (the low
/// megabyte, the kernel image, the boot module).
pub fn init(ram: &[Region], reserved: &[Region]) {
    let top = ram
        .iter()
        .map(|r| r.end)
        .max()
        .unwrap_or(0)
        .min(DIRECT_MAP_SIZE);
    let mut bitmap = FrameBitmap::new(top / FRAME_SIZE);
    for r in ram {
        bitmap.add_free_range(r.start, r.end.min(top));
    }
    bitmap.reserve_range(0, 1 << 20);
    for r in reserved {
        bitmap.reserve_range(r.start, r.end);
    }
    *FRAMES.lock() = Some(bitmap);
}

/// Allocates `count` contiguous zeroed frames; returns the physical address.
pub fn alloc_zeroed(count: u64) -> Option<u64> {
    let first = FRAMES.lock().as_mut()?.alloc_contiguous(count)?;
    let phys = first * FRAME_SIZE;
    // SAFETY: the frames were just allocated, so nothing else uses them, and
    // the direct map covers every frame the bitmap manages.
    unsafe { core::ptr::write_bytes(phys_to_virt(phys), 0, (count * FRAME_SIZE) as usize) };
    Some(phys)
}

/// Allocates one frame holding a copy of the frame at `src` (a fork's
/// eager copy: zeroing it first would be wasted work).
pub fn alloc_copy(src: u64) -> Option<u64> {
    let phys = FRAMES.lock().as_mut()?.alloc_contiguous(1)? * FRAME_SIZE;
    // SAFETY: the new frame was just allocated, so nothing else uses it;
    // `src` is a frame the caller owns; both lie in the direct map.
    unsafe {
        core::ptr::copy_nonoverlapping(phys_to_virt(src), phys_to_virt(phys), FRAME_SIZE as usize)
    };
    Some(phys)
}

pub fn free(phys: u64) {
    if let Some(bitmap) = FRAMES.lock().as_mut()
        && let Err(e) = bitmap.free(phys / FRAME_SIZE)
    {
        crate::kprintln!("kernel: BUG: freeing frame {phys:#x}: {e:?}");
    }
}

pub fn free_count() -> u64 {
    FRAMES.lock().as_ref().map_or(0, |b| b.free_count())
}

pub fn free_range(phys: u64, count: u64) {
    for i in 0..count {
        free(phys + i * FRAME_SIZE);
    }
}
