//! The other process of the pipe benchmarks, chosen by argv[1]:
//!
//! - `echo`: writes back on "out" each byte it reads on "in", until end
//!   of file (the 1-byte ping-pong);
//! - `source`: writes 32 KiB chunks to "out" until the reader is gone
//!   (the stream).

#![no_std]
#![no_main]

extern crate alloc;

use alloc::vec;
use capos_rt::{MAX_PIPE_CHUNK, PipeReader, PipeWriter, Read, Runtime};

capos_rt::entry!(main);

fn main(mut rt: Runtime) -> i64 {
    let mode = rt.args().iter().nth(1).unwrap_or_default().to_vec();
    let Ok(out) = rt.take::<PipeWriter>("out") else {
        return 2;
    };
    match mode.as_slice() {
        b"echo" => {
            let Ok(input) = rt.take::<PipeReader>("in") else {
                return 2;
            };
            let mut byte = [0u8; 1];
            while let Ok(Read::Bytes(1)) = input.read(&mut byte, true) {
                if out.write(&byte, true).is_err() {
                    return 1;
                }
            }
            0
        }
        b"source" => {
            let chunk = vec![0x5au8; MAX_PIPE_CHUNK];
            // Ends with EPIPE once the benchmark drops its reader.
            while out.write(&chunk, true).is_ok() {}
            0
        }
        _ => 2,
    }
}
