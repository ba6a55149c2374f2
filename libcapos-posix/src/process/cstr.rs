//! C strings and NULL-terminated string lists (argv, envp, paths) read
//! from the caller's memory.

use crate::linux::errno::{E2BIG, EFAULT};
use alloc::vec::Vec;
use core::ffi::{CStr, c_char};

/// Most entries one argv or envp may hold (capos-lib launch's limit).
const MAX_STRINGS: usize = 1024;

/// The bytes of the C string at `p` (without its NUL); EFAULT for NULL.
///
/// # Safety
/// `p` is NULL or a NUL-terminated string that outlives `'a`.
pub unsafe fn bytes<'a>(p: *const c_char) -> Result<&'a [u8], i64> {
    if p.is_null() {
        return Err(EFAULT);
    }
    // SAFETY: a NUL-terminated string per the contract.
    Ok(unsafe { CStr::from_ptr(p) }.to_bytes())
}

/// The strings of the NULL-terminated list at `list`; a NULL list is
/// empty (Linux's execve takes a NULL argv or envp as empty). More than
/// the launch region can carry is E2BIG.
///
/// # Safety
/// `list` is NULL or an array of string pointers ending with NULL, each
/// valid as for [`bytes`].
pub unsafe fn list<'a>(list: *const *const c_char) -> Result<Vec<&'a [u8]>, i64> {
    let mut out = Vec::new();
    if list.is_null() {
        return Ok(out);
    }
    for i in 0.. {
        // SAFETY: the array holds a NULL-terminated list per the contract;
        // reading stops at its NULL.
        let p = unsafe { list.add(i).read() };
        if p.is_null() {
            break;
        }
        if i == MAX_STRINGS {
            return Err(E2BIG);
        }
        // SAFETY: as above.
        out.push(unsafe { bytes(p) }?);
    }
    Ok(out)
}
