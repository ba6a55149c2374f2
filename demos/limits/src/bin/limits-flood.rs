//! Case 1, the flood issue 8 was filed for: this service creates one
//! Endpoint per child and never receives on it while the children flood
//! it, each queueing 64 calls of 64 KiB. Before kernel memory was
//! accounted, three such children filled the 16 MiB kernel heap and the
//! kernel panicked. Now each attacker's calls are refused with
//! NO_RESOURCES once its own 256 KiB quota is full, and the kernel, this
//! service and every other process go on.
//!
//! Prints "flood: kernel still serving ..." once every attacker has exited
//! 0 and an Endpoint round trip of its own has worked; "flood: FAIL ..."
//! and exit code 1 otherwise.

#![no_std]
#![no_main]

extern crate alloc;

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use capos_abi::ring::MAX_MESSAGE_BYTES;
use capos_rt::{
    Console, EndpointFactory, ExitStatus, Grant, ProcessSpawner, Runtime, Timer, println,
};
use limits_programs::{FLOOD, answer, method, own_round_trip, recv_from, run_case};

capos_rt::entry!(main);

const ATTACKERS: usize = 4;

fn main(mut rt: Runtime) -> i64 {
    run_case(&mut rt, "flood", run)
}

fn run(rt: &mut Runtime, console: &Console) -> Result<(), String> {
    let spawner = rt
        .take::<ProcessSpawner>("spawner")
        .map_err(|e| format!("spawner: {e}"))?;
    let factory = rt
        .take::<EndpointFactory>("endpoints")
        .map_err(|e| format!("endpoints: {e}"))?;
    let timer = rt
        .take::<Timer>("timer")
        .map_err(|e| format!("timer: {e}"))?;

    let mut attackers = Vec::new();
    for n in 1..=ATTACKERS {
        let endpoint = factory
            .create(FLOOD)
            .map_err(|e| format!("create endpoint: {e}"))?;
        // The attacker holds only the client facet of its own Endpoint;
        // this copy goes when the spawn is done.
        let target = endpoint
            .client()
            .map_err(|e| format!("client facet: {e}"))?;
        let number = format!("{n}");
        let grants = [
            Grant::new("console", console),
            Grant::new("timer", &timer),
            Grant {
                name: "target",
                cap: target.cap(),
            },
        ];
        // Default quotas: what any process gets.
        let handle = spawner
            .spawn_with(
                &format!("attacker-{n}"),
                "limits-attacker",
                &grants,
                &["limits-attacker", &number],
                &[],
            )
            .map_err(|e| format!("spawn attacker {n}: {e}"))?;
        attackers.push((endpoint, handle));
    }

    // Each attacker waits for one of its queued calls to be answered
    // before it exits: queued calls are still served.
    for (n, (endpoint, handle)) in attackers.iter().enumerate() {
        let call =
            recv_from(rt, endpoint, handle).map_err(|e| format!("attacker {}: {e}", n + 1))?;
        if call.method_id != method::FLOOD || call.params_len != MAX_MESSAGE_BYTES as usize {
            return Err(format!(
                "attacker {}: received method {} with {} bytes",
                n + 1,
                call.method_id,
                call.params_len
            ));
        }
        answer(endpoint, &call)?;
    }
    for (n, (_, handle)) in attackers.iter().enumerate() {
        match handle.wait() {
            Ok(ExitStatus::Exited(0)) => {}
            Ok(other) => return Err(format!("attacker {} {other}", n + 1)),
            Err(e) => return Err(format!("wait for attacker {}: {e}", n + 1)),
        }
    }

    // A round trip of our own, through the first attacker's Endpoint: the
    // call received must be ours, so the calls the attacker left queued
    // went with it.
    let endpoint = &attackers[0].0;
    let me = endpoint
        .client()
        .map_err(|e| format!("own client facet: {e}"))?;
    own_round_trip(rt, endpoint, &me)?;
    println!(
        console,
        "flood: kernel still serving: {ATTACKERS} attackers (64 calls of 64 KiB each, the size of the whole kernel heap) held to their own quotas and exited 0; own Endpoint round trip ok, their leftover calls gone"
    );
    Ok(())
}
