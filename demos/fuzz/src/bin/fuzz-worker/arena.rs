//! The memory fuzzed requests point at, and the addresses they may name.
//!
//! Every buffer a request names on purpose lives in the arena: one
//! VirtualMemory mapping with a PROT_NONE guard page at each end, so a
//! length running past a buffer reaches the guard (refused) or another
//! arena buffer, never the heap, the stack or the image. The arena holds
//! the params messages of the current batch, a region of bytes that never
//! decode, transfer descriptors, and result slots that each request in
//! flight owns until its completion arrives.
//!
//! Addresses outside the arena come in classes (null, kernel half,
//! non-canonical, unmapped, wrap-around, the ring, the read-only pages,
//! ...). The kernel only reads params and descriptors, so those may name
//! any readable memory; a result is written, so its address is kept away
//! from everything the worker itself relies on.

use alloc::vec::Vec;
use capos_abi::layout::{
    CAPSET_VADDR, HEAP_BASE, HEAP_SIZE, LAUNCH_VADDR, PAGE_SIZE, RING_VADDR, USER_IMAGE_BASE,
    USER_IMAGE_LIMIT, USER_SPACE_END, USER_STACK_SIZE, USER_STACK_TOP,
};
use capos_abi::ring::{CQ_OFFSET, MAX_MESSAGE_BYTES, RING_SIZE, SQ_OFFSET};
use capos_abi::vm::{VM_BASE, VM_LIMIT};
use fuzz_programs::rng::Rng;

const KIB: u64 = 1024;
/// Params messages of one batch: room for a largest message and more.
const PARAMS: u64 = 0;
const PARAMS_LEN: u64 = 72 * KIB;
/// Bytes that never decode as a message (every word starts with a
/// segment count of 2^32).
const GARBAGE: u64 = PARAMS + PARAMS_LEN;
pub const GARBAGE_LEN: u64 = 4 * KIB;
/// Transfer descriptors of one batch.
const XFER: u64 = GARBAGE + GARBAGE_LEN;
const XFER_LEN: u64 = 4 * KIB;
/// Result slots. Small slot 0 is scratch, never owned by a request: the
/// target of misaligned and overlapping results.
const SMALL: u64 = XFER + XFER_LEN;
const SMALL_SLOTS: u16 = 64;
pub const SMALL_LEN: u64 = KIB;
/// Big slots hold a RECV of the largest message, a manifest chunk or a
/// full entropy fill.
const BIG: u64 = SMALL + SMALL_SLOTS as u64 * SMALL_LEN;
const BIG_SLOTS: u16 = 4;
pub const BIG_LEN: u64 = 68 * KIB;
/// Usable bytes, between the guard pages.
pub const ARENA_LEN: u64 = BIG + BIG_SLOTS as u64 * BIG_LEN;
/// The whole mapping, guards included.
pub const MAPPING_LEN: u64 = ARENA_LEN + 2 * PAGE_SIZE;

const _: () = assert!(ARENA_LEN.is_multiple_of(PAGE_SIZE));
const _: () = assert!(PARAMS_LEN > MAX_MESSAGE_BYTES as u64 + 8);

/// The first address of the kernel half.
const KERNEL_HALF: u64 = 0xffff_8000_0000_0000;
/// Ranges nothing is ever mapped in (below the image; between the heap
/// and the VirtualMemory region; between that region and the ring).
const UNMAPPED: [(u64, u64); 3] = [
    (PAGE_SIZE, USER_IMAGE_BASE),
    (HEAP_BASE + HEAP_SIZE + PAGE_SIZE, VM_BASE),
    (VM_LIMIT, RING_VADDR),
];

/// A result slot owned by one request in flight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    pub addr: u64,
    pub len: u32,
    big: bool,
    index: u16,
}

/// What the kernel does with a buffer.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Use {
    /// Params or descriptors: only read.
    Read,
    /// A result. `header_ok`: the ring header may be written, because the
    /// request completes inside this process's own cap_enter (see
    /// ring.rs); results that complete later must leave it alone.
    Write { header_ok: bool },
}

pub struct Arena {
    /// The mapping, guards included.
    start: u64,
    /// The first usable byte.
    base: u64,
    /// The statistics page, which no result may overwrite.
    stats_page: u64,
    /// An address inside this program's code (read-only).
    code: u64,
    small_free: Vec<u16>,
    big_free: Vec<u16>,
    params_used: u64,
    xfer_used: u64,
}

impl Arena {
    /// The arena over `start` (a mapping of [`MAPPING_LEN`] bytes whose
    /// first and last pages are PROT_NONE and the rest read-write).
    pub fn new(start: u64, stats_page: u64, code: u64) -> Self {
        let arena = Arena {
            start,
            base: start + PAGE_SIZE,
            stats_page,
            code,
            small_free: (1..SMALL_SLOTS).rev().collect(),
            big_free: (0..BIG_SLOTS).rev().collect(),
            params_used: 0,
            xfer_used: 0,
        };
        let garbage = arena.base + GARBAGE;
        // SAFETY: the garbage region lies inside the read-write part of the
        // mapping (contract of `new`), which only the kernel reads besides
        // us; no reference to it exists.
        unsafe { core::ptr::write_bytes(garbage as *mut u8, 0xff, GARBAGE_LEN as usize) };
        arena
    }

    /// Starts a new batch: the kernel has read every message and
    /// descriptor of the previous ones.
    pub fn reset_batch(&mut self) {
        self.params_used = 0;
        self.xfer_used = 0;
    }

    fn copy_in(&self, at: u64, bytes: &[u8]) {
        // SAFETY: callers keep `at..at + bytes.len()` inside the params or
        // transfer region of the mapping, which only the kernel reads
        // besides us.
        unsafe { core::ptr::copy_nonoverlapping(bytes.as_ptr(), at as *mut u8, bytes.len()) };
    }

    /// Copies a params message in for this batch; `None` when the batch's
    /// region is full.
    pub fn place_params(&mut self, bytes: &[u8]) -> Option<(u64, u32)> {
        let len = bytes.len() as u64;
        let at = self.params_used.next_multiple_of(8);
        if at + len > PARAMS_LEN {
            return None;
        }
        self.params_used = at + len;
        let addr = self.base + PARAMS + at;
        self.copy_in(addr, bytes);
        Some((addr, len as u32))
    }

    /// Copies transfer descriptors (8 bytes each) in for this batch.
    pub fn place_xfers(&mut self, bytes: &[u8]) -> Option<u64> {
        let len = bytes.len() as u64;
        if self.xfer_used + len > XFER_LEN {
            return None;
        }
        let addr = self.base + XFER + self.xfer_used;
        self.xfer_used += len;
        self.copy_in(addr, bytes);
        Some(addr)
    }

    /// `len` bytes that never decode, at a random word of the region.
    pub fn garbage(&self, rng: &mut Rng, len: u32) -> (u64, u32) {
        let len = u64::from(len).min(GARBAGE_LEN);
        let words = (GARBAGE_LEN - len) / 8;
        (self.base + GARBAGE + rng.below(words + 1) * 8, len as u32)
    }

    /// Where the never-decoding bytes are: `[start, end)`.
    pub fn garbage_range(&self) -> (u64, u64) {
        (self.base + GARBAGE, self.base + GARBAGE + GARBAGE_LEN)
    }

    /// The scratch slot: a result buffer no request owns.
    pub fn scratch(&self) -> (u64, u32) {
        (self.base + SMALL, SMALL_LEN as u32)
    }

    pub fn take_slot(&mut self, big: bool) -> Option<Slot> {
        let (free, offset, len) = if big {
            (&mut self.big_free, BIG, BIG_LEN)
        } else {
            (&mut self.small_free, SMALL, SMALL_LEN)
        };
        let index = free.pop()?;
        Some(Slot {
            addr: self.base + offset + u64::from(index) * len,
            len: len as u32,
            big,
            index,
        })
    }

    /// Big slots free: RECVs, which may wait long, leave one for others.
    pub fn big_free(&self) -> usize {
        self.big_free.len()
    }

    pub fn give_back(&mut self, slot: Slot) {
        if slot.big {
            self.big_free.push(slot.index);
        } else {
            self.small_free.push(slot.index);
        }
    }

    /// Reads `out.len()` bytes of a slot.
    pub fn read_slot(&self, slot: &Slot, offset: usize, out: &mut [u8]) -> bool {
        if offset + out.len() > slot.len as usize {
            return false;
        }
        for (i, byte) in out.iter_mut().enumerate() {
            // SAFETY: inside the slot (checked above), which is mapped
            // read-write; volatile because the kernel wrote it.
            *byte = unsafe { ((slot.addr as usize + offset + i) as *const u8).read_volatile() };
        }
        true
    }

    /// A buffer outside the normal path: some address class and some
    /// length, suitable for `usage`. `mappings` are the worker's own
    /// VirtualMemory mappings (fuzz-owned memory).
    pub fn odd_buffer(&self, rng: &mut Rng, usage: Use, mappings: &[(u64, u64)]) -> (u64, u32) {
        let len = odd_len(rng);
        let scratch = self.base + SMALL;
        let addr = match rng.below(17) {
            0 => 0,
            1 => KERNEL_HALF + rng.below(4) * rng.below(1 << 46),
            // Non-canonical: between the halves.
            2 => USER_SPACE_END + rng.below(KERNEL_HALF - USER_SPACE_END),
            3 => {
                let (lo, hi) = *rng.pick(&UNMAPPED);
                lo + rng.below(hi - lo)
            }
            4 => u64::MAX - rng.below(64),
            5 => scratch + rng.range(1, 7),
            // The guard pages, and a buffer running into the last one.
            6 => self.start + rng.below(PAGE_SIZE),
            7 => self.base + ARENA_LEN - rng.below(64),
            8 => self.ring_addr(rng, usage),
            9 => CAPSET_VADDR + rng.below(PAGE_SIZE),
            10 => LAUNCH_VADDR + rng.below(PAGE_SIZE),
            11 => self.code + rng.below(64),
            12 if !mappings.is_empty() => {
                let (addr, size) = *rng.pick(mappings);
                addr + rng.below(size + PAGE_SIZE)
            }
            // Mapped memory the kernel may read: the stack and the heap.
            13 if usage == Use::Read => {
                if rng.chance(1, 2) {
                    USER_STACK_TOP - rng.range(1, USER_STACK_SIZE)
                } else {
                    HEAP_BASE + rng.below(HEAP_SIZE)
                }
            }
            14 => VM_BASE + rng.below(VM_LIMIT - VM_BASE),
            15 => USER_SPACE_END - rng.below(PAGE_SIZE),
            _ => rng.next_u64(),
        };
        match usage {
            Use::Read => (addr, len),
            Use::Write { header_ok } => self.safe_for_write(rng, addr, len, header_ok),
        }
    }

    /// An address in the ring: the header (results only when allowed),
    /// the SQ (never for results), or the CQ and the unused tail.
    fn ring_addr(&self, rng: &mut Rng, usage: Use) -> u64 {
        let ring_size = RING_SIZE as u64;
        let offset = match (usage, rng.below(3)) {
            (Use::Read, 0) | (Use::Write { header_ok: true }, 0) => rng.below(SQ_OFFSET as u64),
            (Use::Read, 1) => SQ_OFFSET as u64 + rng.below(CQ_OFFSET as u64),
            _ => CQ_OFFSET as u64 + rng.below(ring_size - CQ_OFFSET as u64),
        };
        RING_VADDR + offset
    }

    /// `(addr, len)` unless writing `len` bytes there could hit memory the
    /// worker relies on; then an unmapped address instead.
    fn safe_for_write(&self, rng: &mut Rng, addr: u64, len: u32, header_ok: bool) -> (u64, u32) {
        let end = addr.saturating_add(u64::from(len).max(1));
        let hits = |lo: u64, hi: u64| addr < hi && lo < end;
        let ring_forbidden = if header_ok { SQ_OFFSET as u64 } else { 0 };
        let unsafe_ranges = [
            (USER_IMAGE_BASE, USER_IMAGE_LIMIT),
            (HEAP_BASE, HEAP_BASE + HEAP_SIZE),
            (USER_STACK_TOP - USER_STACK_SIZE - PAGE_SIZE, USER_STACK_TOP),
            (self.stats_page, self.stats_page + PAGE_SIZE),
            (RING_VADDR + ring_forbidden, RING_VADDR + CQ_OFFSET as u64),
        ];
        if unsafe_ranges.iter().any(|&(lo, hi)| hits(lo, hi)) {
            let (lo, hi) = UNMAPPED[1];
            return (lo + rng.below(hi - lo - u64::from(len)), len);
        }
        (addr, len)
    }
}

/// A length from the edges: 0, tiny, word-sized, a page, the message
/// limit and around it, the largest u32.
pub fn odd_len(rng: &mut Rng) -> u32 {
    let max = MAX_MESSAGE_BYTES;
    match rng.below(12) {
        0 => 0,
        1 => rng.range(1, 7) as u32,
        2 => 8 * rng.range(1, 4) as u32,
        3 => rng.below(256) as u32,
        4 => PAGE_SIZE as u32,
        5 => max,
        6 => max + 1,
        7 => max + 8,
        8 => u32::MAX,
        9 => u32::MAX - rng.below(8) as u32,
        10 => rng.next_u32(),
        _ => rng.below(4096) as u32 * 8,
    }
}
