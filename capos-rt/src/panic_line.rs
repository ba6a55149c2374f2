//! The Console.writeLine message of a panic report, built without the heap.

use capnp::message::{Builder, SingleSegmentAllocator};
use capnp::serialize;
use capos_schema::console;

/// Longest panic line sent, in bytes; longer ones are truncated.
pub const MAX_TEXT: usize = 384;

/// Words the message of a `MAX_TEXT` line needs: root pointer, the params
/// struct (one pointer), the text with its NUL.
pub const SCRATCH_WORDS: usize = 2 + (MAX_TEXT + 1).div_ceil(8);

/// Words of the framed message: the segment table word, then the segment.
pub const FRAMED_WORDS: usize = 1 + SCRATCH_WORDS;

/// Frames writeLine params for `text` into `out` using `scratch` as the
/// message segment. Returns the framed length in bytes, or `None` if `text`
/// is longer than `MAX_TEXT` (checked first: the single-segment allocator
/// would panic, and this runs inside the panic handler).
pub fn encode(
    text: &str,
    scratch: &mut [u64; SCRATCH_WORDS],
    out: &mut [u64; FRAMED_WORDS],
) -> Option<usize> {
    if text.len() > MAX_TEXT {
        return None;
    }
    let mut builder = Builder::new(SingleSegmentAllocator::new(crate::message::as_bytes_mut(
        scratch,
    )));
    builder
        .init_root::<console::write_line_params::Builder>()
        .set_text(text);
    let out = crate::message::as_bytes_mut(out);
    let capacity = out.len();
    let mut rest: &mut [u8] = out;
    serialize::write_message(&mut rest, &builder).ok()?;
    Some(capacity - rest.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message;
    use alloc::string::String;

    #[test]
    fn longest_line_fits_and_reads_back() {
        let text: String = "é".repeat(MAX_TEXT / 2);
        let (mut scratch, mut out) = ([0; SCRATCH_WORDS], [0; FRAMED_WORDS]);
        let len = encode(&text, &mut scratch, &mut out).unwrap();
        assert_eq!(len, FRAMED_WORDS * 8);
        let msg = message::read(&message::as_bytes(&out)[..len]).unwrap();
        let root: console::write_line_params::Reader = msg.get_root().unwrap();
        assert_eq!(root.get_text().unwrap().to_str(), Ok(text.as_str()));
        let long = "x".repeat(MAX_TEXT + 1);
        assert_eq!(encode(&long, &mut scratch, &mut out), None);
    }
}
