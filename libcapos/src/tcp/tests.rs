use super::*;
use crate::error::{CAPOS_E_APPLICATION, CAPOS_E_WRONG_INTERFACE};
use crate::iface::{CAPOS_IFACE_CONSOLE, CAPOS_IFACE_NETWORK_MANAGER, CAPOS_IFACE_TCP_CONNECTION};
use crate::test_kernel::{Outcome, TestEnv};
use alloc::vec;
use alloc::vec::Vec;
use capos_rt::message;
use capos_schema::{
    ExceptionType, TcpFailure as Wire, cap_exception, network_manager, tcp_connection,
};

const MANAGER: u32 = 0x1_0001;
const CONSOLE: u32 = 0x1_0002;
const CONN: u32 = 0x2_0001;
const PEER: UdpEndpoint = UdpEndpoint {
    addr: 0x0a00_0202,
    port: 5600,
};

fn reply<T: capnp::traits::Owned>(fill: impl FnOnce(T::Builder<'_>)) -> Vec<u8> {
    message::as_bytes(&message::build::<T>(fill)).to_vec()
}

fn ready(established: bool, failure: Wire) -> Outcome {
    Outcome::Reply(reply::<tcp_connection::ready_results::Owned>(|mut r| {
        r.set_writable(established);
        r.set_established(established);
        r.set_failure(failure);
    }))
}

fn received(data: &[u8], would_block: bool, timed_out: bool, failure: Wire) -> Outcome {
    Outcome::Reply(reply::<tcp_connection::receive_results::Owned>(|mut r| {
        r.set_data(data);
        r.set_would_block(would_block);
        r.set_timed_out(timed_out);
        r.set_failure(failure);
    }))
}

fn sent(n: u32, timed_out: bool) -> Outcome {
    Outcome::Reply(reply::<tcp_connection::send_results::Owned>(|mut r| {
        r.set_written(n);
        r.set_timed_out(timed_out);
    }))
}

/// A manager that makes connections, a console, and `conn_calls`
/// answering (method, params) on the connection.
fn env(mut conn_calls: impl FnMut(u16, &[u8]) -> Outcome + 'static) -> (TestEnv, State) {
    let caps = [
        ("net", MANAGER, CAPOS_IFACE_NETWORK_MANAGER),
        ("console", CONSOLE, CAPOS_IFACE_CONSOLE),
    ];
    let mut env = TestEnv::new(&caps, move |sqe, params| match sqe.interface_id {
        CAPOS_IFACE_NETWORK_MANAGER => {
            let msg = message::read(params).unwrap();
            let p: network_manager::tcp_connect_params::Reader = msg.get_root().unwrap();
            if p.get_to().unwrap().get_port() == 1 {
                return Outcome::Exception(reply::<cap_exception::Owned>(|mut e| {
                    e.set_type(ExceptionType::Failed);
                    e.set_reason("outside this manager's set");
                }));
            }
            Outcome::Reply(reply::<network_manager::tcp_connect_results::Owned>(|r| {
                let mut cap = r.init_connection();
                cap.set_cap_id(CONN);
                cap.set_interface_id(CAPOS_IFACE_TCP_CONNECTION);
            }))
        }
        _ => conn_calls(sqe.method_id, params),
    });
    let mut s = env.state();
    s.capset_get(b"net").unwrap();
    s.capset_get(b"console").unwrap();
    (env, s)
}

#[test]
fn connect_waits_until_established_and_names_a_refusal() {
    let mut answers = vec![ready(true, Wire::None), ready(false, Wire::Refused)].into_iter();
    let (env, mut s) = env(move |method, _| {
        assert_eq!(method, 2, "only ready reaches the connection");
        answers.next().unwrap()
    });
    assert_eq!(s.tcp_connect(MANAGER, PEER, true), Ok(CONN));
    assert_eq!(
        s.tcp_connect(MANAGER, PEER, true),
        Err(CAPOS_E_CONNECTION_REFUSED)
    );
    let far = UdpEndpoint { addr: 1, port: 1 };
    assert_eq!(s.tcp_connect(MANAGER, far, true), Err(CAPOS_E_APPLICATION));
    assert_eq!(
        s.tcp_connect(CONSOLE, PEER, true),
        Err(CAPOS_E_WRONG_INTERFACE)
    );
    // Three connects reached the manager; the console's did not.
    let log = env.log.borrow();
    let to_manager = log
        .calls
        .iter()
        .filter(|(sqe, _)| sqe.interface_id == CAPOS_IFACE_NETWORK_MANAGER)
        .count();
    assert_eq!(to_manager, 3);
}

#[test]
fn receives_tell_data_end_reset_and_waits_apart() {
    let mut answers = vec![
        ready(true, Wire::None),
        received(b"hello", false, false, Wire::None),
        received(b"", false, false, Wire::None),
        received(b"", false, false, Wire::Reset),
        received(b"", true, false, Wire::None),
        received(b"", false, true, Wire::None),
    ]
    .into_iter();
    let (env, mut s) = env(move |_, _| answers.next().unwrap());
    s.tcp_connect(MANAGER, PEER, true).unwrap();
    let mut buf = [0u8; 16];
    assert_eq!(
        s.tcp_recv(CONN, &mut buf, StreamWait::Forever, false),
        Ok(5)
    );
    assert_eq!(&buf[..5], b"hello");
    assert_eq!(
        s.tcp_recv(CONN, &mut buf, StreamWait::Forever, false),
        Ok(0)
    );
    assert_eq!(
        s.tcp_recv(CONN, &mut buf, StreamWait::Forever, false),
        Err(CAPOS_E_CONNECTION_RESET)
    );
    assert_eq!(
        s.tcp_recv(CONN, &mut buf, StreamWait::Never, true),
        Err(CAPOS_E_WOULD_BLOCK)
    );
    assert_eq!(
        s.tcp_recv(CONN, &mut buf, StreamWait::For(7), false),
        Err(CAPOS_E_TIMED_OUT)
    );
    // The waits and the peek reached the kernel as asked.
    let log = env.log.borrow();
    let modes: Vec<(bool, u64, bool)> = log
        .calls
        .iter()
        .filter(|(sqe, _)| sqe.method_id == 1)
        .map(|(_, params)| {
            let msg = message::read(params).unwrap();
            let p: tcp_connection::receive_params::Reader = msg.get_root().unwrap();
            (p.get_wait(), p.get_timeout_ns(), p.get_peek())
        })
        .collect();
    assert_eq!(
        modes,
        [
            (true, 0, false),
            (true, 0, false),
            (true, 0, false),
            (false, 0, true),
            (true, 7, false)
        ]
    );
}

#[test]
fn sends_report_what_went_and_a_timeout() {
    let mut answers = vec![
        ready(true, Wire::None),
        sent(5, false),
        sent(0, false),
        sent(0, true),
    ]
    .into_iter();
    let (env, mut s) = env(move |_, _| answers.next().unwrap());
    s.tcp_connect(MANAGER, PEER, true).unwrap();
    assert_eq!(s.tcp_send(CONN, b"hello", StreamWait::Forever), Ok(5));
    assert_eq!(
        s.tcp_send(CONN, b"more", StreamWait::Never),
        Err(CAPOS_E_WOULD_BLOCK)
    );
    assert_eq!(
        s.tcp_send(CONN, b"more", StreamWait::For(1_000)),
        Err(CAPOS_E_TIMED_OUT)
    );
    let log = env.log.borrow();
    let timeouts: Vec<(bool, u64)> = log
        .calls
        .iter()
        .filter(|(sqe, _)| sqe.method_id == 0 && sqe.interface_id == CAPOS_IFACE_TCP_CONNECTION)
        .map(|(_, params)| {
            let msg = message::read(params).unwrap();
            let p: tcp_connection::send_params::Reader = msg.get_root().unwrap();
            (p.get_wait(), p.get_timeout_ns())
        })
        .collect();
    assert_eq!(timeouts, [(true, 0), (false, 0), (true, 1_000)]);
}

#[test]
fn flags_and_shutdown_directions_are_checked_before_the_kernel() {
    assert_eq!(wait_of(0, CAPOS_TCP_NOWAIT, 0), Ok(StreamWait::Forever));
    assert_eq!(wait_of(0, CAPOS_TCP_NOWAIT, 9), Ok(StreamWait::For(9)));
    assert_eq!(
        wait_of(CAPOS_TCP_NOWAIT, CAPOS_TCP_NOWAIT, 9),
        Ok(StreamWait::Never)
    );
    assert_eq!(
        wait_of(CAPOS_TCP_PEEK, CAPOS_TCP_NOWAIT, 0),
        Err(CAPOS_E_BAD_ARGUMENT)
    );
    let (env, mut s) = env(|_, _| ready(true, Wire::None));
    s.tcp_connect(MANAGER, PEER, true).unwrap();
    let before = env.log.borrow().calls.len();
    assert_eq!(s.tcp_shutdown(CONN, 0), Err(CAPOS_E_BAD_ARGUMENT));
    assert_eq!(s.tcp_shutdown(CONN, 4), Err(CAPOS_E_BAD_ARGUMENT));
    assert_eq!(s.tcp_ready(CONN, 4), Err(CAPOS_E_BAD_ARGUMENT));
    assert_eq!(env.log.borrow().calls.len(), before);
}
