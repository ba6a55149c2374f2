//! One attacker of the flood (limits-flood): with default quotas and only
//! the client facet of an Endpoint nobody receives on, it submits 64 calls
//! of 64 KiB. The kernel queues what its 256 KiB kernel-memory quota pays
//! for and refuses the rest with NO_RESOURCES. It reports both counts,
//! shows that its other calls still work, waits for the server to answer
//! one queued call, and exits 0 with the rest still queued (the kernel
//! drops them with it).

#![no_std]
#![no_main]

extern crate alloc;

use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use capos_abi::error::{NO_RESOURCES, name};
use capos_abi::ring::{MAX_MESSAGE_BYTES, Sqe, op};
use capos_rt::{Console, EndpointClient, Runtime, Timer, Token, println};
use limits_programs::method;

capos_rt::entry!(main);

const CALLS: usize = 64;
/// Result room per call, in words: an empty reply needs 16 bytes.
const RESULT_WORDS: usize = 8;

fn main(mut rt: Runtime) -> i64 {
    let Ok(console) = rt.take::<Console>("console") else {
        return 2;
    };
    let number = rt
        .args()
        .iter()
        .nth(1)
        .map(String::from_utf8_lossy)
        .unwrap_or_default()
        .into_owned();
    match run(&mut rt, &console, &number) {
        Ok(()) => 0,
        Err(why) => {
            println!(console, "flood: attacker {number}: FAIL {why}");
            1
        }
    }
}

fn run(rt: &mut Runtime, console: &Console, number: &str) -> Result<(), String> {
    let timer = rt
        .take::<Timer>("timer")
        .map_err(|e| format!("timer: {e}"))?;
    let target: EndpointClient = rt
        .take_any("target")
        .map_err(|e| format!("target: {e}"))?
        .into();

    // Leaked: the kernel may write the result of a queued call at any time
    // until this process ends.
    let params: &'static [u64] = vec![0xa5a5_a5a5_a5a5_a5a5; MAX_MESSAGE_BYTES as usize / 8].leak();
    let results: &'static mut [u64] = vec![0; CALLS * RESULT_WORDS].leak();
    let mut pending: Vec<Token> = Vec::new();
    let mut refused = 0;
    let mut answered = 0;
    {
        let mut ring = rt.ring();
        let mut tokens = Vec::with_capacity(CALLS);
        for slot in results.chunks_exact_mut(RESULT_WORDS) {
            // Enters the kernel whenever the submission queue is full.
            ring.make_room(1).map_err(|e| format!("make room: {e}"))?;
            let sqe = Sqe {
                opcode: op::CALL,
                method_id: method::FLOOD,
                cap_id: target.cap().id(),
                params_addr: params.as_ptr() as u64,
                params_len: MAX_MESSAGE_BYTES,
                result_addr: slot.as_mut_ptr() as u64,
                result_len: (RESULT_WORDS * 8) as u32,
                interface_id: target.interface_id(),
                ..Sqe::nop(0)
            };
            // SAFETY: the params and every result slot are leaked, so they
            // stay mapped and each slot is written only by this call's
            // completion, whenever it comes.
            let token = unsafe { ring.submit_raw(sqe) }.map_err(|e| format!("submit: {e}"))?;
            tokens.push(token);
        }
        // A refusal completes while the kernel takes the SQE; what is
        // still pending after this entry was queued.
        ring.flush().map_err(|e| format!("flush: {e}"))?;
        for token in tokens {
            match ring.try_take(token) {
                Ok(c) if c.cqe.result == NO_RESOURCES => refused += 1,
                // The server may already have answered the first one.
                Ok(c) if c.cqe.result >= 0 => answered += 1,
                Ok(c) => return Err(format!("a call failed with {}", name(c.cqe.result))),
                Err(token) => pending.push(token),
            }
        }
    }
    let accepted = answered + pending.len();
    if refused == 0 || accepted == 0 {
        return Err(format!("{accepted} calls accepted, {refused} refused"));
    }
    timer
        .now()
        .map_err(|e| format!("Timer.now after the refusals: {e}"))?;
    println!(
        console,
        "flood: attacker {number}: {accepted} of {CALLS} calls of 64 KiB queued, {refused} refused (NO_RESOURCES); Timer.now still answers"
    );

    if answered == 0 {
        // Calls are received in order, so the first one is answered first.
        let first = pending.remove(0);
        let done = rt
            .ring()
            .wait_for(first)
            .map_err(|e| format!("waiting for an answer: {e}"))?;
        if done.cqe.result < 0 {
            return Err(format!("the queued call failed: {}", name(done.cqe.result)));
        }
    }
    println!(
        console,
        "flood: attacker {number}: a queued call was answered; exiting with {} still queued",
        pending.len()
    );
    // Their completions would be dropped anyway; the calls go with us.
    let mut ring = rt.ring();
    for token in pending {
        ring.detach(token);
    }
    Ok(())
}
