//! Executes an undefined instruction: the kernel must end this process with
//! an invalid-opcode fault.

#![no_std]
#![no_main]

use capos_rt::Runtime;
use core::arch::asm;

capos_rt::entry!(main);

fn main(rt: Runtime) -> i64 {
    smoke_programs::fault::run(rt, "fault-ud", undefined_instruction)
}

fn undefined_instruction() {
    // SAFETY: `ud2` only raises #UD; it touches no memory or register.
    unsafe { asm!("ud2", options(nomem, nostack)) }
}
