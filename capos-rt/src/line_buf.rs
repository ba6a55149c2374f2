//! A fixed-capacity text buffer for formatting without the heap.
//!
//! The panic handler formats its message here: the panic may come from an
//! exhausted or locked heap, so it must not allocate.

use core::fmt;

/// Text formatted into `N` bytes; what does not fit is cut off at a
/// character boundary, so the content is always valid UTF-8.
pub struct LineBuf<const N: usize> {
    bytes: [u8; N],
    len: usize,
}

impl<const N: usize> LineBuf<N> {
    pub const fn new() -> Self {
        LineBuf {
            bytes: [0; N],
            len: 0,
        }
    }

    pub fn as_str(&self) -> &str {
        // Only whole characters are ever copied in (see `write_str`).
        core::str::from_utf8(&self.bytes[..self.len]).unwrap_or_default()
    }
}

impl<const N: usize> fmt::Write for LineBuf<N> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let mut take = s.len().min(N - self.len);
        while !s.is_char_boundary(take) {
            take -= 1;
        }
        self.bytes[self.len..self.len + take].copy_from_slice(&s.as_bytes()[..take]);
        self.len += take;
        // Truncation is not an error: the rest of the message still counts.
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::fmt::Write;

    #[test]
    fn fits_or_truncates_on_a_char_boundary() {
        let mut b = LineBuf::<8>::new();
        write!(b, "ab{}", 12).unwrap();
        assert_eq!(b.as_str(), "ab12");
        write!(b, "xyzé").unwrap();
        // "é" is two bytes and only one is left.
        assert_eq!(b.as_str(), "ab12xyz");
        write!(b, "q").unwrap();
        assert_eq!(b.as_str(), "ab12xyzq");
        write!(b, "more").unwrap();
        assert_eq!(b.as_str(), "ab12xyzq");
    }
}
