//! What the programs of `make run-limits` share: the Endpoint protocols
//! between each service and its children, the quotas of small children,
//! and helpers to call, receive and check refusals.
//!
//! Every protocol message is the empty Timer.now params (16 bytes): the
//! kernel never reads Endpoint messages, and these tests care only about
//! how calls queue, fail and end, so no schema of their own is needed.

#![no_std]

extern crate alloc;

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use capos_abi::ipc::{MAX_XFER, recv_size};
use capos_abi::ring::MAX_MESSAGE_BYTES;
use capos_rt::{
    CallRequest, Client, Console, Endpoint, EndpointClient, Error, ExceptionType, Limits,
    ProcessHandle, RingClient, Runtime, Token, message,
};
use capos_schema::timer;

/// The interfaces the services' Endpoints serve: made up, the kernel only
/// checks that callers name them.
pub const FLOOD: u64 = 0xf100_d000_0000_0001;
pub const PROCS: u64 = 0xb0c5_0000_0000_0001;
pub const DEATHS: u64 = 0xdea7_4500_0000_0001;

/// Method ids of the protocols (the server only looks at them).
pub mod method {
    /// An attacker's 64 KiB call.
    pub const FLOOD: u16 = 1;
    /// A call a service makes to its own Endpoint.
    pub const SELF: u16 = 2;
    /// A child waiting for its parent's word to exit.
    pub const WAIT: u16 = 3;
    /// The holder's call that the server keeps unanswered.
    pub const HOLD: u16 = 4;
    /// The holder's call after which it exits.
    pub const LET_GO: u16 = 5;
    /// A call that carries a moved capability.
    pub const MOVE: u16 = 6;
}

/// Quotas of a child that needs little: its image, 1 MiB heap and 256 KiB
/// stack fit in 2 MiB of memory, and 64 KiB of kernel memory covers its
/// process structures (about 40 KiB) and a few small calls.
pub const SMALL_CHILD: Limits = Limits {
    kernel_bytes: 64 * 1024,
    memory_bytes: 2 * 1024 * 1024,
};

/// Result room of a small call: an empty reply is 16 bytes.
pub const SMALL_RESULT: usize = 64;

/// The params of every small call, and every reply.
pub fn empty_message() -> Vec<u64> {
    message::build::<timer::now_params::Owned>(|_| {})
}

/// Queues a small call to `target` without waiting; the kernel sees it at
/// the next `cap_enter`, and the token collects its completion.
pub fn submit(
    ring: &mut RingClient,
    target: &EndpointClient,
    method: u16,
) -> Result<Token, String> {
    ring.make_room(1)
        .map_err(|e| format!("no room for a call: {e}"))?;
    ring.submit_call(CallRequest {
        cap_id: target.cap().id(),
        interface_id: target.interface_id(),
        method_id: method,
        params: empty_message(),
        result_bytes: SMALL_RESULT,
    })
    .map_err(|e| format!("cannot submit a call: {e}"))
}

/// Checks that `e` is an `overloaded` refusal naming a quota; returns its
/// reason.
pub fn quota_reason(what: &str, e: Error) -> Result<String, String> {
    match e {
        Error::Application {
            kind: ExceptionType::Overloaded,
            reason,
        } if reason.contains("quota exhausted") => Ok(reason),
        other => Err(format!("{what}: refused for another reason: {other}")),
    }
}

/// A call taken from an Endpoint by [`recv_from`].
pub struct Call {
    pub call_id: u32,
    pub method_id: u16,
    pub params_len: usize,
}

/// Room for any call without capabilities, so one RECV always suffices.
const RECV_BYTES: usize = recv_size(MAX_MESSAGE_BYTES as usize, MAX_XFER as usize);

/// Waits for the next call on `endpoint`, expected from `child`. If the
/// child ends first, that call will never come: the error says how the
/// child ended instead of waiting forever.
pub fn recv_from(rt: &Runtime, endpoint: &Endpoint, child: &ProcessHandle) -> Result<Call, String> {
    let exit = child
        .wait_async()
        .map_err(|e| format!("cannot wait for the child: {e}"))?;
    let mut token = {
        let mut ring = rt.ring();
        ring.make_room(1)
            .map_err(|e| format!("no room for a RECV: {e}"))?;
        ring.submit_recv(endpoint.cap().id(), RECV_BYTES)
            .map_err(|e| format!("cannot submit a RECV: {e}"))?
    };
    loop {
        let taken = rt.ring().try_take(token);
        token = match taken {
            Ok(completion) => return parse_recv(&completion),
            Err(token) => token,
        };
        if exit.is_complete() {
            // The RECV stays pending; it goes when this process ends.
            rt.ring().detach(token);
            let reply = exit
                .wait()
                .map_err(|e| format!("waiting for the child: {e}"))?;
            let status = capos_rt::ExitStatus::from_reply(&reply)
                .map_err(|e| format!("the child's status: {e}"))?;
            return Err(format!("the child {status} before calling"));
        }
        rt.ring()
            .wait(1)
            .map_err(|e| format!("waiting for a call: {e}"))?;
    }
}

/// Reads the RecvHeader of a completed RECV (capos_abi::ipc).
fn parse_recv(completion: &capos_rt::Completion) -> Result<Call, String> {
    let result = completion.cqe.result;
    if result < 0 {
        return Err(format!("RECV failed: {}", capos_abi::error::name(result)));
    }
    let bytes = message::as_bytes(&completion.result);
    let u16_at = |at: usize| u16::from_le_bytes([bytes[at], bytes[at + 1]]);
    let u32_at =
        |at: usize| u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    if u16_at(6) != 0 {
        return Err("a call brought capabilities; none were expected".into());
    }
    Ok(Call {
        call_id: u32_at(0),
        method_id: u16_at(4),
        params_len: u32_at(16) as usize,
    })
}

/// Answers `call` with an empty reply.
pub fn answer(endpoint: &Endpoint, call: &Call) -> Result<(), String> {
    endpoint
        .reply_message(call.call_id, empty_message(), Vec::new())
        .map_err(|e| format!("RETURN of call {}: {}", call.call_id, e.error))
}

/// A round trip of this process's own through `endpoint`, called on
/// `client`: the call received must be ours (method `SELF`, no
/// capabilities), which shows that the calls an exited process left
/// queued there went with it.
pub fn own_round_trip(
    rt: &Runtime,
    endpoint: &Endpoint,
    client: &EndpointClient,
) -> Result<(), String> {
    let token = submit(&mut rt.ring(), client, method::SELF)?;
    let call = endpoint.recv().map_err(|e| format!("own call: {e}"))?;
    if call.method_id != method::SELF || !call.caps.is_empty() {
        return Err(format!(
            "received method {} with {} capabilities instead of our own call: an exited process's call is still queued",
            call.method_id,
            call.caps.len()
        ));
    }
    endpoint
        .reply_message(call.call_id, empty_message(), Vec::new())
        .map_err(|e| format!("own call's RETURN: {}", e.error))?;
    let done = rt
        .ring()
        .wait_for(token)
        .map_err(|e| format!("own call: {e}"))?;
    if done.cqe.result < 0 {
        return Err(format!(
            "own call failed: {}",
            capos_abi::error::name(done.cqe.result)
        ));
    }
    Ok(())
}

/// An argument whose every byte can be checked: "abc...zabc..." of `len`
/// bytes.
pub fn pattern(len: usize) -> String {
    (0..len)
        .map(|i| char::from(b'a' + (i % 26) as u8))
        .collect()
}

/// True if `bytes` is [`pattern`] of its length.
pub fn is_pattern(bytes: &[u8]) -> bool {
    bytes
        .iter()
        .enumerate()
        .all(|(i, &b)| b == b'a' + (i % 26) as u8)
}

/// The `main` of a case: takes the console, runs `case` with it, and
/// reports a failure as `TAG: FAIL why` with exit code 1 (2 without a
/// console).
pub fn run_case(
    rt: &mut Runtime,
    tag: &str,
    case: impl FnOnce(&mut Runtime, &Console) -> Result<(), String>,
) -> i64 {
    let Ok(console) = rt.take::<Console>("console") else {
        return 2;
    };
    match case(rt, &console) {
        Ok(()) => 0,
        Err(why) => {
            capos_rt::println!(console, "{tag}: FAIL {why}");
            1
        }
    }
}
