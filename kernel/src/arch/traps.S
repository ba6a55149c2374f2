/* Every way into the kernel from a process lands in trap_common with the
   same TrapFrame on the current kernel stack (see arch/trap_frame.rs): the
   CPU's interrupt frame (or one built by syscall_entry to look the same), an
   error code, the vector, then the general registers. */

    .altmacro
    .section .text

.macro ISR_NOERR n
isr_\n:
    push $0
    push $\n
    jmp trap_common
.endm

.macro ISR_ERR n
isr_\n:
    push $\n
    jmp trap_common
.endm

.irp n, 0,1,2,3,4,5,6,7,9,15,16,18,19,20,22,23,24,25,26,27,28,31
    ISR_NOERR \n
.endr
.irp n, 8,10,11,12,13,14,17,21,29,30
    ISR_ERR \n
.endr
.set i, 32
.rept 16
    ISR_NOERR %i
    .set i, i + 1
.endr

.macro ISR_ADDR n
    .quad isr_\n
.endm

    .section .rodata
    .global isr_table
isr_table:
.set i, 0
.rept 48
    ISR_ADDR %i
    .set i, i + 1
.endr

    .section .text
trap_common:
    cld
    clac                    /* a process can enter with RFLAGS.AC set */
    push %rax
    push %rbx
    push %rcx
    push %rdx
    push %rsi
    push %rdi
    push %rbp
    push %r8
    push %r9
    push %r10
    push %r11
    push %r12
    push %r13
    push %r14
    push %r15
    mov %rsp, %rdi
    call trap_dispatch
    .global trap_return
trap_return:
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %r11
    pop %r10
    pop %r9
    pop %r8
    pop %rbp
    pop %rdi
    pop %rsi
    pop %rdx
    pop %rcx
    pop %rbx
    pop %rax
    add $16, %rsp           /* vector and error code */
    iretq

/* syscall: RCX = user RIP, R11 = user RFLAGS, interrupts masked by FMASK.
   One CPU, so the kernel stack top lives in a plain global. */
    .global syscall_entry
syscall_entry:
    mov %rsp, syscall_user_rsp(%rip)
    mov syscall_kernel_rsp(%rip), %rsp
    push $0x23              /* user SS */
    push syscall_user_rsp(%rip)
    push %r11               /* RFLAGS */
    push $0x2b              /* user CS */
    push %rcx               /* RIP */
    push $0
    push $0x80              /* SYSCALL_VECTOR */
    jmp trap_common

/* switch_context(save: *mut u64, load: u64): saves the callee-saved
   registers and stack pointer of the running kernel context and resumes
   the other one where it last called switch_context (or at trap_return
   for a new process). */
    .global switch_context
switch_context:
    push %rbp
    push %rbx
    push %r12
    push %r13
    push %r14
    push %r15
    mov %rsp, (%rdi)
    mov %rsi, %rsp
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbx
    pop %rbp
    ret

    .section .bss
    .align 8
    .global syscall_kernel_rsp
syscall_kernel_rsp: .quad 0
syscall_user_rsp:   .quad 0
