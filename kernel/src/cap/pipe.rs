//! The Pipe capability: a bounded byte stream with a read half
//! (PipeReader) and a write half (PipeWriter), made by PipeFactory.
//!
//! What a pipe does is capos_lib::pipe, host-tested; this file puts it
//! behind the ring. A call that must wait (a read of an empty pipe, a
//! write to a full one, a readiness wait) is kept by the pipe and answered
//! when the other side acts, closes or dies, so it never holds up the
//! caller's other ring work. Copies of a half in any table share one
//! object, so a half is gone (end of file, EPIPE) exactly when its last
//! holder lets go or dies.

use alloc::sync::Arc;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicBool, Ordering};

use capnp::message::{Builder, HeapAllocator};
use capos_abi::pipe::READ_OVERHEAD;
use capos_lib::account::Charge;
use capos_lib::pipe::{self, Event, ReadNow, Readiness, Waiter, WriteNow};
use capos_schema::ExceptionType;
use capos_schema::capos_capnp::{pipe_reader, pipe_writer};
use capos_schema::interface_id;
use spin::Mutex;

use super::hangup::{self, Hangup};
use super::{ALLOC_SLACK, CallCtx, CallError, CapObject, Params, Reply, Wait, encode, new_message};
use crate::process::{ExitCell, PendingCall};
use crate::ring::{Completion, complete};
use crate::sched::Kernel;

/// A call the pipe keeps until it can answer it.
pub struct Waiting {
    call: PendingCall,
    exit: Arc<ExitCell>,
    /// The caller pays for its place in the queue and any data held.
    _charge: Charge,
}

impl Waiter for Waiting {
    fn owner(&self) -> u64 {
        self.call.pid
    }

    fn alive(&self) -> bool {
        self.exit.status().is_none()
    }
}

/// What both halves share.
pub struct Pipe {
    state: Mutex<pipe::Pipe<Waiting, Waiting>>,
    reader_gone: AtomicBool,
    writer_gone: AtomicBool,
    /// The creator pays for the buffer and the halves.
    _charge: Charge,
}

pub struct PipeReader(Arc<Pipe>);
pub struct PipeWriter(Arc<Pipe>);

/// The heap a PipeFactory.create charges: the buffer, the shared state
/// and both halves.
pub const PIPE_BYTES: usize = pipe::CAPACITY
    + size_of::<Pipe>()
    + size_of::<PipeReader>()
    + size_of::<PipeWriter>()
    + 4 * ALLOC_SLACK;

impl Pipe {
    /// Both halves of a new pipe over `buffer`.
    pub fn create(buffer: Vec<u8>, charge: Charge) -> (PipeReader, PipeWriter) {
        let pipe = Arc::new(Pipe {
            state: Mutex::new(pipe::Pipe::new(buffer.into_boxed_slice())),
            reader_gone: AtomicBool::new(false),
            writer_gone: AtomicBool::new(false),
            _charge: charge,
        });
        (PipeReader(pipe.clone()), PipeWriter(pipe))
    }
}

impl Drop for PipeReader {
    fn drop(&mut self) {
        self.0.reader_gone.store(true, Ordering::Relaxed);
        hangup::defer(self.0.clone());
    }
}

impl Drop for PipeWriter {
    fn drop(&mut self) {
        self.0.writer_gone.store(true, Ordering::Relaxed);
        hangup::defer(self.0.clone());
    }
}

/// A half has gone: waiting writers fail, waiting readers reach end of
/// file, readiness waiters hear the hangup.
impl Hangup for Pipe {
    fn hang_up(&self, k: &mut Kernel) {
        let mut events = Vec::new();
        {
            let mut state = self.state.lock();
            if self.reader_gone.load(Ordering::Relaxed) {
                state.close_reader(&mut events);
            }
            if self.writer_gone.load(Ordering::Relaxed) {
                state.close_writer(&mut events);
            }
        }
        deliver(k, events);
    }
}

/// Keeps the current call for the pipe to answer later, charging the
/// caller `held` bytes of data besides its place in the queue.
fn waiting(ctx: &mut CallCtx, held: usize) -> Result<Waiting, CallError> {
    Ok(Waiting {
        call: ctx.call,
        exit: ctx.kernel.process(ctx.caller).exit.clone(),
        _charge: ctx.charge(size_of::<Waiting>() + held)?,
    })
}

/// Answers the calls the pipe settled.
fn deliver(k: &mut Kernel, events: Vec<Event<Waiting, Waiting>>) {
    for event in events {
        let (waiting, outcome) = match event {
            Event::Read(w, data) => (w, Completion::reply(encode_read(&data, false))),
            Event::Written(w, n) => (w, Completion::reply(encode_written(n))),
            Event::Broken(w) => (w, broken()),
            Event::ReadReady(w, r) => (w, Completion::reply(encode_read_ready(r))),
            Event::WriteReady(w, r) => (w, Completion::reply(encode_write_ready(r))),
        };
        complete(k, waiting.call, outcome);
    }
}

fn broken() -> Completion {
    Completion::exception(super::encode_exception(
        ExceptionType::Disconnected,
        "pipe has no reader",
    ))
}

fn encode_read(data: &[u8], would_block: bool) -> Vec<u8> {
    // One segment holding everything, so the result is exactly
    // READ_OVERHEAD bytes plus the padded data (what `read` promised fits).
    let words = (READ_OVERHEAD - 8) / 8 + data.len().div_ceil(8);
    let mut message = Builder::new(HeapAllocator::new().first_segment_words(words as u32));
    let mut results = message.init_root::<pipe_reader::read_results::Builder>();
    results.set_data(data);
    results.set_would_block(would_block);
    encode(&message)
}

fn encode_written(n: usize) -> Vec<u8> {
    let mut message = new_message();
    let mut results = message.init_root::<pipe_writer::write_results::Builder>();
    results.set_written(n as u32);
    encode(&message)
}

fn encode_read_ready(r: Readiness) -> Vec<u8> {
    let mut message = new_message();
    let mut results = message.init_root::<pipe_reader::ready_results::Builder>();
    results.set_ready(r.ready);
    results.set_hangup(r.hangup);
    encode(&message)
}

fn encode_write_ready(r: Readiness) -> Vec<u8> {
    let mut message = new_message();
    let mut results = message.init_root::<pipe_writer::ready_results::Builder>();
    results.set_ready(r.ready);
    results.set_hangup(r.hangup);
    encode(&message)
}

impl PipeReader {
    fn read(&self, ctx: &mut CallCtx, params: &Params) -> Result<Reply, CallError> {
        let p: pipe_reader::read_params::Reader = params.get_root()?;
        // As much as fits the caller's result buffer: the data is padded
        // to whole words after READ_OVERHEAD bytes of framing.
        let fits = (ctx.result_capacity as usize).saturating_sub(READ_OVERHEAD) & !7;
        let max = (p.get_max() as usize).min(fits);
        if max == 0 {
            if p.get_max() == 0 {
                return Ok(Reply::Done(encode_read(&[], false)));
            }
            return Err(CallError::ResultTooSmall(READ_OVERHEAD + 8));
        }
        let mut events = Vec::new();
        let mut state = self.0.state.lock();
        let reply = match state.read_now(max, &mut events) {
            ReadNow::Data(data) => Reply::Done(encode_read(&data, false)),
            ReadNow::Eof => Reply::Done(encode_read(&[], false)),
            ReadNow::MustWait if !p.get_wait() => Reply::Done(encode_read(&[], true)),
            ReadNow::MustWait => {
                let w = waiting(ctx, 0)?;
                state.queue_read(w, max);
                Reply::Pending(Wait::Taken)
            }
        };
        drop(state);
        deliver(ctx.kernel, events);
        Ok(reply)
    }

    fn ready(&self, ctx: &mut CallCtx, params: &Params) -> Result<Reply, CallError> {
        let _: pipe_reader::ready_params::Reader = params.get_root()?;
        let mut events = Vec::new();
        let mut state = self.0.state.lock();
        let now = state.read_readiness();
        let reply = if now.settled() {
            Reply::Done(encode_read_ready(now))
        } else {
            state.wait_read_ready(ctx.quiet_wait(|ctx| waiting(ctx, 0))?, &mut events);
            Reply::Pending(Wait::Taken)
        };
        drop(state);
        deliver(ctx.kernel, events);
        Ok(reply)
    }
}

impl PipeWriter {
    fn write(&self, ctx: &mut CallCtx, params: &Params) -> Result<Reply, CallError> {
        let p: pipe_writer::write_params::Reader = params.get_root()?;
        let data = p.get_data()?;
        if ctx.result_capacity < 24 {
            // The written count: segment table, root pointer, one word.
            return Err(CallError::ResultTooSmall(24));
        }
        let mut events = Vec::new();
        let mut state = self.0.state.lock();
        let reply = match state.write_now(data, p.get_wait(), &mut events) {
            WriteNow::Written(n) => Ok(Reply::Done(encode_written(n))),
            WriteNow::Broken => Err(CallError::Exception(
                ExceptionType::Disconnected,
                "pipe has no reader".into(),
            )),
            WriteNow::MustWait { taken } => match waiting(ctx, data.len() - taken) {
                Ok(w) => {
                    state.queue_write(w, data, taken, &mut events);
                    Ok(Reply::Pending(Wait::Taken))
                }
                // What went in stays in: say how much, as a short write.
                Err(_) if taken > 0 => Ok(Reply::Done(encode_written(taken))),
                Err(e) => Err(e),
            },
        };
        drop(state);
        deliver(ctx.kernel, events);
        reply
    }

    fn ready(&self, ctx: &mut CallCtx, params: &Params) -> Result<Reply, CallError> {
        let _: pipe_writer::ready_params::Reader = params.get_root()?;
        let mut events = Vec::new();
        let mut state = self.0.state.lock();
        let now = state.write_readiness();
        let reply = if now.settled() {
            Reply::Done(encode_write_ready(now))
        } else {
            state.wait_write_ready(ctx.quiet_wait(|ctx| waiting(ctx, 0))?, &mut events);
            Reply::Pending(Wait::Taken)
        };
        drop(state);
        deliver(ctx.kernel, events);
        Ok(reply)
    }
}

impl CapObject for PipeReader {
    fn interface_id(&self) -> u64 {
        interface_id::PIPE_READER
    }

    fn call(&self, ctx: &mut CallCtx, method: u16, params: &Params) -> Result<Reply, CallError> {
        match method {
            0 => self.read(ctx, params),
            1 => self.ready(ctx, params),
            _ => Err(CallError::InvalidMethod),
        }
    }
}

impl CapObject for PipeWriter {
    fn interface_id(&self) -> u64 {
        interface_id::PIPE_WRITER
    }

    fn call(&self, ctx: &mut CallCtx, method: u16, params: &Params) -> Result<Reply, CallError> {
        match method {
            0 => self.write(ctx, params),
            1 => self.ready(ctx, params),
            _ => Err(CallError::InvalidMethod),
        }
    }
}
