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
//! - `crash=1`: it then dies by a page fault instead of exiting;
//! - `signals=1` with a Timer granted as `timer` (first of all): it
//!   applies the worker's fuzzed Timer.signals and setUpcall values to
//!   itself (`caught=`, `alarm=`, `cancel=`, and address classes
//!   `entry=`, `busy=`, `ret=`, see fuzz_programs::signal_args), then
//!   spins up to `spin=` iterations on the stack `stack=` names, where an
//!   alarm or a signal the worker posts through its handle comes as an
//!   upcall (counted, and the child resumes), as the default action (it
//!   ends), or kills it by SIGSEGV (an entry that is not code, a stack
//!   or busy word the kernel cannot write); with `again=1` it then waits
//!   for signals once more. It survives or dies: either is fine. If it
//!   survives, its exit status is the number of upcalls it took.
//!
//! Each step stops at the first request that waits in vain for a few
//! milliseconds, and leaves it in flight. It exits 0 (signal mode: the
//! number of upcalls it took), holding whatever it
//! was granted until then. The only kernel methods it calls are
//! MemoryObject.map, PipeReader.read, PipeWriter.write, Timer.signals and
//! Timer.setUpcall, so a grant can do nothing else through it (no
//! console writes).

#![no_std]
#![no_main]

extern crate alloc;

use alloc::vec;
use alloc::vec::Vec;
use capos_abi::ipc::{
    MAX_XFER, RETURN_EXCEPTION, RETURN_OK, XFER_MOVE, XferDesc, recv_size, reply_size,
};
use capos_abi::layout::{
    PAGE_SIZE, USER_IMAGE_BASE, USER_SPACE_END, USER_STACK_SIZE, USER_STACK_TOP,
};
use capos_abi::pipe::{ATOMIC, READ_OVERHEAD};
use capos_abi::upcall::RETURN_SLOT_BELOW;
use capos_rt::{CallRequest, MemoryObject, PROT_READ, PROT_WRITE, Runtime, message};
use capos_schema::{
    ExceptionType, cap_exception, interface_id as iid, pipe_reader, pipe_writer, timer,
};
use core::arch::{asm, global_asm};
use core::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use fuzz_programs::signal_args::{self, busy, entry, ret, stack};

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
    let number = |key: &str| fuzz_programs::args::number(args.iter(), key).unwrap_or(0);
    let (serve, calls, ns, crash) = (
        number("serve").min(MAX_CALLS),
        number("call").min(MAX_CALLS),
        number("ns"),
        number("crash") == 1,
    );
    let (read, write) = (number("read"), number("write"));
    if number(signal_args::MODE) == 1
        && let Ok(timer) = rt.take_any("timer")
        && timer.interface_id() == iid::TIMER
    {
        signal_mode(&rt, timer.cap().id(), &number);
    }
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
    // The upcalls taken (signal mode; 0 otherwise): the exit line shows
    // that the kernel's upcalls came back to the interrupted code.
    UPCALLS.load(Ordering::Relaxed).min(255) as i64
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

/// The upcall's busy word (see capos_abi::upcall): clear, so upcalls
/// may come; the kernel sets it as it makes one, the entry clears it.
static BUSY: AtomicU32 = AtomicU32::new(0);
/// A busy word that stays set: no upcall ever comes.
static HELD: AtomicU32 = AtomicU32::new(1);
/// Upcalls taken: the exit status.
static UPCALLS: AtomicU64 = AtomicU64::new(0);

unsafe extern "C" {
    fn fuzz_child_upcall_entry();
    static fuzz_child_upcall_return: u8;
    static fuzz_child_upcall_return_end: u8;
}

// The upcall entry: RSP is at the frame the kernel wrote. It counts the
// upcall, restores every register and RFLAGS from the frame (the
// increment's flags are overwritten by popfq), clears BUSY, loads the
// interrupted RSP and jumps through the return slot under it.
global_asm!(
    ".globl fuzz_child_upcall_entry",
    ".hidden fuzz_child_upcall_entry",
    "fuzz_child_upcall_entry:",
    "lock inc qword ptr [rip + {upcalls}]",
    "pop r15",
    "pop r14",
    "pop r13",
    "pop r12",
    "pop r11",
    "pop r10",
    "pop r9",
    "pop r8",
    "pop rbp",
    "pop rdi",
    "pop rsi",
    "pop rdx",
    "pop rcx",
    "pop rbx",
    "pop rax",
    "popfq",
    "mov dword ptr [rip + {busy}], 0",
    "mov rsp, [rsp]",
    ".globl fuzz_child_upcall_return",
    ".hidden fuzz_child_upcall_return",
    "fuzz_child_upcall_return:",
    "jmp qword ptr [rsp - {slot}]",
    ".globl fuzz_child_upcall_return_end",
    ".hidden fuzz_child_upcall_return_end",
    "fuzz_child_upcall_return_end:",
    upcalls = sym UPCALLS,
    busy = sym BUSY,
    slot = const RETURN_SLOT_BELOW,
);

/// Signal mode (see the module's text): the worker's fuzzed values,
/// applied to this process.
fn signal_mode(rt: &Runtime, timer: u32, number: &dyn Fn(&str) -> u64) {
    let raw = number("raw");
    let code = signal_mode as *const () as u64;
    let real_entry = fuzz_child_upcall_entry as *const () as u64;
    let entry = match number("entry") {
        entry::NONE => None,
        entry::REAL => Some(real_entry),
        entry::NULL => Some(0),
        entry::KERNEL_HALF => Some(0xffff_8000_0000_0000),
        entry::NON_CANONICAL => Some(USER_SPACE_END),
        entry::MISALIGNED => Some(real_entry + 1 + raw % 7),
        entry::UNMAPPED => Some(PAGE_SIZE),
        entry::DATA => Some(UPCALLS.as_ptr() as u64),
        entry::LAST_USER => Some(USER_SPACE_END - 1),
        _ => Some(raw),
    };
    let busy_word = match number("busy") {
        busy::CLEAR => BUSY.as_ptr() as u64,
        busy::HELD => HELD.as_ptr() as u64,
        busy::NULL => 0,
        busy::KERNEL_HALF => 0xffff_8000_0000_0000,
        busy::UNMAPPED => PAGE_SIZE,
        busy::READ_ONLY => code,
        busy::STRADDLING => USER_SPACE_END - 2,
        _ => raw,
    };
    // Only the symbols' addresses are taken, never their bytes.
    let (back, back_end) = (
        (&raw const fuzz_child_upcall_return) as u64,
        (&raw const fuzz_child_upcall_return_end) as u64,
    );
    let (return_start, return_end) = match number("ret") {
        ret::REAL => (back, back_end),
        ret::EMPTY => (0, 0),
        ret::REVERSED => (back_end, back),
        ret::PAST_END => (back, USER_SPACE_END + 1),
        _ => (0, USER_SPACE_END),
    };
    if let Some(entry) = entry {
        let params = message::build::<timer::set_upcall_params::Owned>(|mut p| {
            p.set_entry(entry);
            p.set_busy(busy_word);
            p.set_return_start(return_start);
            p.set_return_end(return_end);
        });
        let _ = call_briefly(rt, timer_request(timer, 4, params));
    }
    let (caught, alarm, cancel) = (number("caught"), number("alarm"), number("cancel") == 1);
    // Completes at once when it sets or cancels the alarm, else when a
    // signal comes; left in flight if none does.
    let _ = call_briefly(rt, signal_wait(timer, caught, alarm, cancel));
    let rsp = match number("stack") {
        stack::OWN => 0,
        stack::UNMAPPED => 2 * PAGE_SIZE,
        stack::NEAR_ZERO => 64,
        stack::READ_ONLY => (code & !(PAGE_SIZE - 1)).max(USER_IMAGE_BASE) + PAGE_SIZE,
        stack::KERNEL_HALF => 0xffff_8000_0000_0000 + PAGE_SIZE,
        stack::NON_CANONICAL => USER_SPACE_END + PAGE_SIZE,
        stack::STACK_BOTTOM => USER_STACK_TOP - USER_STACK_SIZE + 64,
        // Misaligned, far enough down its own stack to be clear of
        // everything live (this frame is within the top pages).
        _ => USER_STACK_TOP - 64 * 1024 + 1 + raw % 15,
    };
    spin(rsp, number("spin").clamp(1, signal_args::MAX_SPIN));
    if number("again") == 1 {
        let _ = call_briefly(rt, signal_wait(timer, caught, 0, false));
    }
}

fn timer_request(timer: u32, method: u16, params: Vec<u64>) -> CallRequest {
    CallRequest {
        cap_id: timer,
        interface_id: iid::TIMER,
        method_id: method,
        params,
        result_bytes: 256,
    }
}

fn signal_wait(timer: u32, caught: u64, alarm: u64, cancel: bool) -> CallRequest {
    let params = message::build::<timer::signals_params::Owned>(|mut p| {
        p.set_caught(caught);
        p.set_alarm_ns(alarm);
        p.set_cancel_alarm(cancel);
    });
    timer_request(timer, 3, params)
}

/// Counts `iterations` down with RSP at `rsp` (0: where it is), touching
/// no memory, so that only an upcall's frame uses that stack.
fn spin(rsp: u64, iterations: u64) {
    // SAFETY: the loop reads and writes no memory and restores RSP from
    // R12 before the block ends; an upcall in between resumes it with
    // every register as it was (the real entry), or ends the process.
    unsafe {
        asm!(
            "mov r12, rsp",
            "test rdi, rdi",
            "jz 2f",
            "mov rsp, rdi",
            "2:",
            "dec rcx",
            "jnz 2b",
            "mov rsp, r12",
            in("rdi") rsp,
            inout("rcx") iterations => _,
            out("r12") _,
        );
    }
}
