//! Turning C arguments into Rust values without trusting them further
//! than the C contract of each function allows.
//!
//! Every function here checks what can be checked (NULL, lengths, UTF-8)
//! and returns a libcapos error code instead of failing. What cannot be
//! checked (that a non-NULL pointer is valid for the stated length, that a
//! string is terminated) is the caller's contract, stated on each exported
//! function.

use crate::error::{CAPOS_E_BAD_ARGUMENT, CAPOS_E_MESSAGE_TOO_LARGE};
use capos_abi::ring::MAX_MESSAGE_BYTES;
use core::ffi::{c_char, c_void};

/// Longest text or data libcapos puts in one message.
pub(crate) const MAX_BYTES: usize = MAX_MESSAGE_BYTES as usize;

/// `len` bytes at `ptr`. A zero length needs no pointer.
///
/// # Safety
/// If `len` is not zero and `ptr` is not NULL, `ptr` must be valid for
/// reads of `len` bytes that nothing writes during `'a`.
pub unsafe fn bytes<'a>(ptr: *const c_void, len: usize) -> Result<&'a [u8], i32> {
    if len == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() || len > isize::MAX as usize {
        return Err(CAPOS_E_BAD_ARGUMENT);
    }
    // SAFETY: non-NULL, and valid for `len` bytes per the contract.
    Ok(unsafe { core::slice::from_raw_parts(ptr.cast(), len) })
}

/// `len` writable bytes at `ptr`. A zero length needs no pointer.
///
/// # Safety
/// If `len` is not zero and `ptr` is not NULL, `ptr` must be valid for
/// reads and writes of `len` bytes that nothing else accesses during `'a`.
pub unsafe fn bytes_mut<'a>(ptr: *mut c_void, len: usize) -> Result<&'a mut [u8], i32> {
    if len == 0 {
        return Ok(&mut []);
    }
    if ptr.is_null() || len > isize::MAX as usize {
        return Err(CAPOS_E_BAD_ARGUMENT);
    }
    // SAFETY: non-NULL, and valid and unaliased for `len` bytes per the
    // contract.
    Ok(unsafe { core::slice::from_raw_parts_mut(ptr.cast(), len) })
}

/// The bytes of the NUL-terminated string at `ptr`, without the NUL, if
/// the NUL comes within `max` bytes; `Ok(None)` if it does not. Reads at
/// most `max + 1` bytes.
///
/// # Safety
/// `ptr` must be NULL or point to a NUL-terminated string (at least its
/// first `max + 1` bytes, if it is longer) that nothing writes during `'a`.
pub unsafe fn c_bytes<'a>(ptr: *const c_char, max: usize) -> Result<Option<&'a [u8]>, i32> {
    if ptr.is_null() {
        return Err(CAPOS_E_BAD_ARGUMENT);
    }
    let start = ptr.cast::<u8>();
    for len in 0..=max {
        // SAFETY: every byte up to and including the terminator is
        // readable per the contract, and the loop stops at the terminator.
        if unsafe { start.add(len).read() } == 0 {
            // SAFETY: the `len` bytes before the terminator were just read.
            return Ok(Some(unsafe { core::slice::from_raw_parts(start, len) }));
        }
    }
    Ok(None)
}

/// The UTF-8 text of the NUL-terminated string at `ptr`, at most
/// [`MAX_BYTES`] long.
///
/// # Safety
/// As for [`c_bytes`].
pub unsafe fn text<'a>(ptr: *const c_char) -> Result<&'a str, i32> {
    // SAFETY: forwarded contract.
    let bytes = unsafe { c_bytes(ptr, MAX_BYTES) }?.ok_or(CAPOS_E_MESSAGE_TOO_LARGE)?;
    core::str::from_utf8(bytes).map_err(|_| CAPOS_E_BAD_ARGUMENT)
}

/// Stores `value` at `out` unless `out` is NULL.
///
/// # Safety
/// `out` must be NULL or valid for a write of a `T` (any alignment).
pub unsafe fn store<T>(out: *mut T, value: T) {
    if !out.is_null() {
        // SAFETY: non-NULL and writable per the contract; unaligned
        // writes are fine for any address.
        unsafe { out.write_unaligned(value) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::ptr;

    #[test]
    fn byte_ranges_check_null_and_empty() {
        let data = [1u8, 2, 3];
        // SAFETY: `data` is valid for 3 bytes.
        assert_eq!(unsafe { bytes(data.as_ptr().cast(), 3) }, Ok(&data[..]));
        // SAFETY: a zero length reads nothing.
        assert_eq!(unsafe { bytes(ptr::null(), 0) }, Ok(&[][..]));
        // SAFETY: NULL is refused before any read.
        assert_eq!(unsafe { bytes(ptr::null(), 1) }, Err(CAPOS_E_BAD_ARGUMENT));
        // SAFETY: NULL is refused before any write.
        let got = unsafe { bytes_mut(ptr::null_mut(), 4) };
        assert_eq!(got, Err(CAPOS_E_BAD_ARGUMENT));
    }

    #[test]
    fn c_strings_are_bounded_and_checked() {
        let hello = c"hello";
        // SAFETY: a terminated string.
        let got = unsafe { c_bytes(hello.as_ptr(), 5) };
        assert_eq!(got, Ok(Some(&b"hello"[..])));
        // SAFETY: the scan stops after max + 1 bytes, inside the string.
        assert_eq!(unsafe { c_bytes(hello.as_ptr(), 4) }, Ok(None));
        // SAFETY: NULL is refused before any read.
        let got = unsafe { c_bytes(ptr::null(), 4) };
        assert_eq!(got, Err(CAPOS_E_BAD_ARGUMENT));
        // SAFETY: a terminated string.
        assert_eq!(unsafe { text(hello.as_ptr()) }, Ok("hello"));
        let latin1 = [b'a', 0xe9, 0];
        // SAFETY: a terminated byte string.
        let got = unsafe { text(latin1.as_ptr().cast()) };
        assert_eq!(got, Err(CAPOS_E_BAD_ARGUMENT));
    }

    #[test]
    fn store_skips_null() {
        let mut slot = 0u64;
        // SAFETY: NULL is skipped; `slot` is writable.
        unsafe {
            store(ptr::null_mut(), 7u64);
            store(&mut slot, 9u64);
        }
        assert_eq!(slot, 9);
    }
}
