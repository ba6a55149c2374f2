//! The file calls' routing: which Linux call goes to which function of
//! file/, and the report of a path no directory capability covers.

use super::abi::at::AT_FDCWD;
use super::abi::nr as f;
use crate::dispatch::refuse;
use crate::file;
use crate::linux::errno::{EACCES, EFAULT, ENOSYS};
use crate::linux::nr;
use crate::state::State;
use core::slice;

/// EACCES from a path call means no directory capability covers the path
/// (capos_rt::Namespace): reported once per call, since it is what a
/// manifest that forgot a grant looks like. (`access`'s own EACCES is an
/// answer, not a refusal.)
pub fn answer(s: &mut State, n: i64, r: Result<i64, i64>) -> Result<i64, i64> {
    match r {
        Err(EACCES) if !matches!(n, f::ACCESS | f::FACCESSAT | f::FACCESSAT2) => {
            refuse(s, n, EACCES, "no directory capability covers the path")
        }
        other => other,
    }
}

/// Runs file call `n` (syscalls.rs lists which they are). Inlined into
/// each call's entry, where `n` is a constant, so that a program links
/// only the file calls it makes.
///
/// # Safety
/// Pointer arguments must be valid as the Linux call would require.
#[inline(always)]
pub unsafe fn call(s: &mut State, n: i64, a: [i64; 6]) -> Result<i64, i64> {
    // SAFETY: every arm passes on pointers valid per the contract.
    unsafe {
        match n {
            nr::OPEN => {
                file::open::openat(s, n, file::abi::at::AT_FDCWD, a[0] as *const u8, a[1], a[2])
            }
            f::OPENAT => file::open::openat(s, n, a[0], a[1] as *const u8, a[2], a[3]),
            f::CREAT => file::open::creat(s, n, a[0] as *const u8, a[1]),
            f::LSEEK => file::io::lseek(s.fds.get(a[0])?, a[1], a[2]),
            f::PREAD64 | f::PWRITE64 => pio(s, n, a[0], a[1] as *mut u8, a[2] as usize, a[3]),
            f::FSTAT => file::meta::fstat(s, a[0], a[1] as *mut u8),
            f::STAT | f::LSTAT => {
                file::meta::fstatat(s, AT_FDCWD, a[0] as *const u8, a[1] as *mut u8, 0)
            }
            f::NEWFSTATAT => file::meta::fstatat(s, a[0], a[1] as *const u8, a[2] as *mut u8, a[3]),
            f::STATX => file::meta::statx(s, a[0], a[1] as *const u8, a[2], a[4] as *mut u8),
            f::ACCESS => file::meta::faccessat(s, AT_FDCWD, a[0] as *const u8, a[1], 0),
            f::FACCESSAT => file::meta::faccessat(s, a[0], a[1] as *const u8, a[2], 0),
            f::FACCESSAT2 => file::meta::faccessat(s, a[0], a[1] as *const u8, a[2], a[3]),
            f::CHMOD => file::meta::fchmodat(s, AT_FDCWD, a[0] as *const u8, a[1], 0),
            f::FCHMODAT => file::meta::fchmodat(s, a[0], a[1] as *const u8, a[2], 0),
            f::FCHMOD => file::meta::fchmod(s, a[0], a[1]),
            f::UTIMENSAT => {
                file::meta::utimensat(s, a[0], a[1] as *const u8, a[2] as *const i64, a[3])
            }
            f::TRUNCATE => file::meta::truncate(s, a[0] as *const u8, a[1]),
            f::FTRUNCATE => file::meta::ftruncate(s, a[0], a[1]),
            f::FSYNC | f::FDATASYNC => file::meta::fsync(s, a[0]),
            f::UMASK => file::meta::umask(s, a[0]),
            f::MKDIR => file::names::mkdirat(s, AT_FDCWD, a[0] as *const u8, a[1]),
            f::MKDIRAT => file::names::mkdirat(s, a[0], a[1] as *const u8, a[2]),
            f::UNLINK => file::names::unlinkat(s, AT_FDCWD, a[0] as *const u8, 0),
            f::RMDIR => {
                file::names::unlinkat(s, AT_FDCWD, a[0] as *const u8, file::abi::at::AT_REMOVEDIR)
            }
            f::UNLINKAT => file::names::unlinkat(s, a[0], a[1] as *const u8, a[2]),
            f::RENAME => file::names::renameat2(
                s,
                n,
                (AT_FDCWD, a[0] as *const u8),
                (AT_FDCWD, a[1] as *const u8),
                0,
            ),
            f::RENAMEAT => file::names::renameat2(
                s,
                n,
                (a[0], a[1] as *const u8),
                (a[2], a[3] as *const u8),
                0,
            ),
            f::RENAMEAT2 => file::names::renameat2(
                s,
                n,
                (a[0], a[1] as *const u8),
                (a[2], a[3] as *const u8),
                a[4],
            ),
            f::LINK | f::LINKAT | f::SYMLINK | f::SYMLINKAT => file::names::link(s, n),
            f::READLINK => file::names::readlinkat(s, AT_FDCWD, a[0] as *const u8, a[2]),
            f::READLINKAT => file::names::readlinkat(s, a[0], a[1] as *const u8, a[3]),
            f::GETCWD => file::names::getcwd(s, a[0] as *mut u8, a[1]),
            f::CHDIR => file::names::chdir(s, a[0] as *const u8),
            f::FCHDIR => file::names::fchdir(s, n, a[0]),
            f::GETDENTS64 => file::dir::getdents64(s, a[0], a[1] as *mut u8, a[2]),
            f::GETDENTS => refuse(s, n, ENOSYS, "the old getdents layout; getdents64 works"),
            _ => refuse(s, n, ENOSYS, "not a file call"),
        }
    }
}

/// `pread64(fd, buf, len, offset)` and `pwrite64`: files only (ESPIPE
/// for pipes and the console).
///
/// # Safety
/// `buf` is NULL or valid for `len` bytes (writable for pread).
unsafe fn pio(
    s: &mut State,
    n: i64,
    fd: i64,
    buf: *mut u8,
    len: usize,
    offset: i64,
) -> Result<i64, i64> {
    let open = s.fds.get(fd)?.clone();
    if len > 0 && buf.is_null() {
        return Err(EFAULT);
    }
    let bytes: &mut [u8] = if len == 0 {
        &mut []
    } else {
        // SAFETY: valid for `len` bytes per the contract.
        unsafe { slice::from_raw_parts_mut(buf, len) }
    };
    if n == f::PREAD64 {
        file::io::pread(&open, bytes, offset)
    } else {
        file::io::pwrite(&open, bytes, offset)
    }
}
