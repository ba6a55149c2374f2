//! The buffers replies are built and encoded in, kept between calls.
//!
//! Every reply used to allocate and zero a first segment for its builder,
//! then allocate the encoded copy, and free both once written to the
//! caller: three of a kernel call's heap allocations. The kernel now keeps
//! one first segment (zero while kept: a builder hands it back re-zeroed
//! over the words it wrote) and one encoded-reply buffer, which
//! [`crate::ring::complete`] gives back once the reply is in the caller's
//! memory. A reply built while another is being built (an exception
//! raised inside a method, say) finds them taken and allocates as before.
//! Only the builder's own list of segments is still allocated per reply.
//!
//! The kernel runs with interrupts disabled, so the locks are never
//! contended; they are taken with `try_lock` all the same, and a lock
//! found held means "allocate instead", never a wait.
//!
//! What is kept is bounded (one segment, one buffer of at most
//! [`MAX_KEPT_BYTES`]), and [`release`] frees both before the leak check.

use alloc::vec::Vec;
use capnp::Word;
use capnp::message::{Allocator, Builder, HeapAllocator};
use capos_abi::ring::MAX_MESSAGE_BYTES;
use core::ptr::NonNull;
use spin::Mutex;

/// Words of the kept first segment: results are a few words, and a larger
/// one grows into segments of the heap.
const SEGMENT_WORDS: usize = 32;

/// The largest encoded buffer kept: any reply a call can get, with the
/// capability records that may follow it.
const MAX_KEPT_BYTES: usize = MAX_MESSAGE_BYTES as usize + 4096;

/// The kept first segment, all zero.
static SEGMENT: Mutex<Option<Vec<Word>>> = Mutex::new(None);

/// The kept encoded-reply buffer, empty.
static ENCODED: Mutex<Option<Vec<u8>>> = Mutex::new(None);

/// A builder's allocator whose first segment is the kept one.
pub struct ReplyAllocator {
    /// The kept segment (or a new one, kept after this reply), unless
    /// another builder has it.
    segment: Option<Vec<Word>>,
    lent: bool,
    heap: HeapAllocator,
}

impl ReplyAllocator {
    fn new() -> Self {
        ReplyAllocator {
            segment: SEGMENT.try_lock().and_then(|mut kept| kept.take()),
            lent: false,
            heap: HeapAllocator::new().first_segment_words(SEGMENT_WORDS as u32),
        }
    }
}

// SAFETY: the segment lent is the whole of `segment`: 8-aligned (Words),
// zero (it is kept zero, and `deallocate_segment` re-zeroes what a builder
// wrote before it is lent again), and neither touched nor moved until the
// builder gives it back (`lent`); its pointer comes from `as_mut_ptr`,
// which makes no reference into the buffer. Other segments are
// HeapAllocator's, passed through unchanged.
unsafe impl Allocator for ReplyAllocator {
    fn allocate_segment(&mut self, minimum_size: u32) -> (NonNull<u8>, u32) {
        if self.lent || minimum_size as usize > SEGMENT_WORDS {
            return self.heap.allocate_segment(minimum_size);
        }
        let segment = self
            .segment
            .get_or_insert_with(|| Word::allocate_zeroed_vec(SEGMENT_WORDS));
        self.lent = true;
        let ptr = NonNull::new(segment.as_mut_ptr().cast::<u8>()).expect("a Vec is never null");
        (ptr, segment.len() as u32)
    }

    unsafe fn deallocate_segment(&mut self, ptr: NonNull<u8>, word_size: u32, words_used: u32) {
        match &mut self.segment {
            Some(segment)
                if self.lent && ptr.as_ptr().cast_const() == segment.as_ptr().cast::<u8>() =>
            {
                let used = (words_used as usize).min(segment.len());
                segment[..used].fill(capnp::word(0, 0, 0, 0, 0, 0, 0, 0));
                self.lent = false;
            }
            // SAFETY: not the kept segment, so HeapAllocator lent it; the
            // caller's contract carries over.
            _ => unsafe { self.heap.deallocate_segment(ptr, word_size, words_used) },
        }
    }
}

impl Drop for ReplyAllocator {
    fn drop(&mut self) {
        // A builder drops its segments before its allocator, so a segment
        // still lent here was never handed back: it is not zero, drop it.
        if self.lent {
            return;
        }
        if let (Some(segment), Some(mut kept)) = (self.segment.take(), SEGMENT.try_lock())
            && kept.is_none()
        {
            *kept = Some(segment);
        }
    }
}

/// A result message to build. Its first segment is the kept one.
pub fn new_message() -> Builder<ReplyAllocator> {
    Builder::new(ReplyAllocator::new())
}

/// Serializes a built message (the standard framing: segment table, then
/// the segments) into the kept buffer, or a new one.
pub fn encode<A: Allocator>(message: &Builder<A>) -> Vec<u8> {
    let segments = message.get_segments_for_output();
    let mut bytes = ENCODED
        .try_lock()
        .and_then(|mut kept| kept.take())
        .unwrap_or_default();
    let table_words = segments.len() / 2 + 1;
    let body: usize = segments.iter().map(|s| s.len()).sum();
    bytes.reserve(table_words * 8 + body);
    // Segment count minus one, each segment's size in words, padding to a
    // whole word. A builder always has its root's segment; were there none,
    // this frames one empty segment.
    let count = segments.len().max(1);
    bytes.extend_from_slice(&(count as u32 - 1).to_le_bytes());
    for i in 0..count {
        let words = segments.get(i).map_or(0, |s| s.len() / 8);
        bytes.extend_from_slice(&(words as u32).to_le_bytes());
    }
    if count.is_multiple_of(2) {
        bytes.extend_from_slice(&[0; 4]);
    }
    for segment in segments.iter() {
        bytes.extend_from_slice(segment);
    }
    bytes
}

/// An empty buffer with room for `len` bytes: the kept one if it is large
/// enough, else a new one, or `None` if the heap cannot give it (a size a
/// process chooses fails the call, not the kernel). For the messages an
/// Endpoint carries, which reach [`give_back`] through their replies.
/// While one holds the kept buffer, the kernel memory it holds beyond
/// what was charged is that one buffer, the same as when it is kept here.
pub fn take(len: usize) -> Option<Vec<u8>> {
    match ENCODED.try_lock().and_then(|mut kept| kept.take()) {
        Some(bytes) if bytes.capacity() >= len => Some(bytes),
        other => {
            if let Some(bytes) = other {
                give_back(bytes);
            }
            let mut bytes = Vec::new();
            bytes.try_reserve_exact(len).ok()?;
            Some(bytes)
        }
    }
}

/// Keeps a reply's buffer, now written to its caller, for the next one.
pub fn give_back(mut bytes: Vec<u8>) {
    if bytes.capacity() > MAX_KEPT_BYTES {
        return;
    }
    if let Some(mut kept) = ENCODED.try_lock()
        && kept
            .as_ref()
            .is_none_or(|k| k.capacity() < bytes.capacity())
    {
        bytes.clear();
        *kept = Some(bytes);
    }
}

/// Frees what is kept, so that the heap can be compared with what it was
/// before init.
pub fn release() {
    *SEGMENT.lock() = None;
    *ENCODED.lock() = None;
}
