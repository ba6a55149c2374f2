//! Answers every call on its "echo" Endpoint with an empty reply, as fast
//! as it can: the server half of the Endpoint round-trip benchmark. Exits
//! when the benchmark releases its client facet (the RECV then fails).

#![no_std]
#![no_main]

extern crate alloc;

use alloc::vec::Vec;
use capos_rt::{Endpoint, Runtime};
use capos_schema::console::write_results;

capos_rt::entry!(main);

fn main(mut rt: Runtime) -> i64 {
    let Ok(endpoint) = rt.take::<Endpoint>("echo") else {
        return 2;
    };
    while let Ok(call) = endpoint.recv() {
        if endpoint
            .reply::<write_results::Owned>(call.call_id, |_| {}, Vec::new())
            .is_err()
        {
            return 1;
        }
    }
    0
}
