//! The two system calls (see `capos_abi::syscall`).

use capos_abi::syscall::{SYS_CAP_ENTER, SYS_EXIT};
use core::arch::asm;

/// Ends the process with `code`. Caps still held are dropped by the kernel;
/// releases queued by dropped [`Cap`](crate::Cap)s but not flushed are
/// moot then.
pub fn exit(code: i64) -> ! {
    // SAFETY: SYS_EXIT takes RAX and RDI and never returns.
    unsafe { asm!("syscall", in("rax") SYS_EXIT, in("rdi") code, options(noreturn, nostack)) }
}

/// Consumes the queued SQEs, then waits for `min_complete` CQEs or
/// `timeout_ns`. Returns the number of CQEs available or a negative
/// `capos_abi::error` code.
pub fn cap_enter(min_complete: u32, timeout_ns: u64) -> i64 {
    let ret: i64;
    // SAFETY: the kernel preserves every register except RAX (the result)
    // and RCX/R11 (clobbered by `syscall`), and uses no user stack. It
    // reads and writes user memory named by SQEs; those buffers are owned
    // by the ring client, whose pointers escaped into the ring, so the
    // compiler must (and does, without `nomem`) assume memory changes.
    unsafe {
        asm!(
            "syscall",
            inlateout("rax") SYS_CAP_ENTER => ret,
            in("rdi") u64::from(min_complete),
            in("rsi") timeout_ns,
            lateout("rcx") _,
            lateout("r11") _,
            options(nostack),
        );
    }
    ret
}

/// The real kernel behind the ring client.
pub struct Syscalls;

impl crate::client::Kernel for Syscalls {
    fn cap_enter(&mut self, min_complete: u32, timeout_ns: u64) -> i64 {
        cap_enter(min_complete, timeout_ns)
    }
}
