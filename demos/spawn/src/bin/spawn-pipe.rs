//! Pipes between processes (kernel/src/cap/pipe.rs): a stream larger
//! than the pipe through a child, end of file when the writer exits or
//! dies, EPIPE once the reader has exited or died, whole PIPE_BUF records
//! from two writers, and a waiting read that does not hold up the rest of
//! the ring.

#![no_std]
#![no_main]

extern crate alloc;

use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use capos_rt::{
    Client, Console, Error, ExceptionType, ExitStatus, Grant, Limits, PipeFactory, PipeReader,
    PipeWriter, ProcessHandle, ProcessSpawner, Read, Readiness, Runtime, Timer, println,
};
use spawn_programs::pipe::{FNV_START, RECORD, fnv, pattern};

capos_rt::entry!(main);

const PEER: &str = "spawn-pipe-peer";
/// A peer needs little; two run at once inside this process's quotas.
const PEER_LIMITS: Limits = Limits {
    kernel_bytes: 128 * 1024,
    memory_bytes: 4 * 1024 * 1024,
};
/// Larger than the pipe (16 KiB) many times over.
const STREAM_BYTES: usize = 1024 * 1024 + 123;

fn main(mut rt: Runtime) -> i64 {
    let Ok(console) = rt.take::<Console>("console") else {
        return 2;
    };
    match run(&mut rt, &console) {
        Ok(()) => {
            println!(console, "pipe: done");
            0
        }
        Err(why) => {
            println!(console, "pipe: FAIL {why}");
            1
        }
    }
}

struct Ctx<'a> {
    console: &'a Console,
    pipes: PipeFactory,
    spawner: ProcessSpawner,
    timer: Timer,
}

fn err(what: &str) -> impl Fn(Error) -> String + '_ {
    move |e| format!("{what}: {e}")
}

impl Ctx<'_> {
    fn pipe(&self) -> Result<(PipeReader, PipeWriter), String> {
        self.pipes.create().map_err(err("create"))
    }

    /// Starts the peer in `mode`, handing it `cap` as `name`.
    fn peer(&self, args: &[&str], name: &str, cap: &impl Client) -> Result<ProcessHandle, String> {
        let mut argv = vec![PEER];
        argv.extend_from_slice(args);
        self.spawner
            .spawn_limited(
                args[0],
                PEER,
                &[Grant::new(name, cap)],
                &argv,
                &[],
                PEER_LIMITS,
            )
            .map_err(err("spawn"))
    }

    /// Reads until end of file: the byte count and checksum.
    fn drain(&self, reader: &PipeReader) -> Result<(usize, u64), String> {
        let mut buf = vec![0u8; 8192];
        let (mut total, mut hash) = (0, FNV_START);
        loop {
            match reader.read(&mut buf, true).map_err(err("read"))? {
                Read::Bytes(n) => {
                    hash = fnv(hash, &buf[..n]);
                    total += n;
                }
                Read::Eof => return Ok((total, hash)),
                Read::WouldBlock => return Err("a waiting read said WouldBlock".into()),
            }
        }
    }
}

fn expected_hash(n: usize) -> u64 {
    (0..n).fold(FNV_START, |hash, i| fnv(hash, &[pattern(i)]))
}

fn run(rt: &mut Runtime, console: &Console) -> Result<(), String> {
    let cx = Ctx {
        console,
        pipes: rt.take("pipes").map_err(|e| format!("pipes: {e}"))?,
        spawner: rt.take("spawner").map_err(|e| format!("spawner: {e}"))?,
        timer: rt.take("timer").map_err(|e| format!("timer: {e}"))?,
    };
    in_process(&cx)?;
    stream(&cx)?;
    writer_dies(&cx)?;
    reader_gone(&cx)?;
    atomic_records(&cx)?;
    Ok(())
}

/// One process, both halves: what goes in comes out; an empty pipe says
/// WouldBlock to a read that may not wait; a waiting readiness call does
/// not hold up a Timer call behind it; a newer readiness wait answers the
/// older one.
fn in_process(cx: &Ctx) -> Result<(), String> {
    let (reader, writer) = cx.pipe()?;
    let mut buf = [0u8; 64];
    if reader.read(&mut buf, false).map_err(err("read"))? != Read::WouldBlock {
        return Err("an empty pipe did not say WouldBlock".into());
    }
    let first = reader.ready_async().map_err(err("ready"))?;
    // The readiness wait is in the kernel; this call still completes.
    cx.timer.now().map_err(err("timer"))?;
    if first.is_complete() {
        return Err("readiness completed on an empty pipe".into());
    }
    let second = reader.ready_async().map_err(err("ready"))?;
    let superseded =
        Readiness::from_reply(&first.wait().map_err(err("ready"))?).map_err(err("ready"))?;
    writer
        .write(b"through the pipe", true)
        .map_err(err("write"))?;
    let ready =
        Readiness::from_reply(&second.wait().map_err(err("ready"))?).map_err(err("ready"))?;
    let n = match reader.read(&mut buf, true).map_err(err("read"))? {
        Read::Bytes(n) => n,
        other => return Err(format!("read got {other:?}")),
    };
    if &buf[..n] != b"through the pipe" || superseded.ready || !ready.ready || ready.hangup {
        return Err(format!(
            "got {:?}, superseded {superseded:?}, ready {ready:?}",
            core::str::from_utf8(&buf[..n])
        ));
    }
    println!(
        cx.console,
        "pipe: {n} bytes through one pipe; empty read would block; readiness waits without holding up the ring"
    );
    Ok(())
}

/// A child writes more than a megabyte; EOF after it exits.
fn stream(cx: &Ctx) -> Result<(), String> {
    let (reader, writer) = cx.pipe()?;
    let count = format!("{STREAM_BYTES}");
    let child = cx.peer(&["stream", &count], "out", &writer)?;
    // The child's copy must be the last writer, or EOF never comes.
    drop(writer);
    let (total, hash) = cx.drain(&reader)?;
    let status = child.wait().map_err(err("wait"))?;
    if total != STREAM_BYTES || hash != expected_hash(STREAM_BYTES) {
        return Err(format!("stream: {total} bytes, checksum {hash:#x}"));
    }
    println!(
        cx.console,
        "pipe: {total} bytes streamed from a child, checksum ok, EOF after it {status}"
    );
    Ok(())
}

/// A writer that dies mid-stream: what it wrote arrives, then EOF.
fn writer_dies(cx: &Ctx) -> Result<(), String> {
    let (reader, writer) = cx.pipe()?;
    let child = cx.peer(&["write-then-fault", "5000"], "out", &writer)?;
    drop(writer);
    let (total, hash) = cx.drain(&reader)?;
    let status = child.wait().map_err(err("wait"))?;
    if total != 5000 || hash != expected_hash(5000) || !matches!(status, ExitStatus::Faulted(_)) {
        return Err(format!("writer died: {total} bytes, {status}"));
    }
    println!(
        cx.console,
        "pipe: EOF after the writer was killed ({total} bytes arrived)"
    );
    Ok(())
}

fn is_epipe(e: &Error) -> bool {
    matches!(
        e,
        Error::Application {
            kind: ExceptionType::Disconnected,
            ..
        }
    )
}

/// EPIPE once the last reader has exited, and for a write waiting on a
/// full pipe when its reader dies.
fn reader_gone(cx: &Ctx) -> Result<(), String> {
    let (reader, writer) = cx.pipe()?;
    let child = cx.peer(&["exit"], "in", &reader)?;
    drop(reader);
    child.wait().map_err(err("wait"))?;
    match writer.write(b"anyone?", true) {
        Err(e) if is_epipe(&e) => {}
        other => return Err(format!("write with no reader: {other:?}")),
    }

    let (reader, writer) = cx.pipe()?;
    let fill = vec![7u8; capos_abi::pipe::CAPACITY];
    writer.write(&fill, true).map_err(err("fill"))?;
    let child = cx.peer(&["read-then-fault"], "in", &reader)?;
    drop(reader);
    // Waits for room: the child takes one byte, then dies.
    let blocked = writer.write(&[1u8; 2 * RECORD], true);
    let status = child.wait().map_err(err("wait"))?;
    match blocked {
        Err(e) if is_epipe(&e) => {}
        other => return Err(format!("write blocked on a dying reader: {other:?}")),
    }
    println!(
        cx.console,
        "pipe: EPIPE after the reader exited, and for a waiting write when the reader {status}"
    );
    Ok(())
}

/// Two children write PIPE_BUF-byte records at once; every record
/// arrives whole.
fn atomic_records(cx: &Ctx) -> Result<(), String> {
    const PER_CHILD: usize = 40;
    let (reader, writer) = cx.pipe()?;
    let count = format!("{PER_CHILD}");
    let a = cx.peer(&["records", "65", &count], "out", &writer)?;
    let b = cx.peer(&["records", "66", &count], "out", &writer)?;
    drop(writer);
    let mut stream = Vec::new();
    let mut buf = vec![0u8; 3000];
    while let Read::Bytes(n) = reader.read(&mut buf, true).map_err(err("read"))? {
        stream.extend_from_slice(&buf[..n]);
    }
    a.wait().map_err(err("wait"))?;
    b.wait().map_err(err("wait"))?;
    let whole = stream
        .chunks(RECORD)
        .all(|r| r.len() == RECORD && r.iter().all(|&c| c == r[0]));
    let count_of = |c| stream.chunks(RECORD).filter(|r| r[0] == c).count();
    if !whole || count_of(b'A') != PER_CHILD || count_of(b'B') != PER_CHILD {
        return Err(format!("records: {} bytes, whole {whole}", stream.len()));
    }
    println!(
        cx.console,
        "pipe: {} records of {RECORD} bytes from two writers, none interleaved",
        2 * PER_CHILD
    );
    Ok(())
}
