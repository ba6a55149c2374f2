//! A child of limits-argmax: checks that its last argument arrived intact
//! and prints how many arguments and entries it received and the size of
//! its launch region.

#![no_std]
#![no_main]

use capos_rt::{Console, Runtime, println};
use limits_programs::is_pattern;

capos_rt::entry!(main);

fn main(mut rt: Runtime) -> i64 {
    let Ok(console) = rt.take::<Console>("console") else {
        return 2;
    };
    let argv = rt.args();
    let last = argv.iter().last().unwrap_or_default();
    if !is_pattern(last) {
        println!(
            console,
            "argv: FAIL the last of {} arguments ({} bytes) is not what was sent",
            argv.len(),
            last.len()
        );
        return 1;
    }
    println!(
        console,
        "argv: argc={} envc={} in {} bytes of launch parameters; last argument {} bytes, intact",
        argv.len(),
        rt.env().len(),
        rt.launch().bytes().len(),
        last.len()
    );
    0
}
