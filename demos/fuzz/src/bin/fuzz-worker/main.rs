//! The fuzz worker: one round of the in-guest fuzzer.
//!
//! Started by fuzz-init with `seed=S sqes=N params=P` and a capability of
//! every kind the kernel hands out. It makes the derived ones itself
//! (Endpoints and their client facets, MemoryObjects, pipes, handles of
//! spawned children), takes the ring over from capos-rt, and submits N random SQEs
//! and P params messages from a PRNG seeded with S, counting every
//! completion by its code on the statistics page. Then it exits with
//! whatever is still in flight, which tests process teardown too.
//!
//! Exit 0 means the round ran to its end; the driver judges the rest.

#![no_std]
#![no_main]

extern crate alloc;

mod arena;
mod caps;
mod fs_params;
mod fuzzer;
mod net_params;
mod params;
mod pipe_params;
mod pipes;
mod ring;
mod setup;
mod signal_params;
mod sqe;
mod terminal_params;

use capos_rt::{Client, Console, Runtime, println};
use fuzz_programs::cap_name;

capos_rt::entry!(main);

fn main(mut rt: Runtime) -> i64 {
    let Ok(console) = rt.take::<Console>(cap_name::CONSOLE) else {
        return 2;
    };
    match setup::setup(&mut rt, console.cap().id()) {
        Ok(fuzzer) => fuzzer.run(),
        Err(why) => {
            println!(console, "fuzz-worker: FAIL setup: {why}");
            1
        }
    }
}
