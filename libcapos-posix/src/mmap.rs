//! Checking `mmap` requests: capOS maps anonymous, private, zeroed memory
//! through VirtualMemory; everything else is refused with the errno below
//! before any capability is called.

use crate::linux::errno::{EACCES, EBADF, EINVAL, ENOMEM};
use crate::vector::PAGE_SIZE;

pub const PROT_READ: i64 = 1;
pub const PROT_WRITE: i64 = 2;
pub const PROT_EXEC: i64 = 4;
pub const MAP_SHARED: i64 = 0x01;
pub const MAP_PRIVATE: i64 = 0x02;
pub const MAP_FIXED: i64 = 0x10;
pub const MAP_ANONYMOUS: i64 = 0x20;
/// Advisory: capOS never over-commits, so there is no reservation to skip.
pub const MAP_NORESERVE: i64 = 0x4000;

/// A checked anonymous mapping request.
#[derive(Debug, PartialEq, Eq)]
pub struct Request {
    pub hint: u64,
    pub len: u64,
    pub prot: u32,
}

/// Rounds `len` up to whole pages; 0 or overflow is an error.
pub fn pages(len: u64) -> Result<u64, i64> {
    if len == 0 {
        return Err(EINVAL);
    }
    len.checked_next_multiple_of(PAGE_SIZE as u64).ok_or(ENOMEM)
}

/// Checks protection bits: only READ, WRITE and EXEC; W^X is enforced by
/// the kernel and reported as EACCES.
pub fn prot(prot: i64) -> Result<u32, i64> {
    if prot & !(PROT_READ | PROT_WRITE | PROT_EXEC) != 0 {
        return Err(EINVAL);
    }
    if prot & PROT_WRITE != 0 && prot & PROT_EXEC != 0 {
        return Err(EACCES);
    }
    Ok(prot as u32)
}

/// Checks `mmap(addr, len, prot, flags, fd, off)`. A file mapping
/// (`fd_open`: whether `fd` names an open descriptor) is EBADF for a
/// closed descriptor and ENODEV for an open one: no capOS object can be
/// mapped yet.
pub fn check(
    addr: u64,
    len: u64,
    prot_bits: i64,
    flags: i64,
    off: i64,
    fd_open: bool,
) -> Result<Request, i64> {
    use crate::linux::errno::ENODEV;
    let known = MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS | MAP_NORESERVE;
    if flags & !known != 0 || (flags & (MAP_SHARED | MAP_PRIVATE)) == (MAP_SHARED | MAP_PRIVATE) {
        return Err(EINVAL);
    }
    if flags & MAP_ANONYMOUS == 0 {
        return Err(if fd_open { ENODEV } else { EBADF });
    }
    // Shared anonymous memory only differs from private across fork,
    // which capOS does not have; MAP_FIXED would replace mappings, which
    // VirtualMemory cannot do.
    if flags & MAP_PRIVATE == 0 || flags & MAP_FIXED != 0 || off != 0 {
        return Err(EINVAL);
    }
    let len = pages(len)?;
    let prot = prot(prot_bits)?;
    Ok(Request {
        hint: addr & !(PAGE_SIZE as u64 - 1),
        len,
        prot,
    })
}

pub const MADV_NORMAL: i64 = 0;
pub const MADV_RANDOM: i64 = 1;
pub const MADV_SEQUENTIAL: i64 = 2;
pub const MADV_WILLNEED: i64 = 3;
pub const MADV_FREE: i64 = 8;

/// Checks `madvise(addr, len, advice)`. Advice that only hints (NORMAL,
/// RANDOM, SEQUENTIAL, WILLNEED) or lets the system keep or drop the
/// contents at its choice (FREE, which musl's free issues) is accepted
/// and changes nothing: capOS keeps every page. Advice with an effect
/// capOS would have to perform (DONTNEED's zero-fill, ...) is EINVAL
/// (`Err(true)`: to be logged as unsupported); a misaligned address is
/// EINVAL (`Err(false)`).
pub fn advice(addr: u64, advice: i64) -> Result<(), bool> {
    if !addr.is_multiple_of(PAGE_SIZE as u64) {
        return Err(false);
    }
    match advice {
        MADV_NORMAL | MADV_RANDOM | MADV_SEQUENTIAL | MADV_WILLNEED | MADV_FREE => Ok(()),
        _ => Err(true),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linux::errno::ENODEV;

    const ANON: i64 = MAP_PRIVATE | MAP_ANONYMOUS;

    #[test]
    fn anonymous_private_mappings_are_accepted() {
        assert_eq!(
            check(0, 5000, PROT_READ | PROT_WRITE, ANON, 0, false),
            Ok(Request {
                hint: 0,
                len: 8192,
                prot: 3
            })
        );
        assert_eq!(
            check(0x7000_1234, 4096, 0, ANON | MAP_NORESERVE, 0, false),
            Ok(Request {
                hint: 0x7000_1000,
                len: 4096,
                prot: 0
            })
        );
    }

    #[test]
    fn advice_is_a_hint_or_refused() {
        assert_eq!(advice(0x1000, MADV_FREE), Ok(()));
        assert_eq!(advice(0x1000, MADV_WILLNEED), Ok(()));
        assert_eq!(advice(0x1001, MADV_NORMAL), Err(false));
        assert_eq!(advice(0x1000, 4), Err(true), "MADV_DONTNEED");
        assert_eq!(advice(0x1000, 100), Err(true));
    }

    #[test]
    fn everything_else_is_refused() {
        assert_eq!(check(0, 0, 3, ANON, 0, false), Err(EINVAL));
        assert_eq!(check(0, u64::MAX, 3, ANON, 0, false), Err(ENOMEM));
        assert_eq!(check(0, 4096, 8, ANON, 0, false), Err(EINVAL));
        assert_eq!(check(0, 4096, 6, ANON, 0, false), Err(EACCES));
        assert_eq!(check(0, 4096, 3, MAP_PRIVATE, 0, false), Err(EBADF));
        assert_eq!(check(0, 4096, 3, MAP_PRIVATE, 0, true), Err(ENODEV));
        assert_eq!(
            check(0, 4096, 3, MAP_SHARED | MAP_ANONYMOUS, 0, false),
            Err(EINVAL)
        );
        assert_eq!(
            check(0x1000, 4096, 3, ANON | MAP_FIXED, 0, false),
            Err(EINVAL)
        );
        assert_eq!(check(0, 4096, 3, ANON | 0x100, 0, false), Err(EINVAL));
    }
}
