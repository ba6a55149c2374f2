//! Dies by a page fault: init must report the fault and carry on.

#![no_std]
#![no_main]

use capos_rt::{Console, Runtime, println};

capos_rt::entry!(main);

fn main(mut rt: Runtime) -> i64 {
    if let Ok(console) = rt.take::<Console>("console") {
        println!(console, "fault: writing to address 0x10");
    }
    // SAFETY: deliberately invalid: the page at 0 is never mapped.
    unsafe { core::ptr::write_volatile(0x10 as *mut u64, 1) };
    1
}
