//! Kernel context switches between kernel stacks (see `switch_context` in
//! traps.S). Each process has its own kernel stack; the idle loop runs on
//! the boot stack.

unsafe extern "C" {
    fn switch_context(save: *mut u64, load: u64);
    fn trap_return();
}

/// Saves the current kernel context into `*save` and resumes `load`.
///
/// # Safety
/// `save` must stay valid until this context is resumed, and `load` must be
/// a stack pointer saved by this function or built by [`prepare_stack`], whose
/// stack is still allocated.
pub unsafe fn switch(save: *mut u64, load: u64) {
    // SAFETY: forwarded from the caller.
    unsafe { switch_context(save, load) }
}

/// Lays out a new kernel stack so that the first switch to it "returns" into
/// `trap_return`, which pops `frame` and enters user mode. Returns the stack
/// pointer to pass to [`switch`].
pub fn prepare_stack(stack: &mut [u64], frame: super::trap_frame::TrapFrame) -> u64 {
    const FRAME_WORDS: usize = core::mem::size_of::<super::trap_frame::TrapFrame>() / 8;
    // Six callee-saved registers, the return address, then the frame.
    let len = stack.len();
    let frame_at = len - FRAME_WORDS;
    let ret_at = frame_at - 1;
    let regs_at = ret_at - 6;
    stack[regs_at..ret_at].fill(0);
    stack[ret_at] = trap_return as *const () as u64;
    // SAFETY: TrapFrame is repr(C) of u64s, so it is exactly FRAME_WORDS words.
    let words: [u64; FRAME_WORDS] = unsafe { core::mem::transmute(frame) };
    stack[frame_at..].copy_from_slice(&words);
    &stack[regs_at] as *const u64 as u64
}
