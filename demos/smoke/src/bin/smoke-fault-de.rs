//! Divides by zero: the kernel must end this process with a divide error.
//! (Rust's `/` checks for zero and panics, so the `div` is written in asm.)

#![no_std]
#![no_main]

use capos_rt::Runtime;
use core::arch::asm;

capos_rt::entry!(main);

fn main(rt: Runtime) -> i64 {
    smoke_programs::fault::run(rt, "fault-de", divide_by_zero)
}

fn divide_by_zero() {
    // SAFETY: `div` with a zero divisor raises #DE; it only uses the
    // declared registers and touches no memory.
    unsafe {
        asm!(
            "div {divisor}",
            divisor = in(reg) 0u64,
            inout("rax") 1u64 => _,
            inout("rdx") 0u64 => _,
            options(nomem, nostack),
        )
    }
}
