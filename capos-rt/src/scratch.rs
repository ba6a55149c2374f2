//! The buffers a synchronous call reuses instead of allocating: the
//! segment its params are built in, and its result buffer.
//!
//! A synchronous call (submit, then enter the kernel and wait) needs its
//! params only until the kernel has read them, which it does in the same
//! `cap_enter`. So the ring client keeps one segment for them: the params
//! are built straight into it, behind a word left free for the segment
//! table, so the framed message is contiguous and never copied, and the
//! next call re-zeroes only the words this one wrote. A call's result
//! buffer comes back to the ring client when its [`crate::Reply`] is
//! dropped, for the next call to use as it is: the kernel overwrites the
//! part it reports, and nothing else of it is ever read.

use crate::message;
use alloc::vec;
use alloc::vec::Vec;
use capnp::any_pointer;
use capnp::message::{Allocator, Builder, HeapAllocator};
use capnp::traits::Owned;
use capos_abi::ring::MAX_MESSAGE_BYTES;
use core::ptr::NonNull;

/// Words of the scratch segment to begin with; params are a few words.
const FIRST_SEGMENT_WORDS: usize = 64;

/// The most words a one-segment message can have in a ring message:
/// MAX_MESSAGE_BYTES less its segment table.
const MAX_SEGMENT_WORDS: usize = MAX_MESSAGE_BYTES as usize / 8 - 1;

/// `fill` as a callback on a message's root pointer, for
/// [`ParamsScratch::build_any`]; it runs once.
pub fn root_filler<T: Owned>(
    fill: impl FnOnce(T::Builder<'_>),
) -> impl FnMut(any_pointer::Builder<'_>) {
    let mut fill = Some(fill);
    move |root| {
        if let Some(fill) = fill.take() {
            fill(root.init_as::<T::Builder<'_>>());
        }
    }
}

/// Where a built params message is.
pub enum Built {
    /// The first `n` words of the scratch ([`ParamsScratch::words`]).
    InScratch(usize),
    /// A message too large for one ring message, in more than one
    /// segment, framed in a buffer of its own (the kernel refuses it).
    Owned(Vec<u64>),
}

/// A one-segment table: segment count minus one (0), then the size.
fn segment_table(words: usize) -> u64 {
    (words as u64) << 32
}

/// The message of `builder` copied into one segment, in a new scratch
/// whose segment it fills (with its length in words, table included), or
/// `None` if it does not fit one ring message that way.
fn one_segment<A: Allocator>(builder: &Builder<A>) -> Option<(ParamsScratch, usize)> {
    let root = builder
        .get_root_as_reader::<any_pointer::Reader<'_>>()
        .ok()?;
    // The words the builder allocated bound the copy's (which has no far
    // pointers or landing pads).
    let room = builder.size_in_words().min(MAX_SEGMENT_WORDS);
    let mut grown = ParamsScratch {
        words: vec![0; 1 + room],
        ..ParamsScratch::default()
    };
    let segment = grown.words.as_ptr().wrapping_add(1).cast::<u8>();
    let mut copy = Builder::new(&mut grown);
    copy.set_root::<any_pointer::Owned>(root).ok()?;
    let words = match &copy.get_segments_for_output()[..] {
        [only] if only.as_ptr() == segment => only.len() / 8,
        _ => return None,
    };
    drop(copy);
    grown.words[0] = segment_table(words);
    Some((grown, 1 + words))
}

/// A reused first segment for params messages, and a `capnp` allocator
/// over it. Word 0 is the segment table of a one-segment message; the
/// segment is the rest. Segments past the first come from the heap.
pub struct ParamsScratch {
    words: Vec<u64>,
    /// Words of the segment the last message may have written; zeroed
    /// before the segment is lent again (capnp wants zeroed segments).
    dirty: usize,
    /// The segment belongs to a builder now.
    lent: bool,
    heap: HeapAllocator,
}

impl Default for ParamsScratch {
    fn default() -> Self {
        ParamsScratch {
            // Allocated at the first build, so a program that never makes a
            // synchronous call does not pay for it.
            words: Vec::new(),
            dirty: 0,
            lent: false,
            heap: HeapAllocator::new(),
        }
    }
}

impl ParamsScratch {
    /// Builds a message, its root filled in by `fill` (see
    /// [`root_filler`]), in the scratch if it fits in one segment there.
    /// Not generic over the root's type, so the builder code is in the
    /// program once rather than once per params type.
    ///
    /// The scratch is overwritten by the next build: a message
    /// [`Built::InScratch`] must be read by the kernel (which happens in
    /// the next `cap_enter`) before this is called again.
    pub fn build_any(&mut self, fill: &mut dyn FnMut(any_pointer::Builder<'_>)) -> Built {
        if self.words.is_empty() {
            self.words = vec![0; 1 + FIRST_SEGMENT_WORDS];
        }
        let segment = self.words.as_ptr().wrapping_add(1).cast::<u8>();
        let mut builder = Builder::new(&mut *self);
        fill(builder.init_root::<any_pointer::Builder<'_>>());
        let segments = builder.get_segments_for_output();
        let single = match &segments[..] {
            [only] if only.as_ptr() == segment => Some(only.len() / 8),
            _ => None,
        };
        // A message that outgrew the scratch is copied into one segment
        // of its own size, which becomes the scratch: so every message
        // that fits a ring message goes as one segment (its size on the
        // wire never depends on what was built before), and the next one
        // like it is built in place.
        let (grown, framed) = match single {
            Some(_) => (None, None),
            None => match one_segment(&builder) {
                Some(grown) => (Some(grown), None),
                None => (None, Some(message::frame(&builder))),
            },
        };
        // Dropping the builder hands the segment back (see
        // `deallocate_segment`), its words still holding the message.
        drop(builder);
        match (single, grown, framed) {
            (Some(words), _, _) => {
                self.words[0] = segment_table(words);
                Built::InScratch(1 + words)
            }
            (None, Some((grown, n)), _) => {
                *self = grown;
                Built::InScratch(n)
            }
            (None, None, framed) => Built::Owned(framed.unwrap_or_default()),
        }
    }

    /// The scratch's words, of which a [`Built::InScratch`] message is a
    /// prefix.
    pub fn words(&self) -> &[u64] {
        &self.words
    }

    /// The first `words` words, a [`Built::InScratch`] message, as a
    /// buffer of their own.
    pub fn into_message(self, words: usize) -> Vec<u64> {
        let mut message = self.words;
        message.truncate(words);
        message
    }
}

// SAFETY: a segment lent from the scratch is `words[1..]`: 8-aligned (a
// u64 buffer), zeroed over all of it (`dirty` covers every word a builder
// may have written since the last zeroing, and the rest was never written
// or came zeroed from `resize`), and neither touched nor reallocated by
// this allocator until the builder gives it back; pointers are taken with
// `as_mut_ptr`, which creates no reference into the buffer. Other segments
// are HeapAllocator's, passed through unchanged.
unsafe impl Allocator for ParamsScratch {
    fn allocate_segment(&mut self, minimum_size: u32) -> (NonNull<u8>, u32) {
        let room = self.words.len().saturating_sub(1);
        if self.lent || (minimum_size as usize) > room {
            return self.heap.allocate_segment(minimum_size);
        }
        self.words[1..1 + self.dirty].fill(0);
        self.dirty = 0;
        self.lent = true;
        // SAFETY: `room` > 0, so `words` has at least two elements and
        // index 1 is inside the buffer.
        let segment = unsafe { self.words.as_mut_ptr().add(1) };
        let segment = NonNull::new(segment.cast::<u8>()).expect("a Vec's buffer is not null");
        // `room` is at most MAX_SEGMENT_WORDS, which fits a u32.
        (segment, room as u32)
    }

    unsafe fn deallocate_segment(&mut self, ptr: NonNull<u8>, word_size: u32, words_used: u32) {
        if self.lent && ptr.as_ptr().cast_const() == self.words.as_ptr().wrapping_add(1).cast() {
            self.lent = false;
            self.dirty = words_used as usize;
        } else {
            // SAFETY: not the scratch segment, so one HeapAllocator lent;
            // the caller's contract carries over.
            unsafe { self.heap.deallocate_segment(ptr, word_size, words_used) }
        }
    }
}

/// The result buffer synchronous calls reuse: the largest given back
/// since it was last taken.
#[derive(Default)]
pub struct ResultSpare {
    spare: Option<Vec<u64>>,
}

impl ResultSpare {
    /// A buffer of at least `words` words: the spare if it is large
    /// enough, else a new zeroed one. Only the words the kernel reports
    /// writing are ever read, so the spare's old contents do no harm.
    pub fn take(&mut self, words: usize) -> Vec<u64> {
        match self.spare.take() {
            Some(buffer) if buffer.len() >= words => buffer,
            other => {
                self.spare = other;
                vec![0; words]
            }
        }
    }

    /// Keeps `buffer` for a later call, unless a larger one is kept.
    pub fn give_back(&mut self, buffer: Vec<u64>) {
        if self
            .spare
            .as_ref()
            .is_none_or(|kept| kept.len() < buffer.len())
        {
            self.spare = Some(buffer);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use capos_schema::console;

    fn text(bytes: &[u8]) -> alloc::string::String {
        let msg = message::read(bytes).unwrap();
        let root: console::write_line_params::Reader = msg.get_root().unwrap();
        root.get_text().unwrap().to_str().unwrap().into()
    }

    /// The message framed by capnp alone, to compare with.
    fn framed_by_capnp(text: &str) -> Vec<u64> {
        let mut builder = Builder::new_default();
        let mut root = builder.init_root::<console::write_line_params::Builder>();
        root.set_text(text);
        let bytes = capnp::serialize::write_message_to_words(&builder);
        bytes
            .chunks_exact(8)
            .map(|w| u64::from_le_bytes(w.try_into().unwrap()))
            .collect()
    }

    fn build<T: Owned>(s: &mut ParamsScratch, fill: impl FnOnce(T::Builder<'_>)) -> Built {
        s.build_any(&mut root_filler::<T>(fill))
    }

    fn in_scratch(built: &Built) -> usize {
        match built {
            Built::InScratch(n) => *n,
            Built::Owned(_) => panic!("expected the message in the scratch"),
        }
    }

    #[test]
    fn small_messages_are_framed_in_place() {
        let mut s = ParamsScratch::default();
        let built = build::<console::write_line_params::Owned>(&mut s, |mut p| p.set_text("hello"));
        let n = in_scratch(&built);
        // The same words as a message built and framed on its own.
        let alone =
            message::build::<console::write_line_params::Owned>(|mut p| p.set_text("hello"));
        assert_eq!(&s.words()[..n], &alone[..]);
        assert_eq!(text(message::as_bytes(&s.words()[..n])), "hello");
    }

    #[test]
    fn back_to_back_builds_rezero_what_the_last_one_wrote() {
        let mut s = ParamsScratch::default();
        let long = "a longer text than the next one";
        in_scratch(&build::<console::write_line_params::Owned>(
            &mut s,
            |mut p| p.set_text(long),
        ));
        let built = build::<console::write_line_params::Owned>(&mut s, |mut p| p.set_text("hi"));
        let n = in_scratch(&built);
        assert_eq!(text(message::as_bytes(&s.words()[..n])), "hi");
        // Nothing of the longer message survives past the new one.
        assert!(s.words()[n..].iter().all(|&w| w == 0));
        assert_eq!(&s.words()[..n], &framed_by_capnp("hi")[..]);
    }

    #[test]
    fn a_message_that_outgrows_the_scratch_goes_as_one_segment_and_grows_it() {
        let mut s = ParamsScratch::default();
        let data = [7u8; 3000];
        let check = |bytes: &[u8]| {
            // Segment count minus one: 0.
            assert_eq!(bytes[..4], [0; 4]);
            let msg = message::read(bytes).unwrap();
            let root: console::write_params::Reader = msg.get_root().unwrap();
            assert_eq!(root.get_data().unwrap(), &data[..]);
        };
        let mut sizes = Vec::new();
        for _ in 0..2 {
            // The first is copied into a grown scratch; the second is
            // built there at once. Either way: one segment, one size.
            let built = build::<console::write_params::Owned>(&mut s, |mut p| p.set_data(&data));
            let n = in_scratch(&built);
            check(message::as_bytes(&s.words()[..n]));
            sizes.push(n);
        }
        assert_eq!(sizes[0], sizes[1]);
        let alone = message::build::<console::write_params::Owned>(|mut p| p.set_data(&data));
        assert_eq!(alone.len(), sizes[0]);
        check(message::as_bytes(&alone));
        // A small one after them is right, and nothing of the large one is
        // left after it.
        let n = in_scratch(&build::<console::write_line_params::Owned>(
            &mut s,
            |mut p| p.set_text("x"),
        ));
        assert_eq!(text(message::as_bytes(&s.words()[..n])), "x");
        assert!(s.words()[n..].iter().all(|&w| w == 0));
    }

    #[test]
    fn a_message_larger_than_a_ring_message_is_framed_apart() {
        let mut s = ParamsScratch::default();
        let data = alloc::vec![1u8; MAX_MESSAGE_BYTES as usize];
        let Built::Owned(framed) =
            build::<console::write_params::Owned>(&mut s, |mut p| p.set_data(&data))
        else {
            panic!("a message over MAX_MESSAGE_BYTES cannot be one ring message");
        };
        assert!(framed.len() * 8 > MAX_MESSAGE_BYTES as usize);
        let msg = message::read(message::as_bytes(&framed)).unwrap();
        let root: console::write_params::Reader = msg.get_root().unwrap();
        assert_eq!(root.get_data().unwrap().len(), data.len());
        // The largest that fits (segment table, root pointer and the
        // struct's one pointer besides the data) is one segment of exactly
        // MAX_MESSAGE_BYTES; a byte more is not.
        let fits = MAX_MESSAGE_BYTES as usize - 8 * 3;
        let n = in_scratch(&build::<console::write_params::Owned>(&mut s, |mut p| {
            p.set_data(&data[..fits])
        }));
        assert_eq!(n * 8, MAX_MESSAGE_BYTES as usize);
        let over =
            build::<console::write_params::Owned>(&mut s, |mut p| p.set_data(&data[..fits + 1]));
        assert!(matches!(over, Built::Owned(_)));
    }

    #[test]
    fn the_larger_result_buffer_is_kept() {
        let mut r = ResultSpare::default();
        let a = r.take(4);
        assert_eq!(a.len(), 4);
        r.give_back(vec![1; 8]);
        r.give_back(a);
        // The 8-word buffer stayed and is handed out as it is.
        let b = r.take(2);
        assert_eq!(b, [1; 8]);
        assert_eq!(r.take(2).len(), 2, "nothing kept: a new one");
        r.give_back(b);
        assert_eq!(r.take(16).len(), 16);
        assert_eq!(r.take(8).len(), 8, "the small one was kept");
    }
}
