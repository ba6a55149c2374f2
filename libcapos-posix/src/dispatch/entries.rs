//! One C entry per implemented call, made from the list in syscalls.rs:
//! `__capos_sys_NAME` answers its call alone, so a program links only the
//! calls it makes; [`by_number`] (`__capos_syscall`) points at the entries
//! for `syscall()` with a number known only at run time. Also the few
//! helpers the list's answers share.

use super::*;
use crate::file::abi::nr as f;

/// Makes the entries and [`by_number`] of the list's lines.
macro_rules! entries {
    (|$s:ident, $n:ident, $a:ident| $($entry:ident = $nr:path => $answer:expr;)*) => {
        $(
            #[unsafe(no_mangle)]
            #[doc = concat!("musl's call `", stringify!($nr), "`: see [`enter`].")]
            ///
            /// # Safety
            /// Pointer arguments must be valid as the Linux call would
            /// require.
            pub unsafe extern "C" fn $entry(
                a1: i64, a2: i64, a3: i64, a4: i64, a5: i64, a6: i64,
            ) -> i64 {
                /// The call's answer from the adapter's state.
                ///
                /// # Safety
                /// As the entry's.
                #[allow(unused_variables, unused_unsafe)]
                unsafe fn answer($s: &mut State, _: i64, $a: [i64; 6]) -> Result<i64, i64> {
                    // Always this call's number: a constant, so that an
                    // answer shared by several calls (file_call) folds to
                    // this call's part.
                    let $n: i64 = $nr;
                    // SAFETY: pointers passed on per the entry's contract.
                    unsafe { $answer }
                }
                // SAFETY: passed on from this function's contract.
                unsafe { enter($nr, [a1, a2, a3, a4, a5, a6], answer) }
            }
        )*

        /// The Linux system call `n` with arguments `a`, by its number: the
        /// entry of the implemented call, or a refusal.
        ///
        /// # Safety
        /// Pointer arguments must be valid as the Linux call would require.
        pub unsafe fn by_number(n: i64, a: [i64; 6]) -> i64 {
            // SAFETY: passed on from this function's contract.
            unsafe {
                match n {
                    $($nr => $entry(a[0], a[1], a[2], a[3], a[4], a[5]),)*
                    _ => __capos_sys_unimplemented(n, a[0], a[1], a[2], a[3], a[4], a[5]),
                }
            }
        }
    };
}

/// A call with a constant number the adapter does not implement: the
/// refusal, without linking every implemented call as `__capos_syscall`
/// would (capos_calls.h's default case).
///
/// # Safety
/// Nothing is dereferenced; unsafe as every entry is.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn __capos_sys_unimplemented(
    n: i64,
    a1: i64,
    a2: i64,
    a3: i64,
    a4: i64,
    a5: i64,
    a6: i64,
) -> i64 {
    fn unsupported(s: &mut State, n: i64, _: [i64; 6]) -> Result<i64, i64> {
        refuse(s, n, ENOSYS, report::UNSUPPORTED)
    }
    // SAFETY: `unsupported` reads no argument.
    unsafe { enter(n, [a1, a2, a3, a4, a5, a6], unsupported) }
}

crate::syscalls::each_call!(entries);

/// What the fork shim's child branch makes of exit and exit_group is its
/// own (process/fork_call.rs); outside it [`enter`] ends the process
/// before any answer, so this one is never given.
fn ended(s: &mut State, n: i64) -> Result<i64, i64> {
    refuse(s, n, ENOSYS, "exit outside the process's own path")
}

/// A file call, routed by file/calls.rs, with its report of a path no
/// directory capability covers. Inlined: `n` is the entry's constant.
///
/// # Safety
/// Pointer arguments must be valid as the Linux call would require.
#[inline(always)]
unsafe fn file_call(s: &mut State, n: i64, a: [i64; 6]) -> Result<i64, i64> {
    // SAFETY: passed on from the contract.
    let r = unsafe { file::calls::call(s, n, a) };
    file::calls::answer(s, n, r)
}

/// select and pselect6 (their timeouts already read).
///
/// # Safety
/// Pointer arguments must be valid as the Linux call would require.
unsafe fn select(s: &mut State, a: [i64; 6], timeout: Option<u64>) -> Result<i64, i64> {
    // SAFETY: passed on from the contract.
    unsafe {
        poll_call::select(
            s,
            a[0],
            a[1] as *mut _,
            a[2] as *mut _,
            a[3] as *mut _,
            timeout,
        )
    }
}

/// getsockname (`peer` false) and getpeername.
///
/// # Safety
/// Pointer arguments must be valid as the Linux call would require.
unsafe fn socket_name(s: &mut State, n: i64, a: [i64; 6], peer: bool) -> Result<i64, i64> {
    let (addr, len) = (a[1] as *mut u8, a[2] as *mut u32);
    // SAFETY: passed on from the contract.
    let r = unsafe {
        if is_tcp(s, a[0]) {
            stream::name(s, a[0], peer, addr, len)
        } else {
            calls::name(s, a[0], peer, addr, len)
        }
    };
    net::answer(s, n, r)
}
