//! Raw access to the shared submission/completion ring.
//!
//! The ring is memory the kernel reads and writes concurrently with us (it
//! consumes SQEs during `cap_enter` and may post CQEs from other contexts),
//! so nothing here ever forms a Rust reference into it: header indices go
//! through atomics, entries through volatile copies. `sq_tail` and `cq_head`
//! are ours; they are always re-read from the shared header rather than
//! cached, so a second view (the panic handler's) stays consistent with the
//! first.

use capos_abi::ring::{
    CQ_ENTRIES, CQ_OFFSET, Cqe, RingHeader, SQ_ENTRIES, SQ_OFFSET, Sqe, pending,
};
use core::fmt;
use core::mem::offset_of;
use core::ptr::NonNull;
use core::sync::atomic::{AtomicU32, Ordering};

/// Why the ring cannot take or give an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RingError {
    /// The ring address is null or not aligned for its entries.
    Misaligned,
    /// The header's queue sizes are not the ABI's.
    Geometry,
    /// A head/tail pair is inconsistent (more entries than slots).
    Corrupt,
    /// The submission queue has no free slot; `cap_enter` empties it.
    Full,
}

impl fmt::Display for RingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RingError::Misaligned => "ring is misaligned",
            RingError::Geometry => "ring has the wrong queue sizes",
            RingError::Corrupt => "ring indices are inconsistent",
            RingError::Full => "submission queue is full",
        })
    }
}

/// A view of the ring region (see `capos_abi::ring` for the layout).
pub struct RingView {
    base: NonNull<u8>,
}

impl RingView {
    /// Checks the header and wraps the region.
    ///
    /// # Safety
    /// `base` must point to a ring region of `capos_abi::ring::RING_SIZE`
    /// bytes that stays mapped read-write for as long as the view (and any
    /// other view of it) is used, and that only ring views and the kernel
    /// access.
    pub unsafe fn new(base: *mut u8) -> Result<Self, RingError> {
        let base = NonNull::new(base).ok_or(RingError::Misaligned)?;
        // Sqe has the strictest alignment of anything in the region.
        if !base.as_ptr().cast::<Sqe>().is_aligned() {
            return Err(RingError::Misaligned);
        }
        let view = RingView { base };
        if view
            .field(offset_of!(RingHeader, sq_entries))
            .load(Ordering::Relaxed)
            != SQ_ENTRIES
            || view
                .field(offset_of!(RingHeader, cq_entries))
                .load(Ordering::Relaxed)
                != CQ_ENTRIES
        {
            return Err(RingError::Geometry);
        }
        view.sq_used()?;
        view.cq_ready()?;
        Ok(view)
    }

    /// The shared header, for code that must inspect or deliberately
    /// corrupt it (the hostile smoke test). Access it only with volatile or
    /// atomic operations.
    pub fn header(&self) -> *mut RingHeader {
        self.base.as_ptr().cast()
    }

    fn field(&self, offset: usize) -> &AtomicU32 {
        // SAFETY: every header field is a 4-aligned u32 inside the region,
        // which outlives `self` (contract of `new`); the kernel accesses it
        // with atomic or word-sized accesses too, so treating it as an
        // AtomicU32 is the shared-memory protocol itself.
        unsafe { AtomicU32::from_ptr(self.base.as_ptr().add(offset).cast()) }
    }

    /// Submitted entries the kernel has not consumed yet.
    pub fn sq_used(&self) -> Result<u32, RingError> {
        let head = self
            .field(offset_of!(RingHeader, sq_head))
            .load(Ordering::Acquire);
        let tail = self
            .field(offset_of!(RingHeader, sq_tail))
            .load(Ordering::Relaxed);
        pending(head, tail, SQ_ENTRIES).ok_or(RingError::Corrupt)
    }

    /// Free submission slots.
    pub fn sq_space(&self) -> Result<u32, RingError> {
        Ok(SQ_ENTRIES - self.sq_used()?)
    }

    /// Completions posted and not consumed yet.
    pub fn cq_ready(&self) -> Result<u32, RingError> {
        let head = self
            .field(offset_of!(RingHeader, cq_head))
            .load(Ordering::Relaxed);
        let tail = self
            .field(offset_of!(RingHeader, cq_tail))
            .load(Ordering::Acquire);
        pending(head, tail, CQ_ENTRIES).ok_or(RingError::Corrupt)
    }

    /// Queues `sqe`. The kernel sees it at the next `cap_enter`.
    pub fn push(&self, sqe: &Sqe) -> Result<(), RingError> {
        if self.sq_space()? == 0 {
            return Err(RingError::Full);
        }
        let tail_field = self.field(offset_of!(RingHeader, sq_tail));
        let tail = tail_field.load(Ordering::Relaxed);
        let slot = SQ_OFFSET + (tail % SQ_ENTRIES) as usize * size_of::<Sqe>();
        // SAFETY: the slot lies inside the region (SQ_OFFSET plus at most
        // SQ_ENTRIES entries, pinned by capos-abi's layout tests) and is
        // aligned (`new` checked the base). It is free: the kernel consumed
        // it, or it was never used.
        unsafe {
            self.base
                .as_ptr()
                .add(slot)
                .cast::<Sqe>()
                .write_volatile(*sqe)
        };
        // Release: the entry must be visible before the tail that covers it.
        tail_field.store(tail.wrapping_add(1), Ordering::Release);
        Ok(())
    }

    /// Takes the oldest completion, if any.
    pub fn pop(&self) -> Result<Option<Cqe>, RingError> {
        if self.cq_ready()? == 0 {
            return Ok(None);
        }
        let head_field = self.field(offset_of!(RingHeader, cq_head));
        let head = head_field.load(Ordering::Relaxed);
        let slot = CQ_OFFSET + (head % CQ_ENTRIES) as usize * size_of::<Cqe>();
        // SAFETY: inside the region and aligned, as in `push`; the Acquire
        // load of cq_tail in `cq_ready` ordered this read after the
        // kernel's write of the entry.
        let cqe = unsafe { self.base.as_ptr().add(slot).cast::<Cqe>().read_volatile() };
        // Release: our read of the slot happens before the kernel may reuse it.
        head_field.store(head.wrapping_add(1), Ordering::Release);
        Ok(Some(cqe))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_kernel::RingMemory;

    #[test]
    fn push_until_full_then_kernel_drains() {
        let mem = RingMemory::new();
        let view = mem.view();
        for i in 0..SQ_ENTRIES {
            view.push(&Sqe::nop(i as u64)).unwrap();
        }
        assert_eq!(view.push(&Sqe::nop(99)), Err(RingError::Full));
        let taken = mem.kernel_take_sqes();
        assert_eq!(taken.len(), SQ_ENTRIES as usize);
        assert_eq!(taken[5].user_data, 5);
        assert_eq!(view.sq_space(), Ok(SQ_ENTRIES));
    }

    #[test]
    fn completions_come_out_in_order_across_wraparound() {
        let mem = RingMemory::new();
        mem.set_indices(u32::MAX - 1, u32::MAX - 1);
        let view = mem.view();
        assert_eq!(view.pop(), Ok(None));
        for i in 0..4 {
            mem.kernel_post(Cqe {
                user_data: i,
                ..Cqe::default()
            });
        }
        let got: std::vec::Vec<u64> = core::iter::from_fn(|| view.pop().unwrap())
            .map(|c| c.user_data)
            .collect();
        assert_eq!(got, [0, 1, 2, 3]);
        view.push(&Sqe::nop(7)).unwrap();
        assert_eq!(mem.kernel_take_sqes()[0].user_data, 7);
    }

    #[test]
    fn corrupt_or_foreign_headers_are_refused() {
        let mem = RingMemory::new();
        let view = mem.view();
        let header = view.header();
        // SAFETY: the header and region stay valid while `mem` lives, and
        // `new` only reads the header (likewise for the blocks below).
        unsafe { (*header).sq_tail = 1000 };
        assert_eq!(view.push(&Sqe::nop(1)), Err(RingError::Corrupt));
        // SAFETY: as above.
        let corrupt = unsafe { RingView::new(mem.base()) };
        assert!(matches!(corrupt, Err(RingError::Corrupt)));
        // SAFETY: as above.
        unsafe {
            (*header).sq_tail = 0;
            (*header).cq_entries = 64;
        }
        // SAFETY: as above.
        let foreign = unsafe { RingView::new(mem.base()) };
        assert!(matches!(foreign, Err(RingError::Geometry)));
        // SAFETY: a misaligned pointer is refused before any access.
        let misaligned = unsafe { RingView::new(mem.base().wrapping_add(4)) };
        assert!(matches!(misaligned, Err(RingError::Misaligned)));
    }
}
