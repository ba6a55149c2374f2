//! The other end of spawn-pipe's tests, chosen by argv[1]:
//!
//! - `stream N`: writes N bytes of the test pattern to "out", then exits;
//! - `records C K`: writes K records of PIPE_BUF bytes of byte C to "out";
//! - `write-then-fault N`: writes N pattern bytes to "out", then faults;
//! - `read-then-fault`: reads one byte from "in", then faults;
//! - `exit`: exits at once (dropping whatever it was given).

#![no_std]
#![no_main]

extern crate alloc;

use alloc::vec;
use capos_rt::{PipeReader, PipeWriter, Runtime};
use spawn_programs::pipe::{RECORD, pattern};

capos_rt::entry!(main);

fn arg(rt: &Runtime, i: usize) -> Option<usize> {
    let a = rt.args().iter().nth(i)?;
    core::str::from_utf8(a).ok()?.parse().ok()
}

fn fault() -> ! {
    // SAFETY: deliberately invalid: the page at 0 is never mapped.
    unsafe { core::ptr::write_volatile(0x18 as *mut u64, 1) };
    unreachable!("the write above faults")
}

fn stream(out: &PipeWriter, n: usize) -> Result<(), capos_rt::Error> {
    let mut chunk = vec![0u8; 32 * 1024];
    let mut sent = 0;
    while sent < n {
        let len = chunk.len().min(n - sent);
        for (i, b) in chunk[..len].iter_mut().enumerate() {
            *b = pattern(sent + i);
        }
        let mut done = 0;
        while done < len {
            done += out.write(&chunk[done..len], true)?;
        }
        sent += len;
    }
    Ok(())
}

fn main(mut rt: Runtime) -> i64 {
    let mode = rt.args().iter().nth(1).unwrap_or_default().to_vec();
    let out = rt.take::<PipeWriter>("out").ok();
    let input = rt.take::<PipeReader>("in").ok();
    let result = match (mode.as_slice(), out, input) {
        (b"stream", Some(out), _) => stream(&out, arg(&rt, 2).unwrap_or(0)),
        (b"records", Some(out), _) => {
            let byte = arg(&rt, 2).unwrap_or(0) as u8;
            let record = [byte; RECORD];
            (0..arg(&rt, 3).unwrap_or(0)).try_for_each(|_| out.write(&record, true).map(drop))
        }
        (b"write-then-fault", Some(out), _) => {
            let _ = stream(&out, arg(&rt, 2).unwrap_or(0));
            fault()
        }
        (b"read-then-fault", _, Some(input)) => {
            let _ = input.read(&mut [0u8; 1], true);
            fault()
        }
        (b"exit", _, _) => Ok(()),
        _ => return 2,
    };
    if result.is_ok() { 0 } else { 1 }
}
