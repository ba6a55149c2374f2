//! The harmless program the fuzz worker may spawn, so that calls, replies
//! and transfers cross between two processes and either side can die with
//! calls in flight:
//!
//! - `serve=K` with an Endpoint owner facet granted as `owner`: it answers
//!   up to K calls on it (an empty result, or an exception every third);
//! - `call=K` with a client facet granted as `client`: it makes up to K
//!   calls on it, the first moving whatever was granted as `gift`;
//! - a MemoryObject granted as `object`: it maps it and writes to it;
//! - `read=K` with a PipeReader granted as `reader`: it reads until it has
//!   K bytes or the pipe ends;
//! - `write=K` with a PipeWriter granted as `writer`: it writes K bytes,
//!   PIPE_BUF at a time, each waiting for room;
//! - `ns=N`: it then waits N nanoseconds;
//! - `crash=1`: it then dies by a page fault instead of exiting.
//!
//! Each step stops at the first request that waits in vain for a few
//! milliseconds, and leaves it in flight. It exits 0, holding whatever it
//! was granted until then. The only kernel methods it calls are
//! MemoryObject.map, PipeReader.read and PipeWriter.write, so a grant can
//! do nothing else through it (no console writes).

#![no_std]
#![no_main]

extern crate alloc;

use alloc::vec;
use alloc::vec::Vec;
use capos_abi::ipc::{
    MAX_XFER, RETURN_EXCEPTION, RETURN_OK, XFER_MOVE, XferDesc, recv_size, reply_size,
};
use capos_abi::pipe::{ATOMIC, READ_OVERHEAD};
use capos_rt::{CallRequest, MemoryObject, PROT_READ, PROT_WRITE, Runtime, message};
use capos_schema::{
    ExceptionType, cap_exception, interface_id as iid, pipe_reader, pipe_writer, timer,
};

capos_rt::entry!(main);

/// Longest wait honoured, so a fuzzed argv cannot keep a child alive.
const MAX_WAIT_NS: u64 = 50_000_000;
/// Most calls served or made, and how long each may wait.
const MAX_CALLS: u64 = 64;
const WAIT_NS: u64 = 5_000_000;

/// The kernel's own interfaces: a `client` naming one of these is not
/// called (it could be a console).
const KERNEL_INTERFACES: [u64; iid::ALL.len()] = iid::ALL;

fn main(mut rt: Runtime) -> i64 {
    let args = rt.args();
    let number = |key| fuzz_programs::args::number(args.iter(), key).unwrap_or(0);
    let (serve, calls, ns, crash) = (
        number("serve").min(MAX_CALLS),
        number("call").min(MAX_CALLS),
        number("ns"),
        number("crash") == 1,
    );
    let (read, write) = (number("read"), number("write"));
    if serve > 0
        && let Ok(owner) = rt.take_any("owner")
        && owner.interface_id() == iid::ENDPOINT
    {
        serve_calls(&rt, owner.cap().id(), serve);
    }
    if calls > 0
        && let Ok(client) = rt.take_any("client")
        && !KERNEL_INTERFACES.contains(&client.interface_id())
    {
        let gift = rt.take_any("gift").ok().map(|gift| gift.cap().id());
        make_calls(&rt, (client.cap().id(), client.interface_id()), gift, calls);
    }
    if let Ok(object) = rt.take::<MemoryObject>("object")
        && let Ok(addr) = object.map(0, PROT_READ | PROT_WRITE)
    {
        // SAFETY: a fresh read-write mapping of at least a page, which
        // nothing else in this process uses.
        unsafe { (addr as *mut u8).write_volatile(0xf2) };
    }
    if read > 0
        && let Ok(reader) = rt.take_any("reader")
        && reader.interface_id() == iid::PIPE_READER
    {
        read_pipe(&rt, reader.cap().id(), read);
    }
    if write > 0
        && let Ok(writer) = rt.take_any("writer")
        && writer.interface_id() == iid::PIPE_WRITER
    {
        write_pipe(&rt, writer.cap().id(), write);
    }
    if ns > 0 {
        // Returns at the deadline, or when something left in flight ends.
        let _ = capos_rt::syscall::cap_enter(1, ns.min(MAX_WAIT_NS));
    }
    if crash {
        // SAFETY: 0x10 is below the image, never mapped and no Rust object
        // lives there; the page fault is the point (the kernel ends the
        // process with whatever it still has in flight).
        unsafe { (0x10 as *mut u8).write_volatile(1) };
    }
    0
}

/// Answers up to `count` calls on the owner facet `owner`; gives up at
/// the first RECV that waits in vain (its RECV stays pending to the end).
fn serve_calls(rt: &Runtime, owner: u32, count: u64) {
    for served in 0..count {
        let mut ring = rt.ring();
        let Ok(token) = ring.submit_recv(owner, recv_size(4096, MAX_XFER as usize)) else {
            return;
        };
        let _ = ring.enter(1, WAIT_NS);
        let Ok(call) = ring.try_take(token) else {
            return;
        };
        if call.cqe.result < 0 {
            continue;
        }
        // The call id is the first field of the RECV header.
        let call_id = call.result.first().map_or(0, |&word| word as u32);
        let (status, reply) = if served % 3 == 2 {
            let reply = message::build::<cap_exception::Owned>(|mut e| {
                e.set_type(ExceptionType::Failed);
                e.set_reason("fuzz-child refuses");
            });
            (RETURN_EXCEPTION, reply)
        } else {
            (
                RETURN_OK,
                message::build::<timer::now_results::Owned>(|_| {}),
            )
        };
        if let Ok(token) = ring.submit_return(owner, call_id, status, reply, vec![]) {
            ring.detach(token);
        }
    }
}

/// Makes up to `count` calls on the client facet `(id, interface)`; the
/// first moves `gift`. Stops at the first that waits in vain.
fn make_calls(rt: &Runtime, (id, interface): (u32, u64), gift: Option<u32>, count: u64) {
    for made in 0..count {
        let mut ring = rt.ring();
        let request = CallRequest {
            cap_id: id,
            interface_id: interface,
            method_id: made as u16,
            params: message::build::<timer::sleep_params::Owned>(|mut p| p.set_ns(made)),
            result_bytes: reply_size(1024, MAX_XFER as usize),
        };
        let xfers: Vec<XferDesc> = match gift {
            Some(cap_id) if made == 0 => vec![XferDesc {
                cap_id,
                mode: XFER_MOVE,
            }],
            _ => Vec::new(),
        };
        let Ok(token) = ring.submit_transfer_call(request, xfers) else {
            return;
        };
        let _ = ring.enter(1, WAIT_NS);
        if ring.try_take(token).is_err() {
            return;
        }
    }
}

/// Submits one call and waits for it a few milliseconds; `None` leaves it
/// in flight.
fn call_briefly(rt: &Runtime, request: CallRequest) -> Option<capos_rt::Completion> {
    let mut ring = rt.ring();
    let token = ring.submit_transfer_call(request, Vec::new()).ok()?;
    let _ = ring.enter(1, WAIT_NS);
    ring.try_take(token).ok()
}

/// Reads from the PipeReader `id` until `want` bytes came or the pipe
/// ended; stops at the first read that waits in vain or fails.
fn read_pipe(rt: &Runtime, id: u32, want: u64) {
    let mut got = 0;
    for _ in 0..MAX_CALLS {
        let max = want.saturating_sub(got).min(ATOMIC as u64) as u32;
        if max == 0 {
            return;
        }
        let request = CallRequest {
            cap_id: id,
            interface_id: iid::PIPE_READER,
            method_id: 0,
            params: message::build::<pipe_reader::read_params::Owned>(|mut p| {
                p.set_max(max);
                p.set_wait(true);
            }),
            result_bytes: max as usize + READ_OVERHEAD,
        };
        let Some(done) = call_briefly(rt, request) else {
            return;
        };
        let bytes = message::as_bytes(&done.result);
        let len = usize::try_from(done.cqe.result)
            .unwrap_or(0)
            .min(bytes.len());
        let n = message::read(&bytes[..len])
            .ok()
            .and_then(|m| {
                let r = m.get_root::<pipe_reader::read_results::Reader>().ok()?;
                Some(r.get_data().ok()?.len())
            })
            .unwrap_or(0);
        if n == 0 {
            return; // end of file, or a failure
        }
        got += n as u64;
    }
}

/// Writes `total` bytes to the PipeWriter `id`, PIPE_BUF at a time;
/// stops at the first write that waits in vain or fails (no reader).
fn write_pipe(rt: &Runtime, id: u32, total: u64) {
    let mut sent = 0;
    for round in 0..MAX_CALLS {
        let n = total.saturating_sub(sent).min(ATOMIC as u64) as usize;
        if n == 0 {
            return;
        }
        let data = vec![round as u8; n];
        let request = CallRequest {
            cap_id: id,
            interface_id: iid::PIPE_WRITER,
            method_id: 0,
            params: message::build::<pipe_writer::write_params::Owned>(|mut p| {
                p.set_data(&data);
                p.set_wait(true);
            }),
            result_bytes: 64,
        };
        match call_briefly(rt, request) {
            Some(done) if done.cqe.result >= 0 => sent += n as u64,
            _ => return,
        }
    }
}
