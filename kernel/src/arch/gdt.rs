//! GDT, TSS and the syscall MSRs.
//!
//! Selector order follows what SYSCALL/SYSRET expect (kernel code, kernel
//! data, then user data before user code), although returns go through
//! iretq so that a hostile RCX can never fault in ring 0.

use core::arch::asm;
use core::ptr::addr_of;

use super::cpu::{rdmsr, wrmsr};

pub const KERNEL_CS: u16 = 0x08;
pub const KERNEL_SS: u16 = 0x10;
pub const USER_SS: u16 = 0x20 | 3;
pub const USER_CS: u16 = 0x28 | 3;
const TSS_SEL: u16 = 0x30;

#[repr(C, packed)]
struct Tss {
    _reserved0: u32,
    rsp: [u64; 3],
    _reserved1: u64,
    ist: [u64; 7],
    _reserved2: u64,
    _reserved3: u16,
    iomap_base: u16,
}

static mut TSS: Tss = Tss {
    _reserved0: 0,
    rsp: [0; 3],
    _reserved1: 0,
    ist: [0; 7],
    _reserved2: 0,
    _reserved3: 0,
    iomap_base: core::mem::size_of::<Tss>() as u16,
};

static mut GDT: [u64; 8] = [
    0,
    0x00af_9a00_0000_ffff, // kernel code
    0x00cf_9200_0000_ffff, // kernel data
    0x00cf_f200_0000_ffff, // user data (placeholder slot for SYSRET's layout)
    0x00cf_f200_0000_ffff, // user data
    0x00af_fa00_0000_ffff, // user code
    0,                     // TSS low
    0,                     // TSS high
];

#[repr(align(16))]
struct IstStack {
    _bytes: [u8; 16 * 1024],
}
static mut DOUBLE_FAULT_STACK: IstStack = IstStack {
    _bytes: [0; 16 * 1024],
};

unsafe extern "C" {
    fn syscall_entry();
    static mut syscall_kernel_rsp: u64;
}

pub fn init() {
    // SAFETY: runs once at boot on the only CPU, before interrupts are on;
    // nothing else references GDT or TSS yet.
    unsafe {
        TSS.ist[0] = addr_of!(DOUBLE_FAULT_STACK) as u64 + 16 * 1024;
        let base = addr_of!(TSS) as u64;
        let limit = (core::mem::size_of::<Tss>() - 1) as u64;
        GDT[6] = (limit & 0xffff)
            | ((base & 0xff_ffff) << 16)
            | (0x89 << 40) // present, 64-bit available TSS
            | (((limit >> 16) & 0xf) << 48)
            | (((base >> 24) & 0xff) << 56);
        GDT[7] = base >> 32;

        #[repr(C, packed)]
        struct Pointer {
            limit: u16,
            base: u64,
        }
        let ptr = Pointer {
            limit: (core::mem::size_of::<[u64; 8]>() - 1) as u16,
            base: addr_of!(GDT) as u64,
        };
        asm!(
            "lgdt [{ptr}]",
            "push {cs}",
            "lea {tmp}, [rip + 2f]",
            "push {tmp}",
            "retfq",
            "2:",
            "mov ds, {ss:x}",
            "mov es, {ss:x}",
            "mov ss, {ss:x}",
            "ltr {tss:x}",
            ptr = in(reg) &ptr,
            cs = in(reg) KERNEL_CS as u64,
            ss = in(reg) KERNEL_SS as u64,
            tss = in(reg) TSS_SEL as u64,
            tmp = lateout(reg) _,
        );
    }

    const EFER: u32 = 0xc000_0080;
    const STAR: u32 = 0xc000_0081;
    const LSTAR: u32 = 0xc000_0082;
    const FMASK: u32 = 0xc000_0084;
    wrmsr(EFER, rdmsr(EFER) | 1); // SCE
    wrmsr(STAR, ((0x18u64 | 3) << 48) | ((KERNEL_CS as u64) << 32));
    wrmsr(LSTAR, syscall_entry as *const () as u64);
    // Mask IF, TF, DF, NT and AC on entry.
    wrmsr(FMASK, 0x200 | 0x100 | 0x400 | 0x4000 | 0x4_0000);
}

/// Sets the stack the CPU switches to on a trap or syscall from ring 3.
pub fn set_kernel_stack(top: u64) {
    // SAFETY: one CPU with interrupts disabled: nothing reads these
    // concurrently, and the next trap from user mode uses the new value.
    unsafe {
        TSS.rsp[0] = top;
        syscall_kernel_rsp = top;
    }
}
