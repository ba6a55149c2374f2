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
//! holder is discarded. The calls it keeps and who hears a signal
//! character: `terminal/waits.rs`; the results: `terminal/replies.rs`.

mod replies;
mod waits;

use alloc::collections::VecDeque;
use alloc::sync::{Arc, Weak};
use alloc::vec::Vec;
use core::sync::atomic::{AtomicU64, Ordering};

use capos_abi::terminal::{MAX_READ, READ_OVERHEAD};
use capos_lib::terminal::{LineDiscipline, Mode, NCCS, ReadNow, Timer, pending_after_foreground};
use capos_schema::ExceptionType;
use capos_schema::capos_capnp::terminal as schema;
use capos_schema::interface_id;
use capos_schema::method::terminal as method;
use spin::Mutex;

use super::hangup::{self, Hangup};
use super::{CallCtx, CallError, CapObject, Params, Reply, Wait, empty_reply, encode, new_message};
use crate::process::{PendingCall, Pid};
use crate::ring::{Completion, complete};
use crate::sched::Kernel;
use crate::serial;
use replies::{encode_read, encode_ready, encode_signal, gone, ready_reply};
use waits::{NS_PER_TENTH, Read, State, TIMED, Waiting, replace_older};

/// The line state the interrupt feeds, while a Terminal exists.
static LINE: Mutex<Option<Weak<Line>>> = Mutex::new(None);
/// The id of the next line made, so that a group recorded at a line that
/// is gone names nothing at the next one.
static NEXT_LINE: AtomicU64 = AtomicU64::new(1);

pub struct Line {
    id: u64,
    state: Mutex<State>,
}

/// A process's group at a line, recorded by Terminal.setGroup (a holder's
/// call): a signal character for that group reaches it through the
/// kernel's signal path.
#[derive(Debug, Clone, Copy)]
pub struct Member {
    pub line: u64,
    pub group: u32,
}

/// A live process as a signal character sees it.
pub struct Listener {
    pub pid: Pid,
    /// Its group at this line, if it recorded one.
    pub group: Option<u32>,
    /// In cap_enter: a wait of its own here can tell it.
    pub blocked: bool,
}

/// A holder's view of the line; when the last goes, waiting calls fail.
pub struct Terminal(Arc<Line>);

impl Terminal {
    /// The console's terminal, and the serial line's receive interrupt
    /// turned on to feed it.
    pub fn create() -> Terminal {
        let line = Arc::new(Line {
            id: NEXT_LINE.fetch_add(1, Ordering::Relaxed),
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

/// Bytes from the serial line (interrupt context, kernel state held).
pub fn on_input(k: &mut Kernel, bytes: &[u8]) {
    let Some(line) = LINE.lock().as_ref().and_then(Weak::upgrade) else {
        return;
    };
    let mut answers = Vec::new();
    let mut posts = Vec::new();
    {
        let mut s = line.state.lock();
        let mut echo = core::mem::take(&mut s.echo);
        for &b in bytes {
            if let Some(signal) = s.ld.receive(b, &mut echo) {
                let listeners = k.terminal_members(line.id);
                s.raise(signal, &listeners, &mut answers, &mut posts);
            }
        }
        serial::write_raw(&echo);
        echo.clear();
        s.echo = echo;
        let now = crate::time::now_ns();
        s.settle(now, true, &mut answers);
    }
    deliver(k, answers);
    // Outside the line's lock: a default action ends the process, and
    // its capabilities (this Terminal among them) go with it.
    for (pid, signal) in posts {
        let _ = k.post_signal(pid, signal);
    }
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
        if let Some(signal) = s.take_signal(ctx.caller, group) {
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
        if let Some(signal) = s.take_signal(ctx.caller, group) {
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
        // Quiet: a readiness wait reports and changes nothing, so it does
        // not stop a fork (process_forker.rs).
        let w = ctx.quiet_wait(|ctx| waiting(ctx, group, size_of::<Waiting>()))?;
        s.readies.push(w);
        drop(s);
        deliver(ctx.kernel, answers);
        Ok(Reply::Pending(Wait::Taken))
    }

    fn signal(&self, ctx: &mut CallCtx, params: &Params) -> Result<Reply, CallError> {
        let p: schema::signal_params::Reader = params.get_root()?;
        let group = p.get_group();
        let mut s = self.0.state.lock();
        if let Some(signal) = s.take_signal(ctx.caller, group) {
            return Ok(Reply::Done(encode_signal(signal)));
        }
        let mut answers = Vec::new();
        replace_older(
            &mut s.signal_waits,
            ctx.caller,
            || Completion::reply(encode_signal(0)),
            &mut answers,
        );
        // Quiet, as a readiness wait: a signal taken by the parent is
        // not the child's (POSIX: pending signals do not cross a fork).
        let w = ctx.quiet_wait(|ctx| waiting(ctx, group, size_of::<Waiting>()))?;
        s.signal_waits.push(w);
        drop(s);
        deliver(ctx.kernel, answers);
        Ok(Reply::Pending(Wait::Taken))
    }

    fn set_foreground(&self, params: &Params) -> Result<Reply, CallError> {
        let p: schema::set_foreground_params::Reader = params.get_root()?;
        let mut s = self.0.state.lock();
        let group = p.get_group();
        let foreground = s.foreground;
        if let Some(p) = s.pending.as_mut()
            && let Some((to, _)) =
                pending_after_foreground(Some((p.group, p.signal)), foreground, group)
        {
            p.group = to;
        }
        s.foreground = group;
        Ok(empty_reply())
    }

    fn set_group(&self, ctx: &mut CallCtx, params: &Params) -> Result<Reply, CallError> {
        let p: schema::set_group_params::Reader = params.get_root()?;
        let member = match p.get_group() {
            0 => None,
            group => Some(Member {
                line: self.0.id,
                group,
            }),
        };
        ctx.kernel.process(ctx.caller).terminal_group = member;
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
            method::SET_GROUP => self.set_group(ctx, params),
            _ => Err(CallError::InvalidMethod),
        }
    }
}
