//! Params of the pipe methods, with the sizes where a pipe's rules
//! change: reads of 0, 1, a few bytes, PIPE_BUF, the whole buffer or
//! absurd counts; writes of nothing, a few bytes, PIPE_BUF and its
//! neighbours (whole or in pieces), the buffer and beyond, up to the
//! message limit and just past it; each waiting or not. The readiness
//! waits and PipeFactory.create take empty params.

use crate::caps::Kind;
use alloc::vec;
use alloc::vec::Vec;
use capos_abi::pipe::{ATOMIC, CAPACITY, READ_OVERHEAD};
use capos_abi::ring::MAX_MESSAGE_BYTES;
use capos_rt::message::build;
use capos_schema::{pipe_factory, pipe_reader, pipe_writer};
use fuzz_programs::rng::Rng;

/// The most data a write message can carry: `build` puts the root struct
/// in a first segment and the data in a second, behind a 16-byte
/// segment table.
const MAX_WRITE: u64 = MAX_MESSAGE_BYTES as u64 - 40;

/// Most bytes a read asks for.
fn read_max(rng: &mut Rng) -> u32 {
    let atomic = ATOMIC as u64;
    let max = match rng.below(10) {
        0 => 0,
        1 => 1,
        2 | 3 => rng.range(2, 64),
        4 => rng.range(65, 1024),
        5 => rng.range(atomic - 1, atomic + 1),
        6 => CAPACITY as u64,
        7 => rng.range(CAPACITY as u64 + 1, u64::from(MAX_MESSAGE_BYTES)),
        _ => rng.edgy_u64(),
    };
    max as u32
}

/// How many bytes a write carries: mostly few, since a batch's params
/// share 72 KiB of the arena and one large message crowds out the rest.
fn write_len(rng: &mut Rng) -> u64 {
    let (atomic, capacity) = (ATOMIC as u64, CAPACITY as u64);
    match rng.below(12) {
        0 => 0,
        1 | 2 => rng.range(1, 16),
        3..=5 => rng.range(17, 1024),
        6 => rng.range(atomic - 1, atomic + 1),
        7 => rng.range(1025, atomic - 2),
        8 => rng.range(capacity - 8, capacity + 8),
        9 => rng.range(atomic + 2, 2 * capacity),
        // At the message limit, and a few bytes past it.
        10 => rng.range(MAX_WRITE - 16, MAX_WRITE + 16),
        _ => rng.below(MAX_WRITE),
    }
}

/// PipeReader.read params, and whether the result wants a big slot. Not
/// always: a small slot makes the kernel cut the read to what fits.
pub fn read(rng: &mut Rng) -> (Vec<u64>, bool) {
    let max = read_max(rng);
    let wait = rng.chance(1, 2);
    let words = build::<pipe_reader::read_params::Owned>(|mut p| {
        p.set_max(max);
        p.set_wait(wait);
    });
    (words, max > 900 && rng.chance(1, 2))
}

pub fn write(rng: &mut Rng) -> Vec<u64> {
    let mut data = vec![0u8; write_len(rng) as usize];
    rng.fill(&mut data);
    let wait = rng.chance(1, 2);
    build::<pipe_writer::write_params::Owned>(|mut p| {
        p.set_data(&data);
        p.set_wait(wait);
    })
}

/// Params of the methods that take none: create and the readiness waits.
pub fn empty(kind: Kind) -> Vec<u64> {
    match kind {
        Kind::PipeFactory => build::<pipe_factory::create_params::Owned>(|_| {}),
        Kind::PipeReader => build::<pipe_reader::ready_params::Owned>(|_| {}),
        _ => build::<pipe_writer::ready_params::Owned>(|_| {}),
    }
}

/// The smallest result buffer a method accepts, where one exists: a read
/// needs its framing and a word of data, a write its count. Result
/// buffers are often made just around it.
pub fn result_floor(kind: Kind, method: u16) -> Option<u32> {
    match (kind, method) {
        (Kind::PipeReader, 0) => Some(READ_OVERHEAD as u32 + 8),
        (Kind::PipeWriter, 0) => Some(24),
        _ => None,
    }
}
