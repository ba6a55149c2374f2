//! The exported functions as C calls them: raw pointers, NULLs and codes,
//! through the process-wide state. This is the only test that installs
//! the global state, so parallel test threads never share it.

use crate::call::capos_call;
use crate::capset::capos_capset_get;
use crate::console::{capos_console_write, capos_console_write_line};
use crate::error::*;
use crate::iface::{
    CAPOS_IFACE_CONSOLE, CAPOS_IFACE_PIPE_FACTORY, CAPOS_IFACE_PIPE_READER,
    CAPOS_IFACE_PIPE_WRITER, CAPOS_IFACE_TIMER,
};
use crate::pipe::{CAPOS_PIPE_NOWAIT, capos_pipe_create, capos_pipe_read, capos_pipe_write};
use crate::process_info::capos_pid;
use crate::release::capos_release;
use crate::state;
use crate::submit::{
    capos_abandon, capos_complete, capos_flush, capos_poll, capos_submit, capos_wait_any,
};
use crate::test_kernel::{Outcome, TestEnv, framed};
use crate::timer::{capos_timer_now, capos_timer_sleep, capos_timer_wall_clock};
use capos_rt::message;
use capos_schema::{
    ExceptionType, cap_exception, console, pipe_factory, pipe_reader, pipe_writer, timer,
};
use core::ffi::CStr;
use core::ptr::{null, null_mut};

const CONSOLE: u32 = 0x1_0001;
const TIMER: u32 = 0x1_0002;
const PIPES: u32 = 0x1_0003;
const READER: u32 = 0x2_0001;
const WRITER: u32 = 0x2_0002;

fn reply<T: capnp::traits::Owned>(fill: impl FnOnce(T::Builder<'_>)) -> Outcome {
    Outcome::Reply(message::as_bytes(&message::build::<T>(fill)).to_vec())
}

/// A console; a timer whose `now` is 77 and whose raw method 9 takes
/// as many entries as its params' first word says; a pipe whose reader has
/// "hi" for a waiting read and nothing for another, and whose writer
/// takes everything but "gone", which finds no reader.
fn kernel(sqe: &capos_abi::ring::Sqe, params: &[u8]) -> Outcome {
    match (sqe.interface_id, sqe.method_id) {
        (CAPOS_IFACE_PIPE_FACTORY, 0) => reply::<pipe_factory::create_results::Owned>(|mut r| {
            let mut reader = r.reborrow().init_reader();
            reader.set_cap_id(READER);
            reader.set_interface_id(CAPOS_IFACE_PIPE_READER);
            let mut writer = r.init_writer();
            writer.set_cap_id(WRITER);
            writer.set_interface_id(CAPOS_IFACE_PIPE_WRITER);
        }),
        (CAPOS_IFACE_PIPE_READER, 0) => {
            let msg = message::read(params).unwrap();
            let wait = msg
                .get_root::<pipe_reader::read_params::Reader>()
                .unwrap()
                .get_wait();
            reply::<pipe_reader::read_results::Owned>(|mut r| {
                r.set_data(if wait { b"hi" } else { b"" });
                r.set_would_block(!wait);
            })
        }
        (CAPOS_IFACE_PIPE_WRITER, 0) => {
            let msg = message::read(params).unwrap();
            let p: pipe_writer::write_params::Reader = msg.get_root().unwrap();
            let data = p.get_data().unwrap();
            if data == b"gone" {
                let words = message::build::<cap_exception::Owned>(|mut e| {
                    e.set_type(ExceptionType::Disconnected);
                    e.set_reason("pipe has no reader");
                });
                return Outcome::Exception(message::as_bytes(&words).to_vec());
            }
            let len = data.len() as u32;
            reply::<pipe_writer::write_results::Owned>(|mut r| r.set_written(len))
        }
        (CAPOS_IFACE_CONSOLE, _) => reply::<console::write_results::Owned>(|_| {}),
        (CAPOS_IFACE_TIMER, 0) => reply::<timer::now_results::Owned>(|mut r| r.set_ns(77)),
        (CAPOS_IFACE_TIMER, 1) => reply::<timer::sleep_results::Owned>(|_| {}),
        (CAPOS_IFACE_TIMER, 2) => {
            reply::<timer::wall_clock_results::Owned>(|mut r| r.set_unix_ns(5))
        }
        (_, 9) => {
            let delay = u64::from_ne_bytes(params[..8].try_into().unwrap());
            Outcome::Later(delay as u32, framed(&[delay]))
        }
        _ => Outcome::Error(CAPOS_E_INVALID_METHOD),
    }
}

fn lookup_and_typed_calls() {
    let (mut cap, mut iface) = (0u32, 0u64);
    // SAFETY: every pointer is NULL or points
    // to a live local of the right type and size; strings are literals.
    unsafe {
        assert_eq!(
            capos_capset_get(c"console".as_ptr(), &mut cap, &mut iface),
            CAPOS_OK
        );
        assert_eq!((cap, iface), (CONSOLE, CAPOS_IFACE_CONSOLE));
        assert_eq!(
            capos_capset_get(c"timer".as_ptr(), null_mut(), null_mut()),
            CAPOS_OK
        );
        assert_eq!(
            capos_capset_get(c"spawner".as_ptr(), &mut cap, null_mut()),
            CAPOS_E_NOT_FOUND
        );
        assert_eq!(
            capos_capset_get(null(), null_mut(), null_mut()),
            CAPOS_E_BAD_ARGUMENT
        );
        assert_eq!(
            capos_console_write_line(CONSOLE, c"hello".as_ptr()),
            CAPOS_OK
        );
        assert_eq!(
            capos_console_write(CONSOLE, c"x".as_ptr().cast(), 1),
            CAPOS_OK
        );
        assert_eq!(
            capos_console_write(CONSOLE, null(), 1),
            CAPOS_E_BAD_ARGUMENT
        );
        assert_eq!(
            capos_console_write_line(TIMER, c"no".as_ptr()),
            CAPOS_E_WRONG_INTERFACE
        );
        let mut ns = 0u64;
        assert_eq!(capos_timer_now(TIMER, &mut ns), CAPOS_OK);
        assert_eq!(ns, 77);
        assert_eq!(capos_timer_wall_clock(TIMER, &mut ns), CAPOS_OK);
        assert_eq!(ns, 5);
        assert_eq!(capos_timer_sleep(TIMER, 1000), CAPOS_OK);
        assert_eq!(capos_timer_now(CONSOLE, &mut ns), CAPOS_E_WRONG_INTERFACE);
    }
}

fn raw_calls_in_flight() {
    let mut out = [0u8; 32];
    let (slow, fast) = (framed(&[4]), framed(&[1]));
    let (mut t_slow, mut t_fast) = (0u64, 0u64);
    // SAFETY: as in `lookup_and_typed_calls`.
    unsafe {
        let len = capos_call(
            TIMER,
            1,
            9,
            fast.as_ptr().cast(),
            8,
            out.as_mut_ptr().cast(),
            32,
        );
        assert_eq!(len, 8);
        let got = capos_call(0x9_9999, 1, 77, null(), 0, out.as_mut_ptr().cast(), 32);
        assert_eq!(got, CAPOS_E_INVALID_METHOD);
        let submit = |params: &[u8], ticket: &mut u64| {
            capos_submit(TIMER, 1, 9, params.as_ptr().cast(), 8, 32, ticket)
        };
        assert_eq!(submit(&slow, &mut t_slow), CAPOS_OK);
        assert_eq!(submit(&fast, &mut t_fast), CAPOS_OK);
        assert_eq!(
            capos_submit(TIMER, 1, 9, null(), 0, 32, null_mut()),
            CAPOS_E_BAD_ARGUMENT
        );
        assert_eq!(capos_flush(), CAPOS_OK);
        let tickets = [t_slow, t_fast];
        assert_eq!(capos_wait_any(tickets.as_ptr(), 2), 1);
        assert_eq!(capos_complete(t_fast, out.as_mut_ptr().cast(), 32), 8);
        assert_eq!(out[..8], 1u64.to_ne_bytes());
        assert_eq!(capos_poll(t_fast), CAPOS_E_BAD_TICKET);
        assert_eq!(capos_wait_any(tickets.as_ptr(), 0), CAPOS_E_BAD_ARGUMENT);
        assert_eq!(capos_abandon(t_slow), CAPOS_OK);
        assert_eq!(capos_abandon(t_slow), CAPOS_E_BAD_TICKET);
    }
}

fn pipes() {
    let (mut reader, mut writer) = (0u32, 0u32);
    let mut buf = [0u8; 8];
    let mut n = 99usize;
    // SAFETY: as in `lookup_and_typed_calls`; `buf` is valid for 8 bytes.
    unsafe {
        assert_eq!(
            capos_capset_get(c"pipes".as_ptr(), null_mut(), null_mut()),
            CAPOS_OK
        );
        assert_eq!(
            capos_pipe_create(PIPES, null_mut(), &mut writer),
            CAPOS_E_BAD_ARGUMENT
        );
        assert_eq!(
            capos_pipe_create(CONSOLE, &mut reader, &mut writer),
            CAPOS_E_WRONG_INTERFACE
        );
        assert_eq!(capos_pipe_create(PIPES, &mut reader, &mut writer), CAPOS_OK);
        assert_eq!((reader, writer), (READER, WRITER));
        let read = |flags, n: &mut usize, buf: &mut [u8; 8]| {
            capos_pipe_read(READER, buf.as_mut_ptr().cast(), 8, flags, n)
        };
        assert_eq!(read(0, &mut n, &mut buf), CAPOS_OK);
        assert_eq!((n, &buf[..2]), (2, &b"hi"[..]));
        assert_eq!(
            read(CAPOS_PIPE_NOWAIT, &mut n, &mut buf),
            CAPOS_E_WOULD_BLOCK
        );
        assert_eq!(n, 0);
        assert_eq!(read(4, &mut n, &mut buf), CAPOS_E_BAD_ARGUMENT);
        assert_eq!(
            capos_pipe_read(READER, null_mut(), 8, 0, null_mut()),
            CAPOS_E_BAD_ARGUMENT
        );
        assert_eq!(
            capos_pipe_read(WRITER, buf.as_mut_ptr().cast(), 8, 0, &mut n),
            CAPOS_E_WRONG_INTERFACE
        );
        assert_eq!(
            capos_pipe_write(WRITER, c"line".as_ptr().cast(), 4, 0, &mut n),
            CAPOS_OK
        );
        assert_eq!(n, 4);
        n = 99;
        assert_eq!(
            capos_pipe_write(WRITER, c"gone".as_ptr().cast(), 4, 0, &mut n),
            CAPOS_E_DISCONNECTED
        );
        assert_eq!(n, 0);
        assert_eq!(
            capos_pipe_write(WRITER, null(), 4, 0, null_mut()),
            CAPOS_E_BAD_ARGUMENT
        );
        assert_eq!(
            capos_pipe_write(0x9_9999, c"x".as_ptr().cast(), 1, 0, null_mut()),
            CAPOS_E_NOT_HELD
        );
    }
    assert_eq!(capos_release(READER), CAPOS_OK);
    assert_eq!(capos_release(WRITER), CAPOS_OK);
}

#[test]
fn c_calls_through_the_installed_state() {
    assert_eq!(capos_pid(), 0);
    assert_eq!(capos_release(TIMER), CAPOS_E_UNAVAILABLE);
    let caps = [
        ("console", CONSOLE, CAPOS_IFACE_CONSOLE),
        ("timer", TIMER, CAPOS_IFACE_TIMER),
        ("pipes", PIPES, CAPOS_IFACE_PIPE_FACTORY),
    ];
    let mut env = TestEnv::new(&caps, kernel);
    state::install(env.state());
    assert_eq!(capos_pid(), 5);
    lookup_and_typed_calls();
    raw_calls_in_flight();
    pipes();
    assert_eq!(capos_release(TIMER), CAPOS_OK);
    assert_eq!(capos_release(TIMER), CAPOS_E_NOT_HELD);
    assert!(state::remove().is_some());
    assert_eq!(capos_flush(), CAPOS_E_UNAVAILABLE);
    // SAFETY: error names are static terminated strings.
    let name = unsafe { CStr::from_ptr(capos_error_name(CAPOS_E_NOT_HELD)) };
    assert_eq!(name, c"CAPOS_E_NOT_HELD");
}
