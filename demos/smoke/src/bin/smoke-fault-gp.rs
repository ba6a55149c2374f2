//! Reads through a non-canonical address: the kernel must end this process
//! with a general protection fault (not a page fault: the address is not
//! translated at all).

#![no_std]
#![no_main]

use capos_rt::Runtime;
use core::arch::asm;

capos_rt::entry!(main);

fn main(rt: Runtime) -> i64 {
    smoke_programs::fault::run(rt, "fault-gp", non_canonical_read)
}

fn non_canonical_read() {
    // SAFETY: deliberately invalid: bit 63 set with bit 47 clear is not a
    // canonical address, so the load raises #GP before reading anything.
    unsafe {
        asm!(
            "mov {tmp}, qword ptr [{addr}]",
            addr = in(reg) 0x8000_0000_0000_0000u64,
            tmp = lateout(reg) _,
            options(nostack, readonly),
        )
    }
}
