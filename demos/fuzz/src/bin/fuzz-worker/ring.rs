//! The worker's own view of its ring, sturdier than capos-rt's: fuzzed
//! results may be aimed at the ring itself.
//!
//! The indices userspace owns (`sq_tail`, `cq_head`) are kept here and
//! written to the header before every cap_enter, so a result written over
//! the header cannot move them. The kernel's indices are believed only
//! when the header looks untouched: a result that lands on the header
//! during cap_enter leaves the user indices inconsistent, the kernel stops
//! with INVALID_ARGUMENT before publishing, and the next cap_enter, with
//! the indices restored, carries on. Results that complete later (a sleep,
//! a wait for an exit) are never aimed at the header or the SQ (see
//! arena.rs), so nothing changes them behind the worker's back.

use capos_abi::layout::RING_VADDR;
use capos_abi::ring::{CQ_ENTRIES, CQ_OFFSET, Cqe, RingHeader, SQ_ENTRIES, SQ_OFFSET, Sqe};
use capos_abi::syscall::SYS_CAP_ENTER;
use core::mem::offset_of;
use core::sync::atomic::{Ordering, fence};

/// A system call with two arguments; never SYS_EXIT (0) from here.
pub fn syscall(number: u64, a: u64, b: u64) -> i64 {
    debug_assert_ne!(number, capos_abi::syscall::SYS_EXIT);
    let ret: i64;
    // SAFETY: the kernel preserves every register but RAX (the result) and
    // RCX/R11 (clobbered by `syscall`) and uses no user stack. It may
    // write user memory named by submitted SQEs (the arena and ring, only
    // ever reached through raw pointers), so the asm is not `nomem`.
    unsafe {
        core::arch::asm!(
            "syscall",
            inlateout("rax") number => ret,
            in("rdi") a,
            in("rsi") b,
            lateout("rcx") _,
            lateout("r11") _,
            options(nostack),
        );
    }
    ret
}

pub struct Ring {
    base: *mut u8,
    sq_tail: u32,
    cq_head: u32,
    /// The kernel's sq_head, as last believed.
    sq_head: u32,
}

impl Ring {
    /// Takes over the ring from capos-rt, which must have nothing queued
    /// or unread. Every SQ slot is overwritten with a NOP, so no entry
    /// left from capos-rt (whose buffers are gone) can ever run again.
    pub fn take_over() -> Result<Self, &'static str> {
        let mut ring = Ring {
            base: RING_VADDR as *mut u8,
            sq_tail: 0,
            cq_head: 0,
            sq_head: 0,
        };
        ring.sq_tail = ring.load(offset_of!(RingHeader, sq_tail));
        ring.cq_head = ring.load(offset_of!(RingHeader, cq_head));
        ring.sq_head = ring.load(offset_of!(RingHeader, sq_head));
        if ring.sq_head != ring.sq_tail
            || ring.load(offset_of!(RingHeader, cq_tail)) != ring.cq_head
        {
            return Err("the ring is not idle");
        }
        for slot in 0..SQ_ENTRIES {
            ring.write_sqe(slot, &Sqe::nop(0));
        }
        Ok(ring)
    }

    fn field(&self, offset: usize) -> *mut u32 {
        // Header fields are 4-aligned u32s at the start of the region.
        self.base.wrapping_add(offset).cast()
    }

    pub fn load(&self, offset: usize) -> u32 {
        // SAFETY: the ring region is mapped read-write for the life of the
        // process and `offset` names a header field; volatile because the
        // kernel writes it.
        unsafe { self.field(offset).read_volatile() }
    }

    pub fn store(&self, offset: usize, value: u32) {
        // SAFETY: as in `load`.
        unsafe { self.field(offset).write_volatile(value) }
    }

    fn write_sqe(&self, slot: u32, sqe: &Sqe) {
        let at = SQ_OFFSET + (slot % SQ_ENTRIES) as usize * size_of::<Sqe>();
        // SAFETY: the slot lies inside the ring region (capos-abi pins the
        // layout) and is 64-aligned; the kernel reads it only in cap_enter.
        unsafe { self.base.add(at).cast::<Sqe>().write_volatile(*sqe) }
    }

    /// Free SQ slots, counting only consumption the kernel has shown.
    pub fn space(&self) -> u32 {
        SQ_ENTRIES.saturating_sub(self.queued())
    }

    /// SQEs pushed and not known to be consumed.
    pub fn queued(&self) -> u32 {
        self.sq_tail.wrapping_sub(self.sq_head)
    }

    pub fn push(&mut self, sqe: &Sqe) -> bool {
        if self.space() == 0 {
            return false;
        }
        self.write_sqe(self.sq_tail, sqe);
        self.sq_tail = self.sq_tail.wrapping_add(1);
        true
    }

    /// Writes the user indices to the header: ours, whatever a result
    /// wrote there. `extra` is added to sq_tail (a deliberate overrun).
    fn publish(&self, extra: u32) {
        self.store(
            offset_of!(RingHeader, sq_tail),
            self.sq_tail.wrapping_add(extra),
        );
        self.store(offset_of!(RingHeader, cq_head), self.cq_head);
        // The entries must be visible before the indices that cover them.
        fence(Ordering::Release);
    }

    /// cap_enter with the user indices restored first.
    pub fn enter(&mut self, min_complete: u64, timeout_ns: u64) -> i64 {
        self.enter_with_overrun(min_complete, timeout_ns, 0)
    }

    /// cap_enter claiming `extra` more SQEs than were pushed. The kernel
    /// must refuse the ring and consume nothing; the true tail is written
    /// back before the next entry.
    pub fn enter_with_overrun(&mut self, min_complete: u64, timeout_ns: u64, extra: u32) -> i64 {
        self.publish(extra);
        let result = syscall(SYS_CAP_ENTER, min_complete, timeout_ns);
        fence(Ordering::Acquire);
        self.learn_sq_head();
        result
    }

    /// Believes the published sq_head only if the header's user indices
    /// are still ours (nothing overwrote it since the kernel published)
    /// and it lies between what we knew and what we pushed.
    fn learn_sq_head(&mut self) {
        if !self.header_is_ours() {
            return;
        }
        let head = self.load(offset_of!(RingHeader, sq_head));
        let consumed = head.wrapping_sub(self.sq_head);
        if consumed <= self.queued() {
            self.sq_head = head;
        }
    }

    fn header_is_ours(&self) -> bool {
        self.load(offset_of!(RingHeader, sq_tail)) == self.sq_tail
            && self.load(offset_of!(RingHeader, cq_head)) == self.cq_head
    }

    /// The next completion, if the header can be believed and has one.
    pub fn pop(&mut self) -> Option<Cqe> {
        if !self.header_is_ours() {
            return None;
        }
        let tail = self.load(offset_of!(RingHeader, cq_tail));
        fence(Ordering::Acquire);
        let ready = tail.wrapping_sub(self.cq_head);
        if ready == 0 || ready > CQ_ENTRIES {
            return None;
        }
        let at = CQ_OFFSET + (self.cq_head % CQ_ENTRIES) as usize * size_of::<Cqe>();
        // SAFETY: inside the ring region, 32-aligned; the Acquire fence
        // orders this read after the kernel's write of the entry.
        let cqe = unsafe { self.base.add(at).cast::<Cqe>().read_volatile() };
        self.cq_head = self.cq_head.wrapping_add(1);
        // Hand the slot back now, so completions that arrive later find room.
        self.store(offset_of!(RingHeader, cq_head), self.cq_head);
        Some(cqe)
    }
}
