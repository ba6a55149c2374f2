//! The signal upcall (Timer.setUpcall; the frame is capos_abi::upcall):
//! how a caught signal reaches this process while it runs without calling
//! the kernel, a C loop `while (!flag);` say. The kernel saves the
//! interrupted registers in a frame on the stack and resumes the process
//! at [`capos_posix_upcall_entry`], which saves the FPU and SSE state,
//! acts on the signals as a call's return would (`interrupt::settle`,
//! then the handler with the mask sigaction asked for), restores the FPU
//! state, every register and RFLAGS, and jumps back, all in user mode.
//!
//! [`BUSY`] keeps upcalls out while the adapter holds its own state (the
//! descriptor table, the ring): every `__capos_syscall`, the fork entry
//! and `__capos_spawn` hold it, and the kernel sets it as it makes an
//! upcall. (libcapos's own `capos_*` functions, which C may call
//! directly, do not: a handler that interrupts one and calls into the
//! adapter finds the runtime borrowed and gets EIO.) A signal
//! that comes meanwhile stays with the kernel, which hands it over at
//! the next tick with BUSY clear or through the signal wait at the next
//! cap_enter, so `settle` acts on it as that call returns.

use crate::state;
use crate::{interrupt, sigcall};
use capos_abi::upcall::{FRAME_RSP, FRAME_SIGNALS, RETURN_SLOT_BELOW, UpcallFrame};
use capos_rt::{Timer, UpcallEntry};
use core::arch::global_asm;
use core::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};

/// Nonzero while no upcall may come (see the module's text). The kernel
/// reads it, and writes 1 into it as it makes an upcall.
pub static BUSY: AtomicU32 = AtomicU32::new(0);

/// Set once the kernel has the entry; a forked child keeps it, as the
/// kernel keeps the child's.
static REGISTERED: AtomicBool = AtomicBool::new(false);

/// Signals an upcall brought while the adapter's state was borrowed (a
/// path that forgot [`BUSY`]): taken by the next `settle`.
static STRANDED: AtomicU64 = AtomicU64::new(0);

/// Holds upcalls off; returns what to [`restore`] after.
pub fn hold() -> u32 {
    BUSY.swap(1, Ordering::SeqCst)
}

/// Lets upcalls come again if they could before the matching [`hold`].
pub fn restore(outer: u32) {
    BUSY.store(outer, Ordering::SeqCst);
}

/// Lets upcalls come while a signal handler runs (it may loop; a nested
/// signal then runs its own handler); returns what to [`restore`] after.
pub fn release() -> u32 {
    BUSY.swap(0, Ordering::SeqCst)
}

/// Signals an upcall could not hand to the adapter's state.
pub fn take_stranded() -> u64 {
    STRANDED.swap(0, Ordering::SeqCst)
}

unsafe extern "C" {
    fn capos_posix_upcall_entry();
    static capos_posix_upcall_return: u8;
    static capos_posix_upcall_return_end: u8;
}

// The entry: RSP and RDI point at the frame (16-byte aligned), RFLAGS is
// IF alone, BUSY is 1. RBX, saved in the frame, keeps the frame's address
// across the call. The 512 bytes under the frame take fxsave's image.
// After the pops and popfq RSP points at the frame's RSP, loaded last;
// BUSY is cleared before (mov changes no flag), and the jump reads the
// return slot the kernel wrote RETURN_SLOT_BELOW bytes under the restored
// RSP. Only that jump, [capos_posix_upcall_return,
// capos_posix_upcall_return_end), is closed to a nested upcall, whose
// frame would cover the slot; one at any earlier instruction writes below
// RSP - 128, under everything still to be read.
global_asm!(
    ".globl capos_posix_upcall_entry",
    ".hidden capos_posix_upcall_entry",
    ".type capos_posix_upcall_entry, @function",
    "capos_posix_upcall_entry:",
    "mov rbx, rdi",
    "sub rsp, 512",
    "fxsave64 [rsp]",
    "call {upcall}",
    "fxrstor64 [rsp]",
    "mov rsp, rbx",
    "pop r15",
    "pop r14",
    "pop r13",
    "pop r12",
    "pop r11",
    "pop r10",
    "pop r9",
    "pop r8",
    "pop rbp",
    "pop rdi",
    "pop rsi",
    "pop rdx",
    "pop rcx",
    "pop rbx",
    "pop rax",
    "popfq",
    "mov dword ptr [rip + {busy}], 0",
    "mov rsp, [rsp]",
    ".globl capos_posix_upcall_return",
    ".hidden capos_posix_upcall_return",
    "capos_posix_upcall_return:",
    "jmp qword ptr [rsp - {slot}]",
    ".globl capos_posix_upcall_return_end",
    ".hidden capos_posix_upcall_return_end",
    "capos_posix_upcall_return_end:",
    ".size capos_posix_upcall_entry, . - capos_posix_upcall_entry",
    upcall = sym upcall,
    busy = sym BUSY,
    slot = const RETURN_SLOT_BELOW,
);

// The pops above take the frame's fields in order up to RFLAGS.
const _: () = assert!(FRAME_RSP == 16 * 8);

/// Acts on the signals the kernel handed over, as a call's return would,
/// and runs the handlers they call for. Runs on the interrupted stack,
/// under the frame; returns to the entry, which resumes the interrupted
/// code, unless a handler leaves by longjmp or the process ends.
extern "C" fn upcall(frame: *const UpcallFrame) {
    // SAFETY: the kernel wrote the frame at this address, in this
    // process's stack, for this upcall; it lives until the entry's return.
    let signals = unsafe { frame.byte_add(FRAME_SIGNALS as usize).cast::<u64>().read() };
    let held = state::access(|s| {
        s.incoming |= signals;
        interrupt::settle(s);
    });
    if held.is_none() {
        STRANDED.fetch_or(signals, Ordering::SeqCst);
        return;
    }
    loop {
        if let Some(code) = state::exit_requested() {
            crate::dispatch::finish(code);
        }
        if sigcall::run_handler().is_none() {
            return;
        }
    }
}

/// Gives the kernel the entry, once, so a caught signal reaches this
/// process while it runs without calls. The caller flushes the ring.
pub fn register(timer: &Timer) {
    if REGISTERED.load(Ordering::Relaxed) {
        return;
    }
    let entry = UpcallEntry {
        entry: capos_posix_upcall_entry as *const () as u64,
        busy: BUSY.as_ptr() as u64,
        // Only the symbols' addresses are taken, never their bytes.
        return_start: (&raw const capos_posix_upcall_return) as u64,
        return_end: (&raw const capos_posix_upcall_return_end) as u64,
    };
    // Its result (an exception only for addresses outside user space,
    // which these are not) is not needed: dropping the call discards it.
    if timer.set_upcall_async(entry).is_ok() {
        REGISTERED.store(true, Ordering::Relaxed);
    }
}
