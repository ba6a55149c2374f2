//! The machine half of the fork-for-exec shim: `fork`, `vfork` and
//! `_Fork` (musl's are removed from the build, vendor/musl/remove.list)
//! save the caller's context and enter [`super::fork_call::begin`], which
//! returns 0 into the caller (the child branch) or -1; [`resume`] later
//! returns from that same fork call a second time, into the parent, with
//! the child's pid or -1.
//!
//! The saved context (callee-saved registers, stack pointer, return
//! address) lives in this file's statics, not on the stack: the branch
//! runs on the caller's stack and overwrites everything below the
//! caller's frame, and may even return from the caller. So the stack in
//! use at fork, from the caller's stack pointer to the top, is copied
//! too and put back on resume: the parent finds its frames as fork left
//! them, as after a real fork. Memory outside the stack (globals, the
//! heap, stdio buffers) is shared with the branch, as under vfork.

use core::arch::global_asm;
use core::cell::UnsafeCell;
use core::ffi::c_int;

/// What `fork`'s entry saves: where to return and the registers the
/// System V ABI says survive a call. Field offsets are used by the
/// assembly below.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct Context {
    rip: u64,
    rsp: u64,
    rbx: u64,
    rbp: u64,
    r12: u64,
    r13: u64,
    r14: u64,
    r15: u64,
    /// 1 if entered as `vfork`, 0 as `fork` or `_Fork`.
    vfork: u64,
}

/// Before any fork.
const UNSET: Context = Context {
    rip: 0,
    rsp: 0,
    rbx: 0,
    rbp: 0,
    r12: 0,
    r13: 0,
    r14: 0,
    r15: 0,
    vfork: 0,
};

/// A static the single thread of a capOS process owns.
struct Single<T>(UnsafeCell<T>);

// SAFETY: a capOS process has one thread (no call creates another), so
// these statics are never reached from two threads.
unsafe impl<T> Sync for Single<T> {}

/// Written by every entry into fork, nested ones included.
static ENTRY: Single<Context> = Single(UnsafeCell::new(UNSET));

/// The fork being recorded: its context and the stack it had.
struct Saved {
    context: Context,
    stack: alloc::vec::Vec<u8>,
}

static SAVED: Single<Saved> = Single(UnsafeCell::new(Saved {
    context: UNSET,
    stack: alloc::vec::Vec::new(),
}));

// Each routine in a section of its own, so that the linker drops fork
// (and the shim it enters) from a program that never calls it: every
// call reaches capos_fork_resume (dispatch.rs), not fork.
global_asm!(
    ".pushsection .text.capos_fork,\"ax\",@progbits",
    ".globl fork",
    ".globl vfork",
    ".globl _Fork",
    ".type fork, @function",
    ".type vfork, @function",
    ".type _Fork, @function",
    // Which entry it was goes in rdx (caller-saved; fork takes no
    // arguments): a vfork's child promises to only exec or exit.
    "fork:",
    "_Fork:",
    "xor edx, edx",
    "jmp 2f",
    "vfork:",
    "mov edx, 1",
    "2:",
    "lea rax, [rip + {entry}]",
    "mov rcx, [rsp]",
    "mov [rax], rcx",
    "lea rcx, [rsp + 8]",
    "mov [rax + 8], rcx",
    "mov [rax + 16], rbx",
    "mov [rax + 24], rbp",
    "mov [rax + 32], r12",
    "mov [rax + 40], r13",
    "mov [rax + 48], r14",
    "mov [rax + 56], r15",
    "mov [rax + 64], rdx",
    // The stack is as the caller left it (8 mod 16), so begin runs as if
    // called, and its return goes to fork's caller.
    "jmp {begin}",
    ".size fork, . - fork",
    ".popsection",
    "",
    // capos_fork_resume(context, value, stack copy, length): puts the
    // stack back, restores the registers and returns `value` from fork.
    // Uses no stack of its own: the copy may cover the current frame.
    ".pushsection .text.capos_fork_resume,\"ax\",@progbits",
    ".globl capos_fork_resume",
    ".hidden capos_fork_resume",
    ".type capos_fork_resume, @function",
    "capos_fork_resume:",
    "mov r8, rdi",
    "mov rax, rsi",
    "mov rsi, rdx",
    "mov rdi, [r8 + 8]",
    "cld",
    "rep movsb",
    "mov rbx, [r8 + 16]",
    "mov rbp, [r8 + 24]",
    "mov r12, [r8 + 32]",
    "mov r13, [r8 + 40]",
    "mov r14, [r8 + 48]",
    "mov r15, [r8 + 56]",
    "mov rsp, [r8 + 8]",
    // Back in the parent's own code: signal upcalls may come again
    // (the fork and the call that resumed it held them off).
    "mov dword ptr [rip + {busy}], 0",
    "jmp qword ptr [r8]",
    ".size capos_fork_resume, . - capos_fork_resume",
    ".popsection",
    entry = sym ENTRY,
    begin = sym super::fork_call::__capos_fork_begin,
    busy = sym crate::upcall::BUSY,
);

unsafe extern "C" {
    fn capos_fork_resume(context: *const Context, value: i64, stack: *const u8, len: usize) -> !;
    /// musl's thread-local errno.
    fn __errno_location() -> *mut c_int;
}

/// Keeps the context of the fork just entered and a copy of the stack
/// from its caller's stack pointer up to `top`. False if the stack
/// pointer is not below `top` or the copy cannot be allocated.
pub fn save(top: u64, lowest: u64) -> bool {
    // SAFETY: the single thread's statics (see `Single`); no reference to
    // either outlives this function.
    let (entry, saved) = unsafe { (*ENTRY.0.get(), &mut *SAVED.0.get()) };
    let sp = entry.rsp;
    if !(lowest..top).contains(&sp) {
        return false;
    }
    let len = (top - sp) as usize;
    saved.stack.clear();
    if saved.stack.try_reserve(len).is_err() {
        return false;
    }
    // SAFETY: [sp, top) is the live part of this thread's stack (checked
    // against its bounds above), readable and not changing during the copy.
    let live = unsafe { core::slice::from_raw_parts(sp as *const u8, len) };
    saved.stack.extend_from_slice(live);
    saved.context = entry;
    true
}

/// Returns from the recorded fork into the parent with `value` (the
/// child's pid, or -1 with `errno`). Nothing on the stack of the caller
/// survives: it must own nothing that needs dropping.
pub fn resume(value: i64, errno: i64) -> ! {
    if value < 0 {
        // SAFETY: musl's errno of the single thread, always valid.
        unsafe { *__errno_location() = errno as c_int };
    }
    // SAFETY: the single thread's static, filled by `save` for this fork;
    // the copy and the context outlive the jump (they are statics), and
    // `capos_fork_resume` restores exactly the state `save` took.
    unsafe {
        let saved = &*SAVED.0.get();
        capos_fork_resume(
            &saved.context,
            value,
            saved.stack.as_ptr(),
            saved.stack.len(),
        )
    }
}

/// Whether the fork being entered was `vfork`.
pub fn entered_as_vfork() -> bool {
    // SAFETY: the single thread's static (see `Single`), copied out.
    unsafe { (*ENTRY.0.get()).vfork == 1 }
}

/// The errno of a fork that fails before its branch starts.
pub fn fail(errno: i64) -> i64 {
    // SAFETY: musl's errno of the single thread, always valid.
    unsafe { *__errno_location() = errno as c_int };
    -1
}
