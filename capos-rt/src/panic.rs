//! The panic handler: report on the console, then exit with code 101.
//!
//! It goes straight to the ring at its fixed address instead of through the
//! runtime, because the panic may have happened inside the ring client (its
//! RefCell borrowed) or the allocator (its lock held). It therefore formats
//! into fixed buffers and never allocates. A second panic while reporting
//! exits without reporting.

use crate::capset::CapSet;
use crate::line_buf::LineBuf;
use crate::panic_line::{self, FRAMED_WORDS, MAX_TEXT, SCRATCH_WORDS};
use crate::ring::{RingError, RingView};
use crate::syscall::{cap_enter, exit};
use capos_abi::layout::{CAPSET_VADDR, RING_VADDR};
use capos_abi::ring::{Sqe, op};
use capos_schema::interface_id;
use core::fmt::Write;
use core::panic::PanicInfo;
use core::sync::atomic::{AtomicBool, Ordering};

/// Exit code of a process that panicked (Rust's conventional 101).
pub const PANIC_EXIT_CODE: i64 = 101;

/// `user_data` of the report's SQE; the ring client's tokens count up from
/// 1 and never get here.
const PANIC_TOKEN: u64 = u64::MAX;

/// Schema ordinal of Console.writeLine.
const WRITE_LINE: u16 = 1;

/// How many times to enter the kernel waiting for the report's completion.
const MAX_WAITS: usize = 4;
const WAIT_NS: u64 = 1_000_000_000;

/// Buffers the kernel reads and writes; they live in the handler's frame,
/// which is never left (the handler ends in `exit`).
struct ReportBuffers {
    scratch: [u64; SCRATCH_WORDS],
    params: [u64; FRAMED_WORDS],
    result: [u64; 8],
}

#[panic_handler]
fn panic(info: &PanicInfo<'_>) -> ! {
    static PANICKING: AtomicBool = AtomicBool::new(false);
    if !PANICKING.swap(true, Ordering::Relaxed) {
        let mut line = LineBuf::<MAX_TEXT>::new();
        let _ = write!(line, "panic: {}", info.message());
        if let Some(location) = info.location() {
            let _ = write!(line, " at {}:{}", location.file(), location.line());
        }
        let mut buffers = ReportBuffers {
            scratch: [0; SCRATCH_WORDS],
            params: [0; FRAMED_WORDS],
            result: [0; 8],
        };
        report(line.as_str(), &mut buffers);
    }
    exit(PANIC_EXIT_CODE)
}

/// Best effort: any obstacle (no console, corrupt ring) ends the report.
fn report(text: &str, buffers: &mut ReportBuffers) {
    // SAFETY: the CapSet page is mapped read-only at this fixed address
    // for the life of the process, and nothing writes it.
    let Ok(capset) = (unsafe { CapSet::from_ptr(CAPSET_VADDR as *const _) }) else {
        return;
    };
    let Ok((_, console)) = capset.lookup("console", interface_id::CONSOLE) else {
        return;
    };
    let Some(params_len) = panic_line::encode(text, &mut buffers.scratch, &mut buffers.params)
    else {
        return;
    };
    // SAFETY: the ring is mapped at this fixed address for the life of the
    // process and accessed only through ring views and by the kernel.
    let Ok(ring) = (unsafe { RingView::new(RING_VADDR as *mut u8) }) else {
        return;
    };
    let sqe = Sqe {
        user_data: PANIC_TOKEN,
        opcode: op::CALL,
        method_id: WRITE_LINE,
        cap_id: console.cap_id,
        params_addr: buffers.params.as_ptr() as u64,
        params_len: params_len as u32,
        result_addr: buffers.result.as_mut_ptr() as u64,
        result_len: size_of_val(&buffers.result) as u32,
        interface_id: interface_id::CONSOLE,
        ..Sqe::nop(0)
    };
    let mut pushed = ring.push(&sqe);
    if pushed == Err(RingError::Full) && cap_enter(0, 0) >= 0 {
        pushed = ring.push(&sqe);
    }
    if pushed.is_err() {
        return;
    }
    // Other requests' completions are drained and dropped: the process is
    // about to end.
    for _ in 0..MAX_WAITS {
        if cap_enter(1, WAIT_NS) < 0 {
            return;
        }
        while let Ok(Some(cqe)) = ring.pop() {
            if cqe.user_data == PANIC_TOKEN {
                return;
            }
        }
    }
}
