//! A child of limits-stack: recurses until its stack runs out. Each frame
//! is small (well under a page) and written, so the first access below the
//! stack lands in the guard page.

#![no_std]
#![no_main]

use capos_rt::{Console, Runtime, println};

capos_rt::entry!(main);

fn main(mut rt: Runtime) -> i64 {
    if let Ok(console) = rt.take::<Console>("console") {
        println!(console, "overflow: recursing without bound");
    }
    dive(0) as i64
}

#[inline(never)]
fn dive(depth: u64) -> u64 {
    // The frame must really be on the stack and written: black_box makes
    // the array's address escape.
    let mut frame = [depth as u8; 256];
    core::hint::black_box(&mut frame);
    // Never true, but the compiler cannot know: no "unconditional
    // recursion", and the call is not a tail call.
    if core::hint::black_box(depth) == u64::MAX {
        return 0;
    }
    dive(depth + 1).wrapping_add(u64::from(frame[1]))
}
