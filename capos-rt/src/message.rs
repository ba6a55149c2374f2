//! Cap'n Proto message framing for the ring.
//!
//! Params and results travel as single flat buffers with the standard
//! segment-table framing. They are kept as `u64` words because the capnp
//! reader (without its "unaligned" feature) needs 8-byte alignment, and a
//! framed message is always a whole number of words.

use crate::error::Error;
use crate::scratch::{Built, ParamsScratch, root_filler};
use alloc::vec;
use alloc::vec::Vec;
use capnp::message::{self, ReaderOptions};
use capnp::serialize::{self, NoAllocSliceSegments};
use capnp::traits::Owned;

/// A message received from the kernel or another process: whole words, of
/// which the first `len` bytes are the message.
#[derive(Debug)]
pub struct Message {
    words: Vec<u64>,
    len: usize,
}

impl Message {
    /// `None` if `len` runs past the words.
    pub(crate) fn new(words: Vec<u64>, len: usize) -> Option<Self> {
        (len <= words.len() * 8).then_some(Message { words, len })
    }

    /// Copies `bytes` into word-aligned memory, which the reader needs.
    pub(crate) fn copy_of(bytes: &[u8]) -> Self {
        let mut words = vec![0u64; bytes.len().div_ceil(8)];
        as_bytes_mut(&mut words)[..bytes.len()].copy_from_slice(bytes);
        Message {
            words,
            len: bytes.len(),
        }
    }

    pub fn bytes(&self) -> &[u8] {
        &as_bytes(&self.words)[..self.len]
    }

    /// Takes the words out, leaving an empty message.
    pub(crate) fn take_words(&mut self) -> Vec<u64> {
        self.len = 0;
        core::mem::take(&mut self.words)
    }

    /// The message, read in place.
    pub fn reader(&self) -> Result<message::Reader<NoAllocSliceSegments<'_>>, Error> {
        Ok(read(self.bytes())?)
    }

    /// Reads the root as a `T` and extracts a value from it.
    pub fn read<T: Owned, V>(
        &self,
        extract: impl FnOnce(T::Reader<'_>) -> Result<V, Error>,
    ) -> Result<V, Error> {
        let message = self.reader()?;
        extract(message.get_root::<T::Reader<'_>>()?)
    }
}

/// Builds a message whose root is a `T`, filled in by `fill`, and frames it.
///
/// It is built in a fresh [`ParamsScratch`] whose buffer, the segment
/// table in front, becomes the framed message, so nothing is copied; the
/// synchronous calls' scratch and this share one `capnp` allocator type,
/// so its builder code is in the program once.
pub fn build<T: Owned>(fill: impl FnOnce(T::Builder<'_>)) -> Vec<u64> {
    let mut scratch = ParamsScratch::default();
    match scratch.build_any(&mut root_filler::<T>(fill)) {
        Built::InScratch(words) => scratch.into_message(words),
        Built::Owned(framed) => framed,
    }
}

/// Frames a built message into a buffer of its own.
pub(crate) fn frame<A: message::Allocator>(builder: &message::Builder<A>) -> Vec<u64> {
    let mut words = vec![0u64; serialize::compute_serialized_size_in_words(builder)];
    serialize::write_message(as_bytes_mut(&mut words), builder)
        .expect("the buffer is sized by compute_serialized_size_in_words");
    words
}

/// The bytes of a word buffer.
pub fn as_bytes(words: &[u64]) -> &[u8] {
    // SAFETY: u8 has no alignment or validity requirements, and the byte
    // view covers exactly the words' memory for the same lifetime.
    unsafe { core::slice::from_raw_parts(words.as_ptr().cast(), words.len() * 8) }
}

/// The bytes of a word buffer, writable.
pub fn as_bytes_mut(words: &mut [u64]) -> &mut [u8] {
    // SAFETY: as in `as_bytes`; any byte pattern is a valid u64, and the
    // exclusive borrow of the words carries over to the bytes.
    unsafe { core::slice::from_raw_parts_mut(words.as_mut_ptr().cast(), words.len() * 8) }
}

/// Reads a framed message from the front of `bytes` (which may be longer),
/// without copying or allocating.
pub fn read(bytes: &[u8]) -> capnp::Result<message::Reader<NoAllocSliceSegments<'_>>> {
    let mut slice = bytes;
    serialize::read_message_from_flat_slice_no_alloc(&mut slice, ReaderOptions::new())
}

#[cfg(test)]
mod tests {
    use super::*;
    use capos_schema::console;

    #[test]
    fn built_messages_round_trip() {
        let words = build::<console::write_line_params::Owned>(|mut p| p.set_text("hello"));
        // Segment table word, root pointer, the struct's pointer, the text.
        assert_eq!(words.len(), 4);
        let mut padded = words.clone();
        padded.extend_from_slice(&[0xdead; 4]);
        let msg = read(as_bytes(&padded)).unwrap();
        let root: console::write_line_params::Reader = msg.get_root().unwrap();
        assert_eq!(root.get_text().unwrap().to_str(), Ok("hello"));
    }

    #[test]
    fn messages_are_copied_into_words_and_read() {
        let words = build::<console::write_line_params::Owned>(|mut p| p.set_text("hi"));
        let message = Message::copy_of(as_bytes(&words));
        assert_eq!(message.bytes(), as_bytes(&words));
        let text = message.read::<console::write_line_params::Owned, _>(|p| {
            Ok(alloc::string::String::from(p.get_text()?.to_str().unwrap()))
        });
        assert_eq!(text.as_deref(), Ok("hi"));
        assert!(Message::new(alloc::vec![0; 2], 17).is_none());
        assert_eq!(
            Message::new(alloc::vec![0; 2], 16).unwrap().bytes().len(),
            16
        );
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(read(&[]).is_err());
        assert!(read(&[0xff; 64]).is_err());
        let mut words = build::<console::write_params::Owned>(|mut p| p.set_data(&[1; 100]));
        words.truncate(3);
        assert!(read(as_bytes(&words)).is_err());
    }
}
