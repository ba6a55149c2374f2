//! A child of limits-procs: calls its parent and exits 0 once answered.

#![no_std]
#![no_main]

extern crate alloc;

use alloc::vec::Vec;
use capos_rt::{EndpointClient, Runtime};
use limits_programs::{empty_message, method};

capos_rt::entry!(main);

fn main(mut rt: Runtime) -> i64 {
    let Ok(parent) = rt.take_any("parent") else {
        return 2;
    };
    let parent = EndpointClient::from(parent);
    match parent.call_message(method::WAIT, empty_message(), Vec::new()) {
        Ok(_) => 0,
        Err(_) => 1,
    }
}
