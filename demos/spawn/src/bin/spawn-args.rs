//! Prints the argv and environment it was started with, from its launch
//! region, so the smoke can check they arrived intact.

#![no_std]
#![no_main]

extern crate alloc;

use alloc::string::String;
use alloc::vec::Vec;
use capos_rt::{Console, Runtime, println};

capos_rt::entry!(main);

fn quoted(items: impl Iterator<Item = &'static [u8]>) -> String {
    let parts: Vec<String> = items
        .map(|s| alloc::format!("{:?}", String::from_utf8_lossy(s)))
        .collect();
    parts.join(" ")
}

fn main(mut rt: Runtime) -> i64 {
    let Ok(console) = rt.take::<Console>("console") else {
        return 2;
    };
    let argv = rt.args();
    let env = rt.env();
    println!(
        console,
        "args: argc={} argv=[{}]",
        argv.len(),
        quoted(argv.iter())
    );
    println!(
        console,
        "args: envc={} env=[{}]",
        env.len(),
        quoted(env.iter())
    );
    match rt.var("GREETING") {
        Some(v) => println!(console, "args: GREETING={}", String::from_utf8_lossy(v)),
        None => println!(console, "args: GREETING unset"),
    }
    0
}
