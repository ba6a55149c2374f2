//! A child of limits-deaths: receives one call on the Endpoint whose only
//! owner facet it holds, and exits without answering it; the calls queued
//! behind it are cancelled when the Endpoint closes with it.

#![no_std]
#![no_main]

use capos_rt::{Console, Endpoint, Runtime, println};

capos_rt::entry!(main);

fn main(mut rt: Runtime) -> i64 {
    let Ok(console) = rt.take::<Console>("console") else {
        return 2;
    };
    let Ok(endpoint) = rt.take::<Endpoint>("endpoint") else {
        println!(console, "server: FAIL no endpoint");
        return 1;
    };
    match endpoint.recv() {
        Ok(call) => {
            println!(
                console,
                "server: received call {}; exiting without answering it", call.call_id
            );
            0
        }
        Err(e) => {
            println!(console, "server: FAIL recv: {e}");
            1
        }
    }
}
