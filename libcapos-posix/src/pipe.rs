//! Pipes: `pipe`, `pipe2`, and reading and writing their descriptors over
//! the kernel's PipeReader and PipeWriter (docs/interfaces/pipe-reader.md,
//! pipe-writer.md), made by the "pipes" PipeFactory.
//!
//! A descriptor's O_NONBLOCK decides whether a call waits. A blocking
//! write returns once everything is in the pipe; up to PIPE_BUF bytes go
//! in whole (the kernel keeps that promise). Writing with no reader left
//! is EPIPE after SIGPIPE's action, which by default ends the process.

use crate::dispatch::refuse;
use crate::interrupt;
use crate::linux::errno::{EAGAIN, EFAULT, EINTR, EINVAL, EIO, ENFILE, ENOSYS};
use crate::linux::fcntl::{O_CLOEXEC, O_DIRECT, O_NONBLOCK};
use crate::sigcall;
use crate::state::{Object, Open, State};
use alloc::rc::Rc;
use capos_rt::{Error, ExceptionType, MAX_PIPE_CHUNK, PipeReader, PipeWriter, Read};

/// `pipe2(fds, flags)`; `pipe(fds)` is flags 0.
///
/// # Safety
/// `fds` is NULL or points to two writable ints.
pub unsafe fn pipe2(s: &mut State, n: i64, fds: *mut i32, flags: i64) -> Result<i64, i64> {
    if flags & O_DIRECT != 0 {
        return refuse(s, n, EINVAL, "packet-mode pipes (O_DIRECT)");
    }
    if flags & !(O_CLOEXEC | O_NONBLOCK) != 0 {
        return Err(EINVAL);
    }
    if fds.is_null() {
        return Err(EFAULT);
    }
    let Some(factory) = &s.pipes else {
        return refuse(s, n, ENOSYS, "no \"pipes\" capability");
    };
    let (reader, writer) = match factory.create() {
        Ok(halves) => halves,
        // Linux's ENFILE: the memory allowed for pipes is used up.
        Err(Error::Application {
            kind: ExceptionType::Overloaded,
            ..
        }) => return Err(ENFILE),
        Err(_) => return Err(EIO),
    };
    let cloexec = flags & O_CLOEXEC != 0;
    let open = |object| {
        let open = Open::new(object);
        open.status.set(flags & O_NONBLOCK);
        Rc::new(open)
    };
    let read_fd = s.fds.open(open(Object::PipeReader(reader)), cloexec)?;
    let write_fd = match s.fds.open(open(Object::PipeWriter(writer)), cloexec) {
        Ok(fd) => fd,
        Err(e) => {
            // Nothing half-made stays: the read end goes, and the pipe.
            let _ = s.fds.close(read_fd as i64);
            return Err(e);
        }
    };
    // SAFETY: two writable ints per the contract.
    unsafe {
        fds.write_unaligned(read_fd as i32);
        fds.add(1).write_unaligned(write_fd as i32);
    }
    Ok(0)
}

fn nonblocking(open: &Open) -> bool {
    open.status.get() & O_NONBLOCK != 0
}

/// Reads into `buf` (at most one pipe chunk): the count, 0 at end of
/// file, EAGAIN when empty and non-blocking. A blocking read of an empty
/// pipe waits for the pipe's readiness, which a signal can cut short
/// (EINTR, or on for an ignored or blocked one): a readiness wait takes
/// no data, so abandoning it loses none, which a read held by the kernel
/// would.
pub fn read(s: &mut State, open: &Open, reader: &PipeReader, buf: &mut [u8]) -> Result<i64, i64> {
    let key = core::ptr::from_ref(open) as usize;
    let mut ready = match s.parked_ready.take() {
        Some((at, call)) if at == key => Some(call),
        // Another descriptor's: dropped (its CQE, when it comes, too).
        _ => None,
    };
    loop {
        match reader.read(buf, false) {
            Ok(Read::Bytes(n)) => return Ok(n as i64),
            Ok(Read::Eof) => return Ok(0),
            Ok(Read::WouldBlock) if nonblocking(open) => return Err(EAGAIN),
            Ok(Read::WouldBlock) => {}
            Err(_) => return Err(EIO),
        }
        let call = match ready.take() {
            Some(call) => call,
            None => reader.ready_async().map_err(|_| EIO)?,
        };
        match interrupt::wait_ref(s, &call)? {
            // Ready (or the writers are gone): read again.
            0 => drop(call.wait()),
            sig => {
                if sigcall::arrive(s, i64::from(sig)) {
                    s.parked_ready = Some((key, call));
                    return Err(EINTR);
                }
                ready = Some(call);
            }
        }
    }
}

/// Writes `data`: all of it when blocking; what fits when not (EAGAIN if
/// nothing). If the reader goes while a blocking write is partly done,
/// the part that went in is the result, as Linux.
pub fn write(s: &mut State, open: &Open, writer: &PipeWriter, data: &[u8]) -> Result<i64, i64> {
    let wait = !nonblocking(open);
    let mut done = 0;
    for chunk in data.chunks(MAX_PIPE_CHUNK) {
        match writer.write(chunk, wait) {
            Ok(n) => {
                done += n;
                if n < chunk.len() {
                    break;
                }
            }
            Err(Error::Application {
                kind: ExceptionType::Disconnected,
                ..
            }) if done == 0 => return Err(sigcall::broken_pipe(s)),
            Err(_) if done > 0 => break,
            Err(Error::Application {
                kind: ExceptionType::Overloaded,
                ..
            }) => return Err(EAGAIN),
            Err(_) => return Err(EIO),
        }
    }
    if done == 0 && !data.is_empty() {
        return Err(EAGAIN);
    }
    Ok(done as i64)
}
