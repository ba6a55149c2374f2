/* PVH entry: QEMU jumps here in 32-bit protected mode, paging off, with
   %ebx = physical address of the hvm_start_info. We build page tables that
   map the first 4 GiB at the direct map (0xffff800000000000) and the first
   GiB twice more: identity (needed only until the jump to the high half)
   and the kernel image at 0xffffffff80000000. EFER.NXE is set here; kmain
   checks that the CPU has NX before any page uses it. Then long mode and
   kmain(start_info) on the boot stack. */

    .section .note.Xen, "a", @note
    .align 4
    .long 4                 /* namesz */
    .long 8                 /* descsz */
    .long 18                /* XEN_ELFNOTE_PHYS32_ENTRY */
    .asciz "Xen"
    .align 4
    .quad _start_pvh

    .section .boot.text, "ax"
    .code32
    .global _start_pvh
_start_pvh:
    cli
    mov %ebx, %esi

    /* Four page directories of 2 MiB pages cover 0..4 GiB. */
    lea boot_pd, %edi
    xor %ecx, %ecx
1:  mov %ecx, %eax
    shl $21, %eax
    or $0x83, %eax          /* present | writable | huge */
    mov %eax, (%edi,%ecx,8)
    movl $0, 4(%edi,%ecx,8)
    inc %ecx
    cmp $2048, %ecx
    jne 1b

    /* Direct map PDPT: entries 0..3 -> the four directories. */
    lea boot_pdpt_direct, %edi
    lea boot_pd, %eax
    or $0x3, %eax
    xor %ecx, %ecx
2:  mov %eax, (%edi,%ecx,8)
    add $4096, %eax
    inc %ecx
    cmp $4, %ecx
    jne 2b

    /* Identity (boot only) and kernel image: the first GiB. */
    lea boot_pd, %eax
    or $0x3, %eax
    mov %eax, boot_pdpt_low
    mov %eax, boot_pdpt_high + 510 * 8

    lea boot_pdpt_low, %eax
    or $0x3, %eax
    mov %eax, boot_pml4
    lea boot_pdpt_direct, %eax
    or $0x3, %eax
    mov %eax, boot_pml4 + 256 * 8
    lea boot_pdpt_high, %eax
    or $0x3, %eax
    mov %eax, boot_pml4 + 511 * 8

    mov %cr4, %eax
    or $0x20, %eax          /* PAE */
    mov %eax, %cr4
    lea boot_pml4, %eax
    mov %eax, %cr3
    mov $0xc0000080, %ecx   /* EFER */
    rdmsr
    or $0x900, %eax         /* LME | NXE */
    wrmsr
    mov %cr0, %eax
    or $0x80000001, %eax    /* PG | PE */
    mov %eax, %cr0

    lgdt boot_gdt_ptr
    ljmp $0x08, $long_mode

    .code64
long_mode:
    mov $0x10, %eax
    mov %eax, %ds
    mov %eax, %es
    mov %eax, %ss
    xor %eax, %eax
    mov %eax, %fs
    mov %eax, %gs
    movabs $boot_stack_top, %rsp
    mov %esi, %edi          /* zero-extends: start_info physical address */
    movabs $kmain, %rax
    call *%rax
3:  hlt
    jmp 3b

    .section .boot.data, "aw"
    .align 4096
    .global boot_pml4
boot_pml4:          .fill 4096, 1, 0
boot_pdpt_low:      .fill 4096, 1, 0
boot_pdpt_direct:   .fill 4096, 1, 0
boot_pdpt_high:     .fill 4096, 1, 0
boot_pd:            .fill 4 * 4096, 1, 0

    .align 16
boot_gdt:
    .quad 0
    .quad 0x00af9a000000ffff    /* 64-bit code */
    .quad 0x00cf92000000ffff    /* data */
boot_gdt_ptr:
    .word boot_gdt_ptr - boot_gdt - 1
    .long boot_gdt

    .section .bss
    .align 16
boot_stack:
    .skip 64 * 1024
    .global boot_stack_top
boot_stack_top:
