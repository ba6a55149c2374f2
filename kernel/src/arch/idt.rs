//! The interrupt descriptor table: vectors 0..48 point at the stubs in
//! traps.S, all interrupt gates (interrupts stay off in the kernel).

use core::arch::asm;
use core::ptr::addr_of;

use super::gdt::KERNEL_CS;

const ENTRIES: usize = 48;
const DOUBLE_FAULT: usize = 8;

unsafe extern "C" {
    static isr_table: [u64; ENTRIES];
}

#[repr(C)]
#[derive(Clone, Copy)]
struct Gate {
    offset_low: u16,
    selector: u16,
    ist: u8,
    flags: u8,
    offset_mid: u16,
    offset_high: u32,
    _reserved: u32,
}

static mut IDT: [Gate; ENTRIES] = [Gate {
    offset_low: 0,
    selector: 0,
    ist: 0,
    flags: 0,
    offset_mid: 0,
    offset_high: 0,
    _reserved: 0,
}; ENTRIES];

pub fn init() {
    // SAFETY: runs once at boot before interrupts are enabled; isr_table is
    // a read-only table of stub addresses built by the assembler.
    unsafe {
        for (vector, &handler) in isr_table.iter().enumerate() {
            IDT[vector] = Gate {
                offset_low: handler as u16,
                selector: KERNEL_CS,
                ist: if vector == DOUBLE_FAULT { 1 } else { 0 },
                flags: 0x8e, // present, DPL 0, interrupt gate
                offset_mid: (handler >> 16) as u16,
                offset_high: (handler >> 32) as u32,
                _reserved: 0,
            };
        }
        #[repr(C, packed)]
        struct Pointer {
            limit: u16,
            base: u64,
        }
        let ptr = Pointer {
            limit: (core::mem::size_of::<[Gate; ENTRIES]>() - 1) as u16,
            base: addr_of!(IDT) as u64,
        };
        asm!("lidt [{}]", in(reg) &ptr, options(nostack));
    }
}
