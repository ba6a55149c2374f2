//! The pipes set-up makes, and what the round does with them first and
//! last.
//!
//! First, before any fuzzed request: a read of the control pipe that
//! waits all round, two waiting reads of the pipe whose only writer a
//! set-up child holds (the first takes what it writes, the second ends
//! when it exits or dies), and a write larger than the buffer to the pipe
//! whose only reader the other child holds (it waits for room and fails
//! with `disconnected` once that child is gone).
//!
//! Last, after the goals are met: half the rounds release every
//! PipeWriter the worker holds, so its waiting reads end; every round
//! releases the control pipe's writer, whose waiting read must then end
//! in end of file within a bounded wait. That read is the round's one
//! check of a pipe's answer: nothing fuzzed names the control pipe (its
//! ids are protected), so it must wait until its writer goes, and then
//! end. Its result goes to the heap, where no fuzzed result lands, so the
//! answer is read there rather than from a CQE a fuzzed result could
//! overwrite.

use crate::caps::Kind;
use crate::fuzzer::{Fuzzer, Meta};
use alloc::boxed::Box;
use alloc::vec;
use alloc::vec::Vec;
use capos_abi::pipe::{CAPACITY, READ_OVERHEAD};
use capos_abi::ring::{Sqe, op};
use capos_rt::message::{as_bytes, build};
use capos_schema::{interface_id as iid, pipe_reader, pipe_writer};

/// Bytes the control read may return (it must return none).
const CONTROL_MAX: u32 = 64;
/// Words of its result buffer: the framing and the data, with room over.
const CONTROL_WORDS: usize = 16;
/// How long the end of the round waits for the control read, in waits of
/// 1 ms: it ends in the cap_enter that releases the writer, so this is
/// only a bound.
const CONTROL_TRIES: u32 = 1000;
const MS: u64 = 1_000_000;

/// What the round holds of set-up's pipes.
pub struct RoundPipes {
    /// The control pipe's halves: protected, never fuzzed.
    pub control_reader: u32,
    pub control_writer: u32,
    /// The read half of a pipe whose only writer a set-up child holds.
    pub from_child: u32,
    /// The write half of a pipe whose only reader the other child holds.
    pub to_child: u32,
    /// The control read's result; all ones (which never decode) until the
    /// kernel writes it.
    control_result: Box<[u64]>,
}

impl RoundPipes {
    pub fn new(control: (u32, u32), from_child: u32, to_child: u32) -> Self {
        RoundPipes {
            control_reader: control.0,
            control_writer: control.1,
            from_child,
            to_child,
            control_result: vec![u64::MAX; CONTROL_WORDS].into_boxed_slice(),
        }
    }

    /// How the control read ended: `Some(true)` in end of file, `Some(false)`
    /// any other way, `None` not yet.
    fn control_outcome(&self) -> Option<bool> {
        let words: Vec<u64> = self
            .control_result
            .iter()
            // SAFETY: a live, aligned word of our own buffer; volatile,
            // because the kernel writes it (inside cap_enter) behind the
            // compiler's back.
            .map(|w| unsafe { core::ptr::read_volatile(w) })
            .collect();
        let message = capos_rt::message::read(as_bytes(&words)).ok()?;
        let results = message.get_root::<pipe_reader::read_results::Reader>();
        Some(
            results.is_ok_and(|r| r.get_data().is_ok_and(|d| d.is_empty()) && !r.get_would_block()),
        )
    }
}

impl Fuzzer {
    /// The waiting requests of the round's start (see the module).
    pub fn start_pipes(&mut self) {
        self.arena.reset_batch();
        let read = |max: u32| {
            build::<pipe_reader::read_params::Owned>(|mut p| {
                p.set_max(max);
                p.set_wait(true);
            })
        };
        let control = read(CONTROL_MAX);
        if let Some((params_addr, params_len)) = self.arena.place_params(as_bytes(&control)) {
            let result = &mut self.pipes.control_result;
            let mut sqe = Sqe {
                opcode: op::CALL,
                cap_id: self.pipes.control_reader,
                interface_id: iid::PIPE_READER,
                params_addr,
                params_len,
                result_addr: result.as_mut_ptr() as u64,
                result_len: (result.len() * 8) as u32,
                ..Sqe::nop(0)
            };
            let mut meta = Meta::new(op::CALL);
            meta.cap_id = sqe.cap_id;
            self.submit(&mut sqe, meta);
        }
        let from_child = self.pipes.from_child;
        for _ in 0..2 {
            self.pipe_call(from_child, Kind::PipeReader, &read(4096));
        }
        let mut data = vec![0u8; 2 * CAPACITY];
        self.rng.fill(&mut data);
        let write = build::<pipe_writer::write_params::Owned>(|mut p| {
            p.set_data(&data);
            p.set_wait(true);
        });
        self.pipe_call(self.pipes.to_child, Kind::PipeWriter, &write);
        self.ring.enter(0, 0);
        self.drain();
    }

    /// Method 0 of the pipe half `id`, with a small result slot.
    fn pipe_call(&mut self, id: u32, kind: Kind, params: &[u64]) {
        let Some((params_addr, params_len)) = self.arena.place_params(as_bytes(params)) else {
            return;
        };
        let Some(slot) = self.arena.take_slot(false) else {
            return;
        };
        let interface = match kind {
            Kind::PipeReader => iid::PIPE_READER,
            _ => iid::PIPE_WRITER,
        };
        let mut sqe = Sqe {
            opcode: op::CALL,
            cap_id: id,
            interface_id: interface,
            params_addr,
            params_len,
            result_addr: slot.addr,
            result_len: slot.len.min(READ_OVERHEAD as u32 + 4096),
            ..Sqe::nop(0)
        };
        let mut meta = Meta::new(op::CALL);
        meta.cap_id = id;
        meta.kind = Some(kind);
        meta.slot = Some(slot);
        meta.counter = kind.counter(op::CALL, 0);
        self.submit(&mut sqe, meta);
    }

    /// The end of the round (see the module): true if the control read
    /// waited until its writer went, and then ended in end of file.
    pub fn end_pipes(&mut self) -> bool {
        self.drain();
        if self.pipes.control_outcome().is_some() {
            return false; // it ended while its writer was still held
        }
        let mut writers = if self.rng.chance(1, 2) {
            self.caps.all_of(Kind::PipeWriter)
        } else {
            Vec::new()
        };
        writers.push(self.pipes.control_writer);
        let mut tries = 0;
        for id in writers {
            let mut sqe = Sqe {
                opcode: op::RELEASE,
                cap_id: id,
                ..Sqe::nop(0)
            };
            let mut meta = Meta::new(op::RELEASE);
            meta.cap_id = id;
            meta.kind = self.caps.find(id).map(|t| t.kind);
            // A full SQ empties as the kernel takes entries.
            while !self.submit(&mut sqe, meta) && tries < CONTROL_TRIES {
                self.ring.enter(0, MS);
                self.drain();
                tries += 1;
            }
        }
        for _ in 0..CONTROL_TRIES {
            self.ring.enter(1, MS);
            self.drain();
            if let Some(eof) = self.pipes.control_outcome() {
                return eof;
            }
        }
        false
    }
}
