//! The Terminal capability: the serial console as a terminal.
//!
//! Bytes arrive on the serial line's receive interrupt
//! ([`on_input`]) and go through the line discipline
//! (capos_lib::terminal, host-tested), which edits lines, echoes and turns
//! signal characters into signals for the foreground process group. A
//! read that must wait is kept here and answered when input, a signal
//! character or its VTIME timer settles it, so it never holds up the
//! caller's other ring work.
//!
//! There is one serial line, so one line state: every Terminal
//! capability init is granted shares it. It lives while a holder does;
//! the interrupt reaches it through a weak reference, and input with no
//! holder is discarded.

use alloc::collections::VecDeque;
use alloc::sync::{Arc, Weak};
use alloc::vec::Vec;
use core::sync::atomic::{AtomicBool, Ordering};

use capnp::message::{Builder, HeapAllocator};
use capos_abi::terminal::{MAX_READ, READ_OVERHEAD};
use capos_lib::account::Charge;
use capos_lib::terminal::{
    LineDiscipline, Mode, NCCS, ReadNow, Timer, in_foreground, pending_after_foreground,
};
use capos_schema::ExceptionType;
use capos_schema::capos_capnp::terminal as schema;
use capos_schema::interface_id;
use capos_schema::method::terminal as method;
use spin::Mutex;

use super::hangup::{self, Hangup};
use super::{CallCtx, CallError, CapObject, Params, Reply, Wait, empty_reply, encode, new_message};
use crate::process::{ExitCell, PendingCall};
use crate::ring::{Completion, complete};
use crate::sched::Kernel;
use crate::serial;

/// The line state the interrupt feeds, while a Terminal exists.
static LINE: Mutex<Option<Weak<Line>>> = Mutex::new(None);
/// Set while a waiting read has a VTIME deadline, so ticks skip the lock
/// otherwise.
static TIMED: AtomicBool = AtomicBool::new(false);

const NS_PER_TENTH: u64 = 100_000_000;

/// A call the terminal keeps until it can answer it.
struct Waiting {
    call: PendingCall,
    exit: Arc<ExitCell>,
    group: u32,
    /// The caller pays for its place in the queue.
    _charge: Charge,
}

impl Waiting {
    fn alive(&self) -> bool {
        self.exit.status().is_none()
    }
}

struct Read {
    waiting: Waiting,
    max: usize,
    /// When its VTIME runs out (monotonic ns).
    deadline: Option<u64>,
}

struct State {
    ld: LineDiscipline,
    /// Waiting reads, answered in order.
    reads: VecDeque<Read>,
    /// Readiness waits (poll), at most one per process.
    readies: Vec<Waiting>,
    /// Signal waits (a process blocked elsewhere), at most one per process.
    signal_waits: Vec<Waiting>,
    /// The foreground process group (0: none set).
    foreground: u32,
    /// A signal character nobody in the foreground group was waiting for:
    /// (the group it was for, the signal), given to the next call of a
    /// member.
    pending: Option<(u32, u8)>,
    window: (u16, u16),
    /// The echo of one interrupt's input, kept so its capacity is reused.
    echo: Vec<u8>,
}

pub struct Line {
    state: Mutex<State>,
}

/// A holder's view of the line; when the last goes, waiting calls fail.
pub struct Terminal(Arc<Line>);

impl Terminal {
    /// The console's terminal, and the serial line's receive interrupt
    /// turned on to feed it.
    pub fn create() -> Terminal {
        let line = Arc::new(Line {
            state: Mutex::new(State {
                ld: LineDiscipline::new(),
                reads: VecDeque::new(),
                readies: Vec::new(),
                signal_waits: Vec::new(),
                foreground: 0,
                pending: None,
                window: (24, 80),
                echo: Vec::new(),
            }),
        });
        *LINE.lock() = Some(Arc::downgrade(&line));
        serial::enable_receive();
        Terminal(line)
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        hangup::defer(self.0.clone());
    }
}

/// The last holder is gone: input is no longer kept, waiting calls fail.
impl Hangup for Line {
    fn hang_up(&self, k: &mut Kernel) {
        {
            let mut active = LINE.lock();
            if active
                .as_ref()
                .is_some_and(|w| core::ptr::eq(w.as_ptr(), self))
            {
                *active = None;
            }
        }
        let (reads, readies, signal_waits) = {
            let mut s = self.state.lock();
            let (received, dropped) = s.ld.counters();
            // The input counters, for a hostile-input smoke to read.
            crate::kprintln!(
                "kernel: terminal closed: {received} bytes received, {dropped} dropped (queue full), {} lost by the serial chip",
                serial::hardware_overruns()
            );
            (
                core::mem::take(&mut s.reads),
                core::mem::take(&mut s.readies),
                core::mem::take(&mut s.signal_waits),
            )
        };
        let waits = reads.into_iter().map(|r| r.waiting);
        for w in waits.chain(readies).chain(signal_waits) {
            complete(k, w.call, gone());
        }
    }
}

fn gone() -> Completion {
    Completion::exception(super::encode_exception(
        ExceptionType::Disconnected,
        "the terminal is gone",
    ))
}

/// Bytes from the serial line (interrupt context, kernel state held).
pub fn on_input(k: &mut Kernel, bytes: &[u8]) {
    let Some(line) = LINE.lock().as_ref().and_then(Weak::upgrade) else {
        return;
    };
    let mut answers = Vec::new();
    {
        let mut s = line.state.lock();
        let mut echo = core::mem::take(&mut s.echo);
        for &b in bytes {
            if let Some(signal) = s.ld.receive(b, &mut echo) {
                s.raise(signal, &mut answers);
            }
        }
        serial::write_raw(&echo);
        echo.clear();
        s.echo = echo;
        let now = crate::time::now_ns();
        s.settle(now, true, &mut answers);
    }
    deliver(k, answers);
}

/// Timer work: reads whose VTIME ran out.
pub fn on_tick(k: &mut Kernel, now: u64) {
    if !TIMED.load(Ordering::Relaxed) {
        return;
    }
    let Some(line) = LINE.lock().as_ref().and_then(Weak::upgrade) else {
        return;
    };
    let mut answers = Vec::new();
    line.state.lock().settle(now, false, &mut answers);
    deliver(k, answers);
}

fn deliver(k: &mut Kernel, answers: Vec<(PendingCall, Completion)>) {
    for (call, outcome) in answers {
        complete(k, call, outcome);
    }
}

impl State {
    /// A signal character: every waiting call of the foreground group
    /// ends with it; with none, it waits for the group's next call.
    fn raise(&mut self, signal: u8, answers: &mut Vec<(PendingCall, Completion)>) {
        let fg = self.foreground;
        let mut reached = false;
        let mut kept = VecDeque::new();
        for r in self.reads.drain(..) {
            if r.waiting.alive() && in_foreground(fg, r.waiting.group) {
                reached = true;
                answers.push((r.waiting.call, read_reply(&[], false, signal)));
            } else if r.waiting.alive() {
                kept.push_back(r);
            }
        }
        self.reads = kept;
        let mut kept = Vec::new();
        for w in self.readies.drain(..) {
            if w.alive() && in_foreground(fg, w.group) {
                reached = true;
                answers.push((w.call, ready_reply(false, signal)));
            } else if w.alive() {
                kept.push(w);
            }
        }
        self.readies = kept;
        let mut kept = Vec::new();
        for w in self.signal_waits.drain(..) {
            if w.alive() && in_foreground(fg, w.group) {
                reached = true;
                answers.push((w.call, Completion::reply(encode_signal(signal))));
            } else if w.alive() {
                kept.push(w);
            }
        }
        self.signal_waits = kept;
        self.pending = (!reached).then_some((fg, signal));
    }

    /// The pending signal, if it is for `group`.
    fn take_signal(&mut self, group: u32) -> Option<u8> {
        let (fg, signal) = self.pending?;
        if !in_foreground(fg, group) {
            return None;
        }
        self.pending = None;
        Some(signal)
    }

    /// Answers what the input now allows: reads in order, then readiness
    /// waits. `arrived`: bytes came in (restarting inter-byte timers).
    fn settle(&mut self, now: u64, arrived: bool, answers: &mut Vec<(PendingCall, Completion)>) {
        self.reads.retain(|r| r.waiting.alive());
        while let Some(r) = self.reads.front_mut() {
            let timed_out = r.deadline.is_some_and(|d| d <= now);
            match self.ld.read_now(r.max, timed_out) {
                ReadNow::MustWait => {
                    if arrived && let Timer::Tenths(t) = self.ld.timer(true) {
                        r.deadline = Some(now + t as u64 * NS_PER_TENTH);
                    }
                    break;
                }
                got => {
                    let r = self.reads.pop_front().expect("front exists");
                    answers.push((r.waiting.call, read_now_reply(got)));
                }
            }
        }
        if self.ld.readable() {
            for w in self.readies.drain(..) {
                answers.push((w.call, ready_reply(true, 0)));
            }
        }
        TIMED.store(
            self.reads.iter().any(|r| r.deadline.is_some()),
            Ordering::Relaxed,
        );
    }
}

fn read_now_reply(got: ReadNow) -> Completion {
    match got {
        ReadNow::Data(data) => read_reply(&data, false, 0),
        ReadNow::Eof | ReadNow::MustWait => read_reply(&[], false, 0),
    }
}

fn read_reply(data: &[u8], would_block: bool, signal: u8) -> Completion {
    Completion::reply(encode_read(data, would_block, signal))
}

fn ready_reply(ready: bool, signal: u8) -> Completion {
    Completion::reply(encode_ready(ready, signal))
}

fn encode_read(data: &[u8], would_block: bool, signal: u8) -> Vec<u8> {
    // One segment holding everything, so the result is exactly
    // READ_OVERHEAD bytes plus the padded data (what `read` promised fits).
    let words = (READ_OVERHEAD - 8) / 8 + data.len().div_ceil(8);
    let mut message = Builder::new(HeapAllocator::new().first_segment_words(words as u32));
    let mut results = message.init_root::<schema::read_results::Builder>();
    results.set_data(data);
    results.set_would_block(would_block);
    results.set_signal(signal);
    encode(&message)
}

fn encode_ready(ready: bool, signal: u8) -> Vec<u8> {
    let mut message = new_message();
    let mut results = message.init_root::<schema::ready_results::Builder>();
    results.set_ready(ready);
    results.set_signal(signal);
    encode(&message)
}

fn encode_signal(signal: u8) -> Vec<u8> {
    let mut message = new_message();
    let mut results = message.init_root::<schema::signal_results::Builder>();
    results.set_signal(signal);
    encode(&message)
}

/// Takes out every waiting call of process `pid` in `waits`, answered
/// with `reply` (a newer wait of the process replaces its older one).
fn replace_older(
    waits: &mut Vec<Waiting>,
    pid: crate::process::Pid,
    reply: impl Fn() -> Completion,
    answers: &mut Vec<(PendingCall, Completion)>,
) {
    let mut i = 0;
    while i < waits.len() {
        if waits[i].call.pid == pid {
            answers.push((waits.swap_remove(i).call, reply()));
        } else {
            i += 1;
        }
    }
}

fn waiting(ctx: &mut CallCtx, group: u32, size: usize) -> Result<Waiting, CallError> {
    Ok(Waiting {
        call: ctx.call,
        exit: ctx.kernel.process(ctx.caller).exit.clone(),
        group,
        _charge: ctx.charge(size)?,
    })
}

impl Terminal {
    fn read(&self, ctx: &mut CallCtx, params: &Params) -> Result<Reply, CallError> {
        let p: schema::read_params::Reader = params.get_root()?;
        let fits = (ctx.result_capacity as usize).saturating_sub(READ_OVERHEAD) & !7;
        let max = (p.get_max() as usize).min(fits).min(MAX_READ);
        if max == 0 {
            if p.get_max() == 0 {
                return Ok(Reply::Done(encode_read(&[], false, 0)));
            }
            return Err(CallError::ResultTooSmall(READ_OVERHEAD + 8));
        }
        let group = p.get_group();
        let mut s = self.0.state.lock();
        if let Some(signal) = s.take_signal(group) {
            return Ok(Reply::Done(encode_read(&[], false, signal)));
        }
        // Earlier readers come first.
        let got = if s.reads.is_empty() {
            s.ld.read_now(max, false)
        } else {
            ReadNow::MustWait
        };
        Ok(match got {
            ReadNow::MustWait if !p.get_wait() => Reply::Done(encode_read(&[], true, 0)),
            ReadNow::MustWait => {
                let w = waiting(ctx, group, size_of::<Read>())?;
                let deadline = match s.ld.timer(false) {
                    Timer::Tenths(t) => Some(crate::time::now_ns() + t as u64 * NS_PER_TENTH),
                    Timer::None => None,
                };
                if deadline.is_some() {
                    TIMED.store(true, Ordering::Relaxed);
                }
                s.reads.push_back(Read {
                    waiting: w,
                    max,
                    deadline,
                });
                Reply::Pending(Wait::Taken)
            }
            ReadNow::Data(data) => Reply::Done(encode_read(&data, false, 0)),
            ReadNow::Eof => Reply::Done(encode_read(&[], false, 0)),
        })
    }

    fn write(&self, ctx: &mut CallCtx, params: &Params) -> Result<Reply, CallError> {
        let p: schema::write_params::Reader = params.get_root()?;
        let data = p.get_data()?;
        if ctx.result_capacity < 24 {
            return Err(CallError::ResultTooSmall(24));
        }
        // Written as processed, with no buffer a caller could size.
        self.0.state.lock().ld.output_with(data, serial::write_raw);
        let mut message = new_message();
        let mut results = message.init_root::<schema::write_results::Builder>();
        results.set_written(data.len() as u32);
        Ok(Reply::Done(encode(&message)))
    }

    fn get_mode(&self) -> Result<Reply, CallError> {
        let mode = self.0.state.lock().ld.mode();
        let mut message = new_message();
        let results = message.init_root::<schema::get_mode_results::Builder>();
        let mut m = results.init_mode();
        m.set_iflag(mode.iflag);
        m.set_oflag(mode.oflag);
        m.set_cflag(mode.cflag);
        m.set_lflag(mode.lflag);
        m.set_cc(&mode.cc);
        Ok(Reply::Done(encode(&message)))
    }

    fn set_mode(&self, ctx: &mut CallCtx, params: &Params) -> Result<Reply, CallError> {
        let p: schema::set_mode_params::Reader = params.get_root()?;
        let m = p.get_mode()?;
        let cc: [u8; NCCS] = m.get_cc()?.try_into().map_err(|_| {
            CallError::Exception(
                ExceptionType::Failed,
                alloc::format!("cc must be {NCCS} bytes"),
            )
        })?;
        let mode = Mode {
            iflag: m.get_iflag(),
            oflag: m.get_oflag(),
            cflag: m.get_cflag(),
            lflag: m.get_lflag(),
            cc,
        };
        let mut answers = Vec::new();
        {
            let mut s = self.0.state.lock();
            s.ld.set_mode(mode, p.get_flush());
            // A read waiting under the old mode may be answerable now.
            s.settle(crate::time::now_ns(), false, &mut answers);
        }
        deliver(ctx.kernel, answers);
        Ok(empty_reply())
    }

    fn ready(&self, ctx: &mut CallCtx, params: &Params) -> Result<Reply, CallError> {
        let p: schema::ready_params::Reader = params.get_root()?;
        let group = p.get_group();
        let mut s = self.0.state.lock();
        if let Some(signal) = s.take_signal(group) {
            return Ok(Reply::Done(encode_ready(false, signal)));
        }
        if s.ld.readable() && s.reads.is_empty() {
            return Ok(Reply::Done(encode_ready(true, 0)));
        }
        let mut answers = Vec::new();
        replace_older(
            &mut s.readies,
            ctx.caller,
            || ready_reply(false, 0),
            &mut answers,
        );
        let w = waiting(ctx, group, size_of::<Waiting>())?;
        s.readies.push(w);
        drop(s);
        deliver(ctx.kernel, answers);
        Ok(Reply::Pending(Wait::Taken))
    }

    fn signal(&self, ctx: &mut CallCtx, params: &Params) -> Result<Reply, CallError> {
        let p: schema::signal_params::Reader = params.get_root()?;
        let group = p.get_group();
        let mut s = self.0.state.lock();
        if let Some(signal) = s.take_signal(group) {
            return Ok(Reply::Done(encode_signal(signal)));
        }
        let mut answers = Vec::new();
        replace_older(
            &mut s.signal_waits,
            ctx.caller,
            || Completion::reply(encode_signal(0)),
            &mut answers,
        );
        let w = waiting(ctx, group, size_of::<Waiting>())?;
        s.signal_waits.push(w);
        drop(s);
        deliver(ctx.kernel, answers);
        Ok(Reply::Pending(Wait::Taken))
    }

    fn set_foreground(&self, params: &Params) -> Result<Reply, CallError> {
        let p: schema::set_foreground_params::Reader = params.get_root()?;
        let mut s = self.0.state.lock();
        let group = p.get_group();
        s.pending = pending_after_foreground(s.pending, s.foreground, group);
        s.foreground = group;
        Ok(empty_reply())
    }

    fn get_foreground(&self) -> Result<Reply, CallError> {
        let group = self.0.state.lock().foreground;
        let mut message = new_message();
        let mut results = message.init_root::<schema::get_foreground_results::Builder>();
        results.set_group(group);
        Ok(Reply::Done(encode(&message)))
    }

    fn window_size(&self) -> Result<Reply, CallError> {
        let (rows, columns) = self.0.state.lock().window;
        let mut message = new_message();
        let mut results = message.init_root::<schema::window_size_results::Builder>();
        results.set_rows(rows);
        results.set_columns(columns);
        Ok(Reply::Done(encode(&message)))
    }

    fn set_window_size(&self, params: &Params) -> Result<Reply, CallError> {
        let p: schema::set_window_size_params::Reader = params.get_root()?;
        self.0.state.lock().window = (p.get_rows(), p.get_columns());
        Ok(empty_reply())
    }

    fn stats(&self) -> Result<Reply, CallError> {
        let (received, dropped) = self.0.state.lock().ld.counters();
        let mut message = new_message();
        let mut results = message.init_root::<schema::stats_results::Builder>();
        results.set_received(received);
        results.set_dropped(dropped);
        results.set_hardware_overruns(serial::hardware_overruns());
        Ok(Reply::Done(encode(&message)))
    }
}

impl CapObject for Terminal {
    fn interface_id(&self) -> u64 {
        interface_id::TERMINAL
    }

    fn call(&self, ctx: &mut CallCtx, m: u16, params: &Params) -> Result<Reply, CallError> {
        match m {
            method::READ => self.read(ctx, params),
            method::WRITE => self.write(ctx, params),
            method::GET_MODE => self.get_mode(),
            method::SET_MODE => self.set_mode(ctx, params),
            method::READY => self.ready(ctx, params),
            method::SET_FOREGROUND => self.set_foreground(params),
            method::GET_FOREGROUND => self.get_foreground(),
            method::WINDOW_SIZE => self.window_size(),
            method::SET_WINDOW_SIZE => self.set_window_size(params),
            method::STATS => self.stats(),
            method::SIGNAL => self.signal(ctx, params),
            _ => Err(CallError::InvalidMethod),
        }
    }
}
