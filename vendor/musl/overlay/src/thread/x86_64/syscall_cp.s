# capOS replacement for musl's src/thread/x86_64/syscall_cp.s: the same
# cancellation-point entry, but it calls __capos_syscall (libcapos-posix)
# instead of executing `syscall`.
#
# __syscall_cp_asm(cancel, n, a1, a2, a3, a4, a5, a6): cancel in rdi, n in
# rsi, a1..a4 in rdx, rcx, r8, r9, a5 and a6 on the stack.
# __capos_syscall(n, a1, a2, a3, a4, a5, a6): n, a1..a5 in rdi, rsi, rdx,
# rcx, r8, r9, a6 on the stack.
#
# __capos_cancellation marks that this file is linked, which only
# pthread_cancel's object brings: syscall_arch.h then sends cancellation
# points here rather than to each call's own entry.
.section .rodata
.global __capos_cancellation
.hidden __capos_cancellation
__capos_cancellation:
	.byte 1

.text
.global __cp_begin
.hidden __cp_begin
.global __cp_end
.hidden __cp_end
.global __cp_cancel
.hidden __cp_cancel
.hidden __cancel
.global __syscall_cp_asm
.hidden __syscall_cp_asm
.type   __syscall_cp_asm,@function
__syscall_cp_asm:

__cp_begin:
	mov (%rdi),%eax
	test %eax,%eax
	jnz __cp_cancel
	mov %rsi,%rdi
	mov %rdx,%rsi
	mov %rcx,%rdx
	mov %r8,%rcx
	mov %r9,%r8
	mov 8(%rsp),%r9
	# a6 becomes the 7th argument; pushing it also restores the 16-byte
	# alignment the call needs (rsp was 8 mod 16 on entry).
	pushq 16(%rsp)
	call __capos_syscall
	add $8,%rsp
__cp_end:
	ret
__cp_cancel:
	jmp __cancel
