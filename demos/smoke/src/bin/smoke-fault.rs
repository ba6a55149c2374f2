//! Writes to an unmapped page: the kernel must end this process with a page
//! fault at address 0x10 and keep running everything else.

#![no_std]
#![no_main]

use capos_rt::Runtime;
use core::arch::asm;

capos_rt::entry!(main);

fn main(rt: Runtime) -> i64 {
    smoke_programs::fault::run(rt, "fault", write_unmapped)
}

fn write_unmapped() {
    // SAFETY: deliberately invalid: 0x10 lies in the unmapped guard below
    // the user image, so the store faults and the process ends before any
    // memory changes. Done in asm so the compiler cannot reason about it.
    unsafe { asm!("mov qword ptr [{addr}], 1", addr = in(reg) 0x10u64, options(nostack)) }
}
