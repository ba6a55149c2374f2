//! Allocates until its memory quota runs out: that must be an error for
//! this process only, and the system carries on. Quotas are carved out of
//! the spawner's, so the other services' memory is never at stake; it
//! still waits a second, so that the exhaustion happens while they run.
//! Everything is returned at exit (the kernel's accounting line proves it).

#![no_std]
#![no_main]

extern crate alloc;

use capos_rt::{
    Console, Error, ExceptionType, PROT_READ, PROT_WRITE, Runtime, Timer, VirtualMemory, println,
};

capos_rt::entry!(main);

const CHUNK: u64 = 4 << 20;

fn main(mut rt: Runtime) -> i64 {
    let Ok(console) = rt.take::<Console>("console") else {
        return 2;
    };
    let Ok(vm) = rt.take::<VirtualMemory>("memory") else {
        println!(console, "oom: FAIL no memory capability");
        return 1;
    };
    if let Ok(timer) = rt.take::<Timer>("timer") {
        let _ = timer.sleep(1_000_000_000);
    }
    let mut mapped = 0u64;
    let error = loop {
        match vm.map(0, CHUNK, PROT_READ | PROT_WRITE) {
            Ok(addr) => {
                // Touch it: the memory is real, not just reserved.
                // SAFETY: the kernel just mapped CHUNK writable bytes at `addr`.
                unsafe { core::ptr::write_volatile(addr as *mut u64, mapped) };
                mapped += CHUNK;
            }
            Err(e) => break e,
        }
    };
    match error {
        Error::Application {
            kind: ExceptionType::Overloaded,
            reason,
        } => {
            println!(
                console,
                "oom: out of memory after {} MiB: {reason}",
                mapped >> 20
            );
            0
        }
        other => {
            println!(console, "oom: FAIL running out of memory gave {other}");
            1
        }
    }
}
