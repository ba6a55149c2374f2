//! Pipes: `capos_pipe_create` makes one through a PipeFactory,
//! `capos_pipe_read` and `capos_pipe_write` move bytes through its halves
//! (docs/interfaces/pipe-factory.md). Closing a half is `capos_release`.
//!
//! The outcomes a C program branches on each get a value of their own:
//! end of file is success with 0 bytes, an empty or full pipe under
//! `CAPOS_PIPE_NOWAIT` is `CAPOS_E_WOULD_BLOCK`, and a write with no reader
//! left is `CAPOS_E_DISCONNECTED` (through the generic mapping of a
//! `disconnected` exception in the `error` module).

use crate::error::{
    CAPOS_E_BAD_ARGUMENT, CAPOS_E_DECODE, CAPOS_E_WOULD_BLOCK, CAPOS_OK, code, status,
};
use crate::ffi;
use crate::held::Held;
use crate::state::{self, State};
use capos_rt::{MAX_PIPE_CHUNK, Read};
use core::ffi::c_void;

/// `flags` of `capos_pipe_read` and `capos_pipe_write`: fail with
/// `CAPOS_E_WOULD_BLOCK` instead of waiting. Every other bit is reserved
/// and must be 0.
pub const CAPOS_PIPE_NOWAIT: u32 = 1;

/// Writes of up to this many bytes go into a pipe whole, never mixed with
/// another writer's bytes (POSIX `PIPE_BUF`).
pub const CAPOS_PIPE_ATOMIC: usize = 4096;

/// Most bytes one `capos_pipe_read` returns, however large the buffer.
pub const CAPOS_PIPE_MAX_READ: usize = 32 * 1024;

const _: () = {
    assert!(CAPOS_PIPE_ATOMIC == capos_abi::pipe::ATOMIC);
    assert!(CAPOS_PIPE_MAX_READ == MAX_PIPE_CHUNK);
};

/// Whether a call with `flags` may wait.
fn may_wait(flags: u32) -> Result<bool, i32> {
    if flags & !CAPOS_PIPE_NOWAIT != 0 {
        return Err(CAPOS_E_BAD_ARGUMENT);
    }
    Ok(flags & CAPOS_PIPE_NOWAIT == 0)
}

/// A write that failed, and how much of it had gone into the pipe first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failed {
    pub code: i32,
    pub written: usize,
}

impl Failed {
    fn before_any(code: i32) -> Self {
        Failed { code, written: 0 }
    }
}

impl State {
    /// Makes a pipe and holds both halves; returns their ids (reader,
    /// writer).
    pub fn pipe_create(&mut self, factory: u32) -> Result<(u32, u32), i32> {
        let (reader, writer) = self.held.pipes(factory)?.create().map_err(|e| code(&e))?;
        let reader = self.held.insert(Held::PipeReader(reader));
        let writer = self.held.insert(Held::PipeWriter(writer));
        Ok((reader, writer))
    }

    /// Reads into `buf`; 0 bytes into a non-empty buffer is end of file.
    pub fn pipe_read(&self, reader: u32, buf: &mut [u8], wait: bool) -> Result<usize, i32> {
        let reader = self.held.pipe_reader(reader)?;
        match reader.read(buf, wait).map_err(|e| code(&e))? {
            Read::Bytes(n) => Ok(n),
            Read::Eof => Ok(0),
            Read::WouldBlock => Err(CAPOS_E_WOULD_BLOCK),
        }
    }

    /// Writes `data` in pieces of at most `MAX_PIPE_CHUNK` bytes. With
    /// `wait`, goes on until all of it is in or a piece fails, so success
    /// means everything went in. Without, stops at the first piece the
    /// pipe took only in part: a short count, or `CAPOS_E_WOULD_BLOCK` if
    /// nothing went in.
    pub fn pipe_write(&self, writer: u32, data: &[u8], wait: bool) -> Result<usize, Failed> {
        let writer = self.held.pipe_writer(writer).map_err(Failed::before_any)?;
        let mut written = 0;
        while written < data.len() {
            let rest = &data[written..];
            let asked = rest.len().min(MAX_PIPE_CHUNK);
            let took = writer.write(rest, wait).map_err(|e| Failed {
                code: code(&e),
                written,
            })?;
            written += took;
            if took < asked && !wait {
                break;
            }
            // A waiting write that takes nothing fails instead
            // (docs/interfaces/pipe-writer.md); looping on one would spin.
            if took == 0 {
                return Err(Failed {
                    code: CAPOS_E_DECODE,
                    written,
                });
            }
            // A waiting write the kernel cut short (its quota could not
            // hold the rest while waiting) is simply continued: the next
            // piece either makes progress or fails.
        }
        if written == 0 && !data.is_empty() {
            return Err(Failed::before_any(CAPOS_E_WOULD_BLOCK));
        }
        Ok(written)
    }
}

/// Makes a new pipe through the PipeFactory `factory` and stores the ids
/// of its read half (a PipeReader) at `out_reader` and of its write half
/// (a PipeWriter) at `out_writer`; neither may be NULL. libcapos holds
/// both: hand them to children with `capos_spawn`, and close each with
/// `capos_release`. Readers see end of file once every copy of the write
/// half is released (here and in any child), writers
/// `CAPOS_E_DISCONNECTED` once every copy of the read half is.
///
/// Returns 0, `CAPOS_E_BAD_ARGUMENT` (an out pointer is NULL),
/// `CAPOS_E_NOT_HELD`, `CAPOS_E_WRONG_INTERFACE` (not a PipeFactory),
/// `CAPOS_E_APPLICATION` (the capability table or kernel memory quota is
/// full) or a transport code.
///
/// # Safety
/// `out_reader` and `out_writer` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn capos_pipe_create(
    factory: u32,
    out_reader: *mut u32,
    out_writer: *mut u32,
) -> i32 {
    // A NULL here would leave a half held under an id C never learns.
    if out_reader.is_null() || out_writer.is_null() {
        return CAPOS_E_BAD_ARGUMENT;
    }
    status(
        state::with(|s| s.pipe_create(factory)).map(|(reader, writer)| {
            // SAFETY: non-NULL and writable per the contract.
            unsafe {
                ffi::store(out_reader, reader);
                ffi::store(out_writer, writer);
            }
        }),
    )
}

/// Reads up to `len` bytes (at most `CAPOS_PIPE_MAX_READ`) from the
/// PipeReader `reader` into `buf` and stores how many at `out_len` (may be
/// NULL; 0 on failure). Bytes come out in the order they were written.
///
/// With `flags` 0, waits until at least one byte is buffered or no writer
/// is left. With `CAPOS_PIPE_NOWAIT`, fails with `CAPOS_E_WOULD_BLOCK`
/// instead of waiting. End of file (no writer left, everything read) is
/// success with 0 bytes; a `len` of 0 reads nothing and succeeds at once,
/// so test for end of file with `len` above 0.
///
/// Returns 0, `CAPOS_E_WOULD_BLOCK`, `CAPOS_E_BAD_ARGUMENT` (`buf` NULL
/// with `len` above 0, a reserved flag set), `CAPOS_E_NOT_HELD`,
/// `CAPOS_E_WRONG_INTERFACE` (not a PipeReader), `CAPOS_E_APPLICATION`
/// (the kernel memory quota cannot hold a waiting read) or a transport
/// code.
///
/// # Safety
/// `buf` must be valid for `len` writable bytes (NULL if 0); `out_len`
/// NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn capos_pipe_read(
    reader: u32,
    buf: *mut c_void,
    len: usize,
    flags: u32,
    out_len: *mut usize,
) -> i32 {
    let run = || {
        let wait = may_wait(flags)?;
        // SAFETY: valid for `len` writable bytes per the contract.
        let buf = unsafe { ffi::bytes_mut(buf, len) }?;
        state::with(|s| s.pipe_read(reader, buf, wait))
    };
    let (n, rc) = match run() {
        Ok(n) => (n, CAPOS_OK),
        Err(rc) => (0, rc),
    };
    // SAFETY: NULL or writable per the contract.
    unsafe { ffi::store(out_len, n) };
    rc
}

/// Writes the `len` bytes at `data` to the PipeWriter `writer` and stores
/// how many went in at `out_written` (may be NULL), on failure too.
///
/// With `flags` 0, waits for room as long as needed: 0 means all `len`
/// bytes went in. With `CAPOS_PIPE_NOWAIT`, takes what fits now and
/// succeeds with that count, maybe short of `len`; if nothing fits, fails
/// with `CAPOS_E_WOULD_BLOCK`. Either way, a write of up to
/// `CAPOS_PIPE_ATOMIC` bytes goes in whole or not at all.
///
/// Returns 0, `CAPOS_E_DISCONNECTED` (no reader is left, POSIX EPIPE; bytes
/// counted in `out_written` went in before the last reader went),
/// `CAPOS_E_WOULD_BLOCK`, `CAPOS_E_BAD_ARGUMENT` (`data` NULL with `len`
/// above 0, a reserved flag set), `CAPOS_E_NOT_HELD`,
/// `CAPOS_E_WRONG_INTERFACE` (not a PipeWriter), `CAPOS_E_APPLICATION` (the
/// kernel memory quota cannot hold a waiting write) or a transport code.
///
/// # Safety
/// `data` must be valid for `len` bytes (NULL if 0); `out_written` NULL or
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn capos_pipe_write(
    writer: u32,
    data: *const c_void,
    len: usize,
    flags: u32,
    out_written: *mut usize,
) -> i32 {
    let run = || {
        let wait = may_wait(flags).map_err(Failed::before_any)?;
        // SAFETY: valid for `len` bytes per the contract.
        let data = unsafe { ffi::bytes(data, len) }.map_err(Failed::before_any)?;
        state::with(|s| Ok(s.pipe_write(writer, data, wait)))
            .map_err(Failed::before_any)
            .and_then(|written| written)
    };
    let (n, rc) = match run() {
        Ok(n) => (n, CAPOS_OK),
        Err(failed) => (failed.written, failed.code),
    };
    // SAFETY: NULL or writable per the contract.
    unsafe { ffi::store(out_written, n) };
    rc
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{CAPOS_E_DISCONNECTED, CAPOS_E_NOT_HELD, CAPOS_E_WRONG_INTERFACE};
    use crate::iface::{
        CAPOS_IFACE_CONSOLE, CAPOS_IFACE_PIPE_FACTORY, CAPOS_IFACE_PIPE_READER,
        CAPOS_IFACE_PIPE_WRITER,
    };
    use crate::test_kernel::{Outcome, TestEnv};
    use alloc::vec;
    use alloc::vec::Vec;
    use capos_abi::ring::Sqe;
    use capos_rt::message;
    use capos_schema::{ExceptionType, cap_exception, pipe_factory, pipe_reader, pipe_writer};

    const READER: u32 = 0x2_0001;
    const WRITER: u32 = 0x2_0002;

    fn reply<T: capnp::traits::Owned>(fill: impl FnOnce(T::Builder<'_>)) -> Vec<u8> {
        message::as_bytes(&message::build::<T>(fill)).to_vec()
    }

    fn created() -> Outcome {
        Outcome::Reply(reply::<pipe_factory::create_results::Owned>(|mut r| {
            let mut reader = r.reborrow().init_reader();
            reader.set_cap_id(READER);
            reader.set_interface_id(CAPOS_IFACE_PIPE_READER);
            let mut writer = r.init_writer();
            writer.set_cap_id(WRITER);
            writer.set_interface_id(CAPOS_IFACE_PIPE_WRITER);
        }))
    }

    fn read_reply(data: &[u8], would_block: bool) -> Outcome {
        Outcome::Reply(reply::<pipe_reader::read_results::Owned>(|mut r| {
            r.set_data(data);
            r.set_would_block(would_block);
        }))
    }

    fn written(n: u32) -> Outcome {
        Outcome::Reply(reply::<pipe_writer::write_results::Owned>(|mut r| {
            r.set_written(n)
        }))
    }

    fn disconnected() -> Outcome {
        Outcome::Exception(reply::<cap_exception::Owned>(|mut e| {
            e.set_type(ExceptionType::Disconnected);
            e.set_reason("pipe has no reader");
        }))
    }

    /// The environment a test runs in: a factory, a console, and the pipe
    /// the factory makes; `handler` answers calls on the halves.
    fn pipe_env(mut halves: impl FnMut(&Sqe, &[u8]) -> Outcome + 'static) -> (TestEnv, State) {
        let caps = [
            ("pipes", 0x1_0001, CAPOS_IFACE_PIPE_FACTORY),
            ("console", 0x1_0002, CAPOS_IFACE_CONSOLE),
        ];
        let mut env = TestEnv::new(&caps, move |sqe, params| match sqe.interface_id {
            CAPOS_IFACE_PIPE_FACTORY => created(),
            _ => halves(sqe, params),
        });
        let mut s = env.state();
        s.capset_get(b"pipes").unwrap();
        s.capset_get(b"console").unwrap();
        (env, s)
    }

    #[test]
    fn create_holds_both_halves_typed() {
        let (env, mut s) = pipe_env(|_, _| Outcome::Error(-3));
        assert_eq!(s.pipe_create(0x1_0001), Ok((READER, WRITER)));
        assert_eq!(s.pipe_create(0x1_0002), Err(CAPOS_E_WRONG_INTERFACE));
        assert_eq!(s.pipe_create(0x9_0009), Err(CAPOS_E_NOT_HELD));
        let mut buf = [0u8; 4];
        assert_eq!(
            s.pipe_read(WRITER, &mut buf, true),
            Err(CAPOS_E_WRONG_INTERFACE)
        );
        let got = s.pipe_write(READER, b"x", true);
        assert_eq!(got, Err(Failed::before_any(CAPOS_E_WRONG_INTERFACE)));
        assert_eq!(s.release(WRITER), Ok(()));
        assert_eq!(
            s.pipe_write(WRITER, b"x", true).unwrap_err().code,
            CAPOS_E_NOT_HELD
        );
        // Only the one create reached the kernel.
        assert_eq!(env.log.borrow().calls.len(), 1);
    }

    #[test]
    fn reads_report_bytes_end_of_file_and_would_block_apart() {
        let mut answers = vec![
            read_reply(b"hi", false),
            read_reply(b"", true),
            read_reply(b"", false),
        ]
        .into_iter();
        let (env, mut s) = pipe_env(move |sqe, params| {
            assert_eq!(sqe.interface_id, CAPOS_IFACE_PIPE_READER);
            let msg = message::read(params).unwrap();
            let p: pipe_reader::read_params::Reader = msg.get_root().unwrap();
            assert_eq!(p.get_max(), 8);
            answers.next().unwrap()
        });
        s.pipe_create(0x1_0001).unwrap();
        let mut buf = [0u8; 8];
        assert_eq!(s.pipe_read(READER, &mut buf, true), Ok(2));
        assert_eq!(&buf[..2], b"hi");
        assert_eq!(
            s.pipe_read(READER, &mut buf, false),
            Err(CAPOS_E_WOULD_BLOCK)
        );
        assert_eq!(s.pipe_read(READER, &mut buf, true), Ok(0));
        // An empty buffer never reaches the kernel.
        assert_eq!(s.pipe_read(READER, &mut [], true), Ok(0));
        let log = env.log.borrow();
        let waits: Vec<bool> = log.calls[1..]
            .iter()
            .map(|(_, params)| {
                let msg = message::read(params).unwrap();
                let p: pipe_reader::read_params::Reader = msg.get_root().unwrap();
                p.get_wait()
            })
            .collect();
        assert_eq!(waits, [true, false, true]);
    }

    #[test]
    fn waiting_writes_go_on_until_everything_is_in() {
        let (env, mut s) = pipe_env(|sqe, params| {
            assert_eq!(sqe.interface_id, CAPOS_IFACE_PIPE_WRITER);
            let msg = message::read(params).unwrap();
            let p: pipe_writer::write_params::Reader = msg.get_root().unwrap();
            assert!(p.get_wait());
            let len = p.get_data().unwrap().len() as u32;
            // A short first piece, as when the quota cannot hold the rest.
            written(if len == MAX_PIPE_CHUNK as u32 {
                100
            } else {
                len
            })
        });
        s.pipe_create(0x1_0001).unwrap();
        let data = vec![7u8; MAX_PIPE_CHUNK + 10];
        assert_eq!(s.pipe_write(WRITER, &data, true), Ok(data.len()));
        let log = env.log.borrow();
        let sizes: Vec<usize> = log.calls[1..]
            .iter()
            .map(|(_, params)| {
                let msg = message::read(params).unwrap();
                let p: pipe_writer::write_params::Reader = msg.get_root().unwrap();
                p.get_data().unwrap().len()
            })
            .collect();
        assert_eq!(sizes, [MAX_PIPE_CHUNK, MAX_PIPE_CHUNK + 10 - 100]);
        assert_eq!(s.pipe_write(WRITER, b"", true), Ok(0));
    }

    #[test]
    fn writes_without_waiting_stop_short_or_would_block() {
        let mut answers = vec![written(3), written(0), written(0)].into_iter();
        let (_env, mut s) = pipe_env(move |_, _| answers.next().unwrap());
        s.pipe_create(0x1_0001).unwrap();
        assert_eq!(s.pipe_write(WRITER, b"hello", false), Ok(3));
        let blocked = Failed::before_any(CAPOS_E_WOULD_BLOCK);
        assert_eq!(s.pipe_write(WRITER, b"hello", false), Err(blocked));
        // A waiting write that takes nothing breaks the kernel's contract.
        let got = s.pipe_write(WRITER, b"hello", true);
        assert_eq!(got.unwrap_err().code, CAPOS_E_DECODE);
    }

    #[test]
    fn a_write_with_no_reader_is_disconnected_with_its_count() {
        let mut answers = vec![written(MAX_PIPE_CHUNK as u32), disconnected()].into_iter();
        let (_env, mut s) = pipe_env(move |_, _| answers.next().unwrap());
        s.pipe_create(0x1_0001).unwrap();
        let data = vec![1u8; MAX_PIPE_CHUNK * 2];
        let got = s.pipe_write(WRITER, &data, true);
        let expected = Failed {
            code: CAPOS_E_DISCONNECTED,
            written: MAX_PIPE_CHUNK,
        };
        assert_eq!(got, Err(expected));
    }

    #[test]
    fn reserved_flags_are_refused() {
        assert_eq!(may_wait(0), Ok(true));
        assert_eq!(may_wait(CAPOS_PIPE_NOWAIT), Ok(false));
        assert_eq!(may_wait(2), Err(CAPOS_E_BAD_ARGUMENT));
    }
}
