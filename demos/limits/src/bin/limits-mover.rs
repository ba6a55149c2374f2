//! A child of limits-deaths: moves a MemoryObject of its own into a call
//! on an Endpoint nobody receives on, and exits with the call still
//! queued. The kernel must drop the call and the object with it.

#![no_std]
#![no_main]

extern crate alloc;

use alloc::format;
use alloc::string::String;
use alloc::vec;
use capos_abi::ipc::{XFER_MOVE, XferDesc};
use capos_abi::layout::PAGE_SIZE;
use capos_rt::{CallRequest, Client, Console, EndpointClient, Runtime, VirtualMemory, println};
use limits_programs::{SMALL_RESULT, empty_message, method};

capos_rt::entry!(main);

fn main(mut rt: Runtime) -> i64 {
    let Ok(console) = rt.take::<Console>("console") else {
        return 2;
    };
    match run(&mut rt) {
        Ok(()) => {
            println!(
                console,
                "mover: a call moving a MemoryObject is queued; exiting with it in flight"
            );
            0
        }
        Err(why) => {
            println!(console, "mover: FAIL {why}");
            1
        }
    }
}

fn run(rt: &mut Runtime) -> Result<(), String> {
    let vm = rt
        .take::<VirtualMemory>("memory")
        .map_err(|e| format!("memory: {e}"))?;
    let sink = EndpointClient::from(rt.take_any("sink").map_err(|e| format!("sink: {e}"))?);
    let object = vm
        .create_object(PAGE_SIZE)
        .map_err(|e| format!("create object: {e}"))?;
    let move_it = XferDesc {
        cap_id: object.cap().id(),
        mode: XFER_MOVE,
    };
    let request = CallRequest {
        cap_id: sink.cap().id(),
        interface_id: sink.interface_id(),
        method_id: method::MOVE,
        params: empty_message(),
        result_bytes: SMALL_RESULT,
    };
    let mut ring = rt.ring();
    ring.make_room(1).map_err(|e| format!("make room: {e}"))?;
    let token = ring
        .submit_transfer_call(request, vec![move_it])
        .map_err(|e| format!("submit: {e}"))?;
    ring.flush().map_err(|e| format!("flush: {e}"))?;
    // The object travels with the call; its id is reserved and no longer
    // ours to release.
    core::mem::forget(object);
    match ring.try_take(token) {
        Ok(done) => Err(format!(
            "the call completed at once: {}",
            capos_abi::error::name(done.cqe.result)
        )),
        Err(token) => {
            ring.detach(token);
            Ok(())
        }
    }
}
