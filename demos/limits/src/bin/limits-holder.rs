//! A child of limits-deaths: makes a call the server will hold, then one
//! the server answers, and exits as soon as that one is answered, with the
//! first still held.

#![no_std]
#![no_main]

extern crate alloc;

use alloc::vec::Vec;
use capos_rt::{Console, EndpointClient, Runtime, println};
use limits_programs::{empty_message, method, submit};

capos_rt::entry!(main);

fn main(mut rt: Runtime) -> i64 {
    let Ok(console) = rt.take::<Console>("console") else {
        return 2;
    };
    let Ok(server) = rt.take_any("server") else {
        println!(console, "holder: FAIL no server");
        return 1;
    };
    let server = EndpointClient::from(server);
    // Queued ahead of the next call, so the server receives it first.
    let held = match submit(&mut rt.ring(), &server, method::HOLD) {
        Ok(token) => token,
        Err(why) => {
            println!(console, "holder: FAIL {why}");
            return 1;
        }
    };
    if let Err(e) = server.call_message(method::LET_GO, empty_message(), Vec::new()) {
        println!(console, "holder: FAIL the call that lets us go: {e}");
        return 1;
    }
    println!(console, "holder: exiting with a call held by the server");
    rt.ring().detach(held);
    0
}
