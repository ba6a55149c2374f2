//! Checks that the kernel keeps a process's SSE registers across a block.
//!
//! Rust code for `x86_64-unknown-none` is soft-float and never touches the
//! XMM registers, but C code built by gcc does, so the kernel must save and
//! restore them per thread. This puts a pattern in xmm0 and xmm1, blocks in
//! `cap_enter` until a sleep completes (other processes run meanwhile,
//! possibly holding their own patterns), and reads the registers back.

use alloc::format;
use alloc::string::String;
use capos_abi::syscall::{SYS_CAP_ENTER, WAIT_FOREVER};
use capos_rt::Timer;
use core::arch::asm;

/// Long enough that the scheduler runs other processes meanwhile.
const SLEEP_NS: u64 = 20_000_000;

/// Holds `pattern` in xmm0/xmm1 while blocked in `cap_enter(1, forever)`.
/// Returns what `cap_enter` returned and what the registers held after it.
fn hold_across_cap_enter(pattern: [u64; 2]) -> (i64, [u64; 2]) {
    // The caller's xmm0/xmm1 (full 128 bits each), restored before leaving.
    let mut saved = [0u64; 4];
    let mut found = pattern;
    let ret: i64;
    // SAFETY: the block saves and restores xmm0/xmm1 through `saved`, so
    // they look untouched to the compiler; the syscall clobbers only RAX
    // (declared) and RCX/R11 (declared as non-late outputs, so no input
    // lives there). The kernel may write the ring and the buffers of
    // in-flight calls, which is why the block is not `nomem`.
    unsafe {
        asm!(
            "movdqu [{saved}], xmm0",
            "movdqu [{saved} + 16], xmm1",
            "movq xmm0, {lo}",
            "movq xmm1, {hi}",
            "syscall",
            "movq {lo}, xmm0",
            "movq {hi}, xmm1",
            "movdqu xmm0, [{saved}]",
            "movdqu xmm1, [{saved} + 16]",
            saved = in(reg) saved.as_mut_ptr(),
            lo = inout(reg) found[0],
            hi = inout(reg) found[1],
            inlateout("rax") SYS_CAP_ENTER => ret,
            in("rdi") 1u64,
            in("rsi") WAIT_FOREVER,
            out("rcx") _,
            out("r11") _,
            options(nostack),
        );
    }
    (ret, found)
}

/// Runs the check with a pattern derived from `seed`; `Err` says what broke.
pub fn check_across_sleep(timer: &Timer, seed: u64) -> Result<(), String> {
    let pattern = [seed, !seed];
    // Queued now; the `cap_enter` inside the asm hands it to the kernel
    // and blocks until it completes.
    let sleep = timer
        .sleep_async(SLEEP_NS)
        .map_err(|e| format!("sleep: {e}"))?;
    let (ret, found) = hold_across_cap_enter(pattern);
    if ret < 1 {
        return Err(format!("cap_enter returned {ret}"));
    }
    sleep.wait().map_err(|e| format!("sleep: {e}"))?;
    if found != pattern {
        return Err(format!(
            "xmm0/xmm1 held {:#x}/{:#x} after blocking, not {:#x}/{:#x}",
            found[0], found[1], pattern[0], pattern[1]
        ));
    }
    Ok(())
}
