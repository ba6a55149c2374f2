//! Addresses and option values in and out of C's memory, each pointer
//! turned into a slice in one place. As elsewhere in the adapter, NULL
//! where Linux would read or write is EFAULT; any other invalid pointer
//! faults the process.

use crate::linux::errno::EFAULT;
use crate::socket::addr::{self, SockAddr};
use crate::socket::option;
use core::slice;

/// The bytes of an address C passed, checked as Linux checks them before
/// reading (EINVAL for a length past `sockaddr_storage`, EFAULT for NULL
/// with a length).
///
/// # Safety
/// `ptr` is NULL or readable for the length `len` gives.
pub unsafe fn addr_in<'a>(ptr: *const u8, len: i64) -> Result<&'a [u8], i64> {
    let n = addr::input_len(len, ptr.is_null())?;
    if n == 0 {
        return Ok(&[]);
    }
    // SAFETY: non-NULL and readable for `n` bytes per the contract.
    Ok(unsafe { slice::from_raw_parts(ptr, n) })
}

/// Writes `a` for C as Linux's `move_addr_to_user`: as much as `*len`
/// has room for, then its full length in `*len`.
///
/// # Safety
/// `len` is NULL or a read-write `socklen_t`; `out` is NULL or writable
/// for what `*len` says.
pub unsafe fn addr_out(a: SockAddr, out: *mut u8, len: *mut u32) -> Result<(), i64> {
    // SAFETY: a readable socklen_t if not NULL, per the contract.
    let room = (!len.is_null()).then(|| unsafe { len.read_unaligned() } as i32);
    let (bytes, full) = a.encode();
    let n = addr::output_len(room, full)?;
    if n > 0 {
        if out.is_null() {
            return Err(EFAULT);
        }
        // SAFETY: writable for `n` bytes (at most `*len`) per the contract.
        unsafe { slice::from_raw_parts_mut(out, n) }.copy_from_slice(&bytes[..n]);
    }
    // SAFETY: non-NULL here (output_len refused NULL) and writable.
    unsafe { len.write_unaligned(full as u32) };
    Ok(())
}

/// The first bytes of an option value C passed (at most a timeval's,
/// all any option reads); None for NULL.
///
/// # Safety
/// `ptr` is NULL or readable for the length `len` gives.
pub unsafe fn option_in<'a>(ptr: *const u8, len: i64) -> Option<&'a [u8]> {
    if ptr.is_null() {
        return None;
    }
    let n = usize::try_from(len as i32)
        .unwrap_or(0)
        .min(option::TIMEVAL_LEN);
    // SAFETY: readable for min(len, TIMEVAL_LEN) bytes per the contract.
    Some(unsafe { slice::from_raw_parts(ptr, n) })
}

/// Writes an option value for C as Linux's `sock_getsockopt`: as much as
/// `*len` has room for, then that count in `*len`.
///
/// # Safety
/// `len` is NULL or a read-write `socklen_t`; `out` is NULL or writable
/// for what `*len` says.
pub unsafe fn option_out(value: &[u8], out: *mut u8, len: *mut u32) -> Result<(), i64> {
    // SAFETY: a readable socklen_t if not NULL, per the contract.
    let room = (!len.is_null()).then(|| unsafe { len.read_unaligned() } as i32);
    let n = option::output_len(room, value.len())?;
    if n > 0 {
        if out.is_null() {
            return Err(EFAULT);
        }
        // SAFETY: writable for `n` bytes (at most `*len`) per the contract.
        unsafe { slice::from_raw_parts_mut(out, n) }.copy_from_slice(&value[..n]);
    }
    // SAFETY: non-NULL here (output_len refused NULL) and writable.
    unsafe { len.write_unaligned(n as u32) };
    Ok(())
}
