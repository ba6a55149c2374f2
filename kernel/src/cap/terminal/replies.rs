//! The results a Terminal's calls complete with.

use alloc::vec::Vec;

use capnp::message::{Builder, HeapAllocator};
use capos_abi::terminal::READ_OVERHEAD;
use capos_lib::terminal::ReadNow;
use capos_schema::ExceptionType;
use capos_schema::capos_capnp::terminal as schema;

use crate::cap::{encode, encode_exception, new_message};
use crate::ring::Completion;

pub(super) fn gone() -> Completion {
    Completion::exception(encode_exception(
        ExceptionType::Disconnected,
        "the terminal is gone",
    ))
}

pub(super) fn read_now_reply(got: ReadNow) -> Completion {
    match got {
        ReadNow::Data(data) => read_reply(&data, false, 0),
        ReadNow::Eof | ReadNow::MustWait => read_reply(&[], false, 0),
    }
}

pub(super) fn read_reply(data: &[u8], would_block: bool, signal: u8) -> Completion {
    Completion::reply(encode_read(data, would_block, signal))
}

pub(super) fn ready_reply(ready: bool, signal: u8) -> Completion {
    Completion::reply(encode_ready(ready, signal))
}

pub(super) fn encode_read(data: &[u8], would_block: bool, signal: u8) -> Vec<u8> {
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

pub(super) fn encode_ready(ready: bool, signal: u8) -> Vec<u8> {
    let mut message = new_message();
    let mut results = message.init_root::<schema::ready_results::Builder>();
    results.set_ready(ready);
    results.set_signal(signal);
    encode(&message)
}

pub(super) fn encode_signal(signal: u8) -> Vec<u8> {
    let mut message = new_message();
    let mut results = message.init_root::<schema::signal_results::Builder>();
    results.set_signal(signal);
    encode(&message)
}
