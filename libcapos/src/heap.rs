//! The C heap: `capos_alloc`, `capos_alloc_zeroed`, `capos_realloc` and
//! `capos_free`, over capos-rt's allocator.
//!
//! Every process gets a fixed heap region from the kernel
//! (`capos_abi::layout::HEAP_SIZE`, 1 MiB); capos-rt's global allocator
//! manages it and libcapos's own bookkeeping shares it. C's `free` gets no
//! size, so each block starts with a header recording the size of the whole
//! allocation; the caller's pointer is just past it, 16-byte aligned like
//! `malloc`'s.

use alloc::alloc::{Layout, alloc, alloc_zeroed, dealloc, realloc};
use core::ffi::c_void;
use core::ptr;

/// Alignment of every block, and size of the header before it.
const ALIGN: usize = 16;

/// The layout of a block serving `size` bytes, header included.
fn layout(size: usize) -> Option<Layout> {
    Layout::from_size_align(size.checked_add(ALIGN)?, ALIGN).ok()
}

/// Allocates a block of `size` bytes.
fn allocate(size: usize, zeroed: bool) -> *mut c_void {
    let Some(layout) = layout(size) else {
        return ptr::null_mut();
    };
    // SAFETY: the layout has a non-zero size (it includes the header).
    let base = unsafe {
        if zeroed {
            alloc_zeroed(layout)
        } else {
            alloc(layout)
        }
    };
    if base.is_null() {
        return ptr::null_mut();
    }
    // SAFETY: the block is at least ALIGN bytes, aligned for a usize; the
    // caller's part starts right after the header, inside the block.
    unsafe {
        base.cast::<usize>().write(layout.size());
        base.add(ALIGN).cast()
    }
}

/// The start and layout of the block whose caller pointer is `ptr`.
///
/// # Safety
/// `ptr` must come from [`allocate`] (or [`resize`]) and not be freed.
unsafe fn block(ptr: *mut c_void) -> (*mut u8, Layout) {
    // SAFETY: per the contract the header sits ALIGN bytes before `ptr`
    // and holds the size `allocate` built a valid layout from.
    unsafe {
        let base = ptr.cast::<u8>().sub(ALIGN);
        let size = base.cast::<usize>().read();
        (base, Layout::from_size_align_unchecked(size, ALIGN))
    }
}

/// Allocates `size` bytes, 16-byte aligned, uninitialized. Returns NULL if
/// the heap cannot hold them. `size` 0 gives a unique pointer that must
/// still be freed.
#[unsafe(no_mangle)]
pub extern "C" fn capos_alloc(size: usize) -> *mut c_void {
    allocate(size, false)
}

/// Like `capos_alloc`, with the bytes set to zero.
#[unsafe(no_mangle)]
pub extern "C" fn capos_alloc_zeroed(size: usize) -> *mut c_void {
    allocate(size, true)
}

/// Resizes the block at `ptr` to `size` bytes, keeping its contents up to
/// the smaller size, and returns its new address. NULL `ptr` allocates.
/// Returns NULL if the heap cannot hold the new size; the old block is then
/// left as it was.
///
/// # Safety
/// `ptr` must be NULL or a live pointer returned by these functions.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn capos_realloc(ptr: *mut c_void, size: usize) -> *mut c_void {
    if ptr.is_null() {
        return allocate(size, false);
    }
    let Some(new_layout) = layout(size) else {
        return ptr::null_mut();
    };
    // SAFETY: per the contract `ptr` is a live block.
    let (base, old_layout) = unsafe { block(ptr) };
    // SAFETY: `base` was allocated with `old_layout` by the global
    // allocator; the new size is non-zero and fits a Layout with the same
    // alignment.
    let moved = unsafe { realloc(base, old_layout, new_layout.size()) };
    if moved.is_null() {
        return ptr::null_mut();
    }
    // SAFETY: the resized block is at least ALIGN bytes and aligned.
    unsafe {
        moved.cast::<usize>().write(new_layout.size());
        moved.add(ALIGN).cast()
    }
}

/// Frees a block. NULL is ignored.
///
/// # Safety
/// `ptr` must be NULL or a live pointer returned by these functions; it is
/// dead afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn capos_free(ptr: *mut c_void) {
    if ptr.is_null() {
        return;
    }
    // SAFETY: per the contract `ptr` is a live block, freed once here with
    // the layout it was allocated with.
    unsafe {
        let (base, layout) = block(ptr);
        dealloc(base, layout);
    }
}

/// True if the heap can serve an allocation of `bytes` (8-byte aligned)
/// right now. Checked before requests whose size the C caller chose, so a
/// large one fails with `CAPOS_E_NO_MEMORY` instead of aborting inside the
/// runtime: the program is single-threaded, so the block freed here is
/// still free when the request allocates it a moment later.
pub fn can_allocate(bytes: usize) -> bool {
    let Ok(layout) = Layout::from_size_align(bytes.max(8), 8) else {
        return false;
    };
    // SAFETY: non-zero size.
    let probe = unsafe { alloc(layout) };
    if probe.is_null() {
        return false;
    }
    // SAFETY: allocated just above with this layout.
    unsafe { dealloc(probe, layout) };
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_are_aligned_sized_and_resizable() {
        let p = capos_alloc(40).cast::<u8>();
        assert!(!p.is_null());
        assert_eq!(p as usize % ALIGN, 0);
        // SAFETY: p serves 40 bytes; after the realloc, q serves 4000.
        unsafe {
            for i in 0..40 {
                p.add(i).write(i as u8);
            }
            let q = capos_realloc(p.cast(), 4000).cast::<u8>();
            assert!(!q.is_null());
            assert_eq!(q as usize % ALIGN, 0);
            for i in 0..40 {
                assert_eq!(q.add(i).read(), i as u8);
            }
            q.add(3999).write(1);
            capos_free(q.cast());
        }
    }

    #[test]
    fn zeroed_null_and_impossible_sizes() {
        let z = capos_alloc_zeroed(64).cast::<u8>();
        // SAFETY: z serves 64 zeroed bytes; NULL is accepted by both.
        unsafe {
            assert!((0..64).all(|i| z.add(i).read() == 0));
            capos_free(z.cast());
            capos_free(ptr::null_mut());
            let fresh = capos_realloc(ptr::null_mut(), 8);
            assert!(!fresh.is_null());
            assert!(capos_realloc(fresh, usize::MAX).is_null());
            capos_free(fresh);
        }
        assert!(capos_alloc(usize::MAX - 8).is_null());
        let empty = capos_alloc(0);
        assert!(!empty.is_null());
        // SAFETY: a live block.
        unsafe { capos_free(empty) };
        assert!(can_allocate(4096));
        assert!(!can_allocate(usize::MAX));
    }
}
