//! Panics on purpose: the runtime must print "panic: <message> at
//! <file>:<line>" on the console and exit with code 101.

#![no_std]
#![no_main]

use capos_rt::{Console, Runtime};

capos_rt::entry!(main);

fn main(mut rt: Runtime) -> i64 {
    // Held, not used: the panic handler finds the console in the CapSet.
    let _console = rt.take::<Console>("console");
    panic!("smoke-panic: deliberate panic in pid {}", rt.pid());
}
