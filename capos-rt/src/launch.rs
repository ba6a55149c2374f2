//! The launch parameters (argv and environment) the kernel maps at
//! `capos_abi::layout::LAUNCH_VADDR`, in the encoding of
//! `capos_lib::launch`.
//!
//! The kernel maps only the pages the encoded parameters need, and always
//! the first one, so the header is read first and the region is then taken
//! to be as long as the header says, never longer than
//! `capos_lib::launch::MAX_SIZE`. Everything else is `decode`'s to check.

use capos_lib::launch::{self, HEADER_SIZE, Launch, LaunchError, MAX_SIZE};

/// Offset of the total length in the header.
const TOTAL_LEN_OFFSET: usize = 8;

/// How many bytes of the region to read: the stated total length if it is
/// possible, else just the header (and `decode` says what is wrong).
fn region_len(header: &[u8; HEADER_SIZE]) -> usize {
    let mut raw = [0; 4];
    raw.copy_from_slice(&header[TOTAL_LEN_OFFSET..TOTAL_LEN_OFFSET + 4]);
    usize::try_from(u32::from_le_bytes(raw))
        .ok()
        .filter(|len| (HEADER_SIZE..=MAX_SIZE).contains(len))
        .unwrap_or(HEADER_SIZE)
}

/// Decodes the launch parameters at `base`.
///
/// # Safety
/// `base` must point to a launch region that stays mapped, read-only and
/// unchanged for the rest of the process: its first [`HEADER_SIZE`] bytes,
/// and as many more as its stated total length (up to [`MAX_SIZE`]).
pub unsafe fn at(base: *const u8) -> Result<Launch<'static>, LaunchError> {
    // SAFETY: the header is always mapped (contract).
    let header = unsafe { &*base.cast::<[u8; HEADER_SIZE]>() };
    let len = region_len(header);
    // SAFETY: `len` is the stated length, which is mapped (contract), or
    // the header alone.
    launch::decode(unsafe { core::slice::from_raw_parts(base, len) })
}

#[cfg(test)]
mod fuzz;

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::boxed::Box;
    use alloc::vec;

    fn leak(bytes: alloc::vec::Vec<u8>) -> *const u8 {
        Box::leak(bytes.into_boxed_slice()).as_ptr()
    }

    #[test]
    fn the_stated_length_bounds_the_region() {
        let encoded = launch::encode(&[b"echo", b"-n"], &[b"HOME=/"]).unwrap();
        let len = encoded.len();
        // SAFETY: leaked, so it lives for the rest of the test process.
        let got = unsafe { at(leak(encoded)) }.unwrap();
        assert_eq!(got.bytes().len(), len);
        assert_eq!(got.argv().get(1), Some(&b"-n"[..]));
        assert_eq!(got.var(b"HOME"), Some(&b"/"[..]));
    }

    #[test]
    fn impossible_lengths_read_only_the_header() {
        let mut encoded = launch::encode(&[], &[]).unwrap();
        for total in [0u32, 16, MAX_SIZE as u32 + 1, u32::MAX] {
            encoded[TOTAL_LEN_OFFSET..TOTAL_LEN_OFFSET + 4].copy_from_slice(&total.to_le_bytes());
            let header: [u8; HEADER_SIZE] = encoded[..HEADER_SIZE].try_into().unwrap();
            assert_eq!(region_len(&header), HEADER_SIZE);
            // Only the header is allocated, as only it is mapped when the
            // stated length is impossible.
            // SAFETY: leaked; the header is all that is read.
            let got = unsafe { at(leak(encoded[..HEADER_SIZE].to_vec())) };
            assert!(got.is_err());
        }
        // SAFETY: as above.
        assert!(unsafe { at(leak(vec![0; HEADER_SIZE])) }.is_err());
    }
}
