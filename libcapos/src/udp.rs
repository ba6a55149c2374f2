//! UDP: `capos_udp_socket_create` binds a socket through a NetworkManager,
//! `capos_udp_send_to` and `capos_udp_recv_from` move datagrams,
//! `capos_net_narrow` makes a manager that reaches only a set of
//! destinations (docs/interfaces/network-manager.md, udp-socket.md).
//! Closing a socket is `capos_udp_close` (for every holder) or
//! `capos_release` (this program's hold).
//!
//! Each outcome a C program branches on has a value of its own: nothing
//! queued under `CAPOS_UDP_NOWAIT` is `CAPOS_E_WOULD_BLOCK`, a receive
//! whose timeout passed is `CAPOS_E_TIMED_OUT`, a closed socket
//! `CAPOS_E_DISCONNECTED`; a refused destination, a taken port or an
//! oversized datagram is `CAPOS_E_APPLICATION`.

use alloc::vec::Vec;
use core::ffi::c_void;

use crate::error::{
    CAPOS_E_BAD_ARGUMENT, CAPOS_E_TIMED_OUT, CAPOS_E_WOULD_BLOCK, CAPOS_OK, code, status,
};
use crate::ffi;
use crate::held::Held;
use crate::state::{self, State};
use capos_rt::{Recv, RecvWait, UdpEndpoint};

/// An IPv4 address and a port (UDP's, or TCP's for the capos_tcp_*
/// calls). `addr` holds the four octets in network order read as one
/// big-endian number: 10.0.2.2 is 0x0a000202.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct capos_udp_endpoint {
    pub addr: u32,
    pub port: u16,
}

/// `flags` of `capos_udp_recv_from`: fail with `CAPOS_E_WOULD_BLOCK`
/// instead of waiting. Every other bit is reserved and must be 0.
pub const CAPOS_UDP_NOWAIT: u32 = 1;

/// The largest datagram payload sent or received (one Ethernet frame).
pub const CAPOS_UDP_MAX_PAYLOAD: usize = 1472;

/// Most destinations one narrowing set holds.
pub const CAPOS_UDP_MAX_ALLOWED: usize = 16;

const _: () = assert!(CAPOS_UDP_MAX_PAYLOAD == capos_abi::udp::MAX_PAYLOAD);

fn to_rt(e: capos_udp_endpoint) -> UdpEndpoint {
    UdpEndpoint {
        addr: e.addr,
        port: e.port,
    }
}

/// How long a receive may wait, from its `flags` and `timeout_ns`.
fn recv_wait(flags: u32, timeout_ns: u64) -> Result<RecvWait, i32> {
    match flags {
        CAPOS_UDP_NOWAIT => Ok(RecvWait::Never),
        0 if timeout_ns == 0 => Ok(RecvWait::Forever),
        0 => Ok(RecvWait::For(timeout_ns)),
        _ => Err(CAPOS_E_BAD_ARGUMENT),
    }
}

/// The endpoints C passed, at most [`CAPOS_UDP_MAX_ALLOWED`].
///
/// # Safety
/// `list` must be valid for `count` entries (NULL if 0).
unsafe fn endpoints(
    list: *const capos_udp_endpoint,
    count: usize,
) -> Result<Vec<UdpEndpoint>, i32> {
    if count > CAPOS_UDP_MAX_ALLOWED || (list.is_null() && count > 0) {
        return Err(CAPOS_E_BAD_ARGUMENT);
    }
    if count == 0 {
        return Ok(Vec::new());
    }
    // SAFETY: non-NULL and valid for `count` entries per the contract.
    let slice = unsafe { core::slice::from_raw_parts(list, count) };
    Ok(slice.iter().copied().map(to_rt).collect())
}

/// A datagram a receive got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Got {
    pub len: usize,
    pub from: UdpEndpoint,
    pub truncated: bool,
}

impl State {
    pub fn udp_socket_create(
        &mut self,
        manager: u32,
        port: u16,
        allowed: &[UdpEndpoint],
    ) -> Result<u32, i32> {
        let socket = self
            .held
            .network(manager)?
            .create_udp_socket(port, allowed)
            .map_err(|e| code(&e))?;
        Ok(self.held.insert(Held::Udp(socket)))
    }

    pub fn net_narrow(&mut self, manager: u32, allowed: &[UdpEndpoint]) -> Result<u32, i32> {
        if allowed.is_empty() {
            return Err(CAPOS_E_BAD_ARGUMENT);
        }
        let narrowed = self
            .held
            .network(manager)?
            .narrow(allowed)
            .map_err(|e| code(&e))?;
        Ok(self.held.insert(Held::Network(narrowed)))
    }

    pub fn udp_send_to(&self, socket: u32, to: UdpEndpoint, data: &[u8]) -> Result<(), i32> {
        if data.len() > CAPOS_UDP_MAX_PAYLOAD {
            return Err(CAPOS_E_BAD_ARGUMENT);
        }
        self.held
            .udp(socket)?
            .send_to(to, data)
            .map_err(|e| code(&e))
    }

    pub fn udp_recv_from(&self, socket: u32, buf: &mut [u8], wait: RecvWait) -> Result<Got, i32> {
        match self
            .held
            .udp(socket)?
            .recv_from(buf, wait)
            .map_err(|e| code(&e))?
        {
            Recv::Datagram {
                len,
                from,
                truncated,
            } => Ok(Got {
                len,
                from,
                truncated,
            }),
            Recv::WouldBlock => Err(CAPOS_E_WOULD_BLOCK),
            Recv::TimedOut => Err(CAPOS_E_TIMED_OUT),
        }
    }

    pub fn udp_local_address(&self, socket: u32) -> Result<UdpEndpoint, i32> {
        self.held.udp(socket)?.local_address().map_err(|e| code(&e))
    }

    pub fn udp_close(&self, socket: u32) -> Result<(), i32> {
        self.held.udp(socket)?.close().map_err(|e| code(&e))
    }
}

/// Binds a UDP socket through the NetworkManager `manager` to `port` (0:
/// any free ephemeral port) and stores its id at `out_socket` (not NULL).
/// With `count` above 0 the socket is narrowed to the `count` endpoints at
/// `allowed` (at most `CAPOS_UDP_MAX_ALLOWED`): sends elsewhere are
/// refused and datagrams from elsewhere dropped.
///
/// Returns 0, `CAPOS_E_BAD_ARGUMENT` (`out_socket` NULL, too many
/// endpoints, `allowed` NULL with `count` above 0), `CAPOS_E_NOT_HELD`,
/// `CAPOS_E_WRONG_INTERFACE` (not a NetworkManager), `CAPOS_E_APPLICATION`
/// (the port is taken, the set is outside a narrowed manager's, no network
/// device, the quota is full) or a transport code.
///
/// # Safety
/// `allowed` must be valid for `count` entries (NULL if 0); `out_socket`
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn capos_udp_socket_create(
    manager: u32,
    port: u16,
    allowed: *const capos_udp_endpoint,
    count: usize,
    out_socket: *mut u32,
) -> i32 {
    if out_socket.is_null() {
        return CAPOS_E_BAD_ARGUMENT;
    }
    let run = || {
        // SAFETY: valid for `count` entries per the contract.
        let allowed = unsafe { endpoints(allowed, count) }?;
        state::with(|s| s.udp_socket_create(manager, port, &allowed))
    };
    status(run().map(|id| {
        // SAFETY: non-NULL and writable per the contract.
        unsafe { ffi::store(out_socket, id) }
    }))
}

/// Makes a NetworkManager narrowed to the `count` endpoints at `allowed`
/// (1 to `CAPOS_UDP_MAX_ALLOWED`, a subset of `manager`'s own set if it is
/// narrowed) and stores its id at `out_manager` (not NULL). Every socket
/// it makes reaches those destinations and nothing else.
///
/// Returns 0, `CAPOS_E_BAD_ARGUMENT`, `CAPOS_E_NOT_HELD`,
/// `CAPOS_E_WRONG_INTERFACE`, `CAPOS_E_APPLICATION` (a destination outside
/// `manager`'s set, the quota is full) or a transport code.
///
/// # Safety
/// `allowed` must be valid for `count` entries; `out_manager` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn capos_net_narrow(
    manager: u32,
    allowed: *const capos_udp_endpoint,
    count: usize,
    out_manager: *mut u32,
) -> i32 {
    if out_manager.is_null() {
        return CAPOS_E_BAD_ARGUMENT;
    }
    let run = || {
        // SAFETY: valid for `count` entries per the contract.
        let allowed = unsafe { endpoints(allowed, count) }?;
        state::with(|s| s.net_narrow(manager, &allowed))
    };
    status(run().map(|id| {
        // SAFETY: non-NULL and writable per the contract.
        unsafe { ffi::store(out_manager, id) }
    }))
}

/// Sends the `len` bytes at `data` (at most `CAPOS_UDP_MAX_PAYLOAD`) as
/// one datagram from the UdpSocket `socket` to `*to` (not NULL).
///
/// Returns 0, `CAPOS_E_BAD_ARGUMENT` (`to` NULL, `data` NULL with `len`
/// above 0, `len` too large), `CAPOS_E_NOT_HELD`, `CAPOS_E_WRONG_INTERFACE`,
/// `CAPOS_E_DISCONNECTED` (the socket was closed), `CAPOS_E_APPLICATION`
/// (a narrowed socket's destination outside its set, the device's queue
/// full) or a transport code.
///
/// # Safety
/// `to` must be readable; `data` valid for `len` bytes (NULL if 0).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn capos_udp_send_to(
    socket: u32,
    to: *const capos_udp_endpoint,
    data: *const c_void,
    len: usize,
) -> i32 {
    if to.is_null() {
        return CAPOS_E_BAD_ARGUMENT;
    }
    // SAFETY: non-NULL and readable per the contract.
    let to = to_rt(unsafe { to.read() });
    let run = || {
        // SAFETY: valid for `len` bytes per the contract.
        let data = unsafe { ffi::bytes(data, len) }?;
        state::with(|s| s.udp_send_to(socket, to, data))
    };
    status(run())
}

/// Receives one datagram from the UdpSocket `socket` into `buf` (at most
/// `len` bytes of it; a longer datagram's rest is dropped and
/// `*out_truncated` set to 1, else 0) and stores its length at `out_len` and its
/// sender at `out_from` (each may be NULL).
///
/// With `flags` 0 it waits for a datagram: for `timeout_ns` at most when
/// that is above 0, then fails with `CAPOS_E_TIMED_OUT`. With
/// `CAPOS_UDP_NOWAIT` it fails with `CAPOS_E_WOULD_BLOCK` instead of
/// waiting.
///
/// Returns 0, `CAPOS_E_WOULD_BLOCK`, `CAPOS_E_TIMED_OUT`,
/// `CAPOS_E_DISCONNECTED` (the socket was closed, before or while
/// waiting), `CAPOS_E_BAD_ARGUMENT` (`buf` NULL with `len` above 0, a
/// reserved flag), `CAPOS_E_NOT_HELD`, `CAPOS_E_WRONG_INTERFACE`,
/// `CAPOS_E_APPLICATION` (the quota cannot hold a waiting receive) or a
/// transport code.
///
/// # Safety
/// `buf` must be valid for `len` writable bytes (NULL if 0); the out
/// pointers NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn capos_udp_recv_from(
    socket: u32,
    buf: *mut c_void,
    len: usize,
    flags: u32,
    timeout_ns: u64,
    out_len: *mut usize,
    out_from: *mut capos_udp_endpoint,
    out_truncated: *mut u32,
) -> i32 {
    let run = || {
        let wait = recv_wait(flags, timeout_ns)?;
        // SAFETY: valid for `len` writable bytes per the contract.
        let buf = unsafe { ffi::bytes_mut(buf, len) }?;
        state::with(|s| s.udp_recv_from(socket, buf, wait))
    };
    let (got, rc) = match run() {
        Ok(got) => (got, CAPOS_OK),
        Err(rc) => (
            Got {
                len: 0,
                from: UdpEndpoint { addr: 0, port: 0 },
                truncated: false,
            },
            rc,
        ),
    };
    // SAFETY: each NULL or writable per the contract.
    unsafe {
        ffi::store(out_len, got.len);
        ffi::store(
            out_from,
            capos_udp_endpoint {
                addr: got.from.addr,
                port: got.from.port,
            },
        );
        ffi::store(out_truncated, got.truncated as u32);
    }
    rc
}

/// Stores the address and port the UdpSocket `socket` is bound to at
/// `out` (not NULL).
///
/// Returns 0, `CAPOS_E_BAD_ARGUMENT`, `CAPOS_E_NOT_HELD`,
/// `CAPOS_E_WRONG_INTERFACE`, `CAPOS_E_DISCONNECTED` or a transport code.
///
/// # Safety
/// `out` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn capos_udp_local_address(socket: u32, out: *mut capos_udp_endpoint) -> i32 {
    if out.is_null() {
        return CAPOS_E_BAD_ARGUMENT;
    }
    status(state::with(|s| s.udp_local_address(socket)).map(|e| {
        // SAFETY: non-NULL and writable per the contract.
        unsafe {
            ffi::store(
                out,
                capos_udp_endpoint {
                    addr: e.addr,
                    port: e.port,
                },
            )
        }
    }))
}

/// Unbinds the UdpSocket `socket`'s port for every holder: queued
/// datagrams are dropped, waiting receives and later calls fail with
/// `CAPOS_E_DISCONNECTED`. The id stays held until `capos_release`.
///
/// Returns 0, `CAPOS_E_NOT_HELD`, `CAPOS_E_WRONG_INTERFACE` or a transport
/// code.
#[unsafe(no_mangle)]
pub extern "C" fn capos_udp_close(socket: u32) -> i32 {
    status(state::with(|s| s.udp_close(socket)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{CAPOS_E_APPLICATION, CAPOS_E_DISCONNECTED, CAPOS_E_WRONG_INTERFACE};
    use crate::iface::{CAPOS_IFACE_CONSOLE, CAPOS_IFACE_NETWORK_MANAGER, CAPOS_IFACE_UDP_SOCKET};
    use crate::test_kernel::{Outcome, TestEnv};
    use alloc::vec;
    use capos_rt::message;
    use capos_schema::{ExceptionType, cap_exception, network_manager, udp_socket};

    const SOCKET: u32 = 0x2_0001;
    const ECHO: UdpEndpoint = UdpEndpoint {
        addr: 0x0a00_0202,
        port: 5555,
    };

    fn reply<T: capnp::traits::Owned>(fill: impl FnOnce(T::Builder<'_>)) -> Vec<u8> {
        message::as_bytes(&message::build::<T>(fill)).to_vec()
    }

    fn exception(kind: ExceptionType, reason: &str) -> Outcome {
        Outcome::Exception(reply::<cap_exception::Owned>(|mut e| {
            e.set_type(kind);
            e.set_reason(reason);
        }))
    }

    fn recv_reply(data: &[u8], would_block: bool, timed_out: bool) -> Outcome {
        Outcome::Reply(reply::<udp_socket::recv_from_results::Owned>(|mut r| {
            r.set_data(data);
            let mut from = r.reborrow().init_from();
            from.set_address(ECHO.addr);
            from.set_port(ECHO.port);
            r.set_would_block(would_block);
            r.set_timed_out(timed_out);
            r.set_truncated(false);
        }))
    }

    /// A manager and a console; `socket_calls` answers calls on sockets.
    fn env(mut socket_calls: impl FnMut(u16, &[u8]) -> Outcome + 'static) -> (TestEnv, State) {
        let caps = [
            ("net", 0x1_0001, CAPOS_IFACE_NETWORK_MANAGER),
            ("console", 0x1_0002, CAPOS_IFACE_CONSOLE),
        ];
        let mut env = TestEnv::new(&caps, move |sqe, params| match sqe.interface_id {
            CAPOS_IFACE_NETWORK_MANAGER => {
                let msg = message::read(params).unwrap();
                let p: network_manager::create_udp_socket_params::Reader = msg.get_root().unwrap();
                if p.get_port() == 53 {
                    return exception(ExceptionType::Failed, "UDP port 53 is in use");
                }
                Outcome::Reply(reply::<network_manager::create_udp_socket_results::Owned>(
                    |r| {
                        let mut cap = r.init_socket();
                        cap.set_cap_id(SOCKET);
                        cap.set_interface_id(CAPOS_IFACE_UDP_SOCKET);
                    },
                ))
            }
            _ => socket_calls(sqe.method_id, params),
        });
        let mut s = env.state();
        s.capset_get(b"net").unwrap();
        s.capset_get(b"console").unwrap();
        (env, s)
    }

    #[test]
    fn sockets_are_held_typed_and_refusals_are_application_errors() {
        let (env, mut s) = env(|_, _| Outcome::Error(-3));
        assert_eq!(s.udp_socket_create(0x1_0001, 0, &[ECHO]), Ok(SOCKET));
        assert_eq!(
            s.udp_socket_create(0x1_0001, 53, &[]),
            Err(CAPOS_E_APPLICATION)
        );
        assert_eq!(
            s.udp_socket_create(0x1_0002, 0, &[]),
            Err(CAPOS_E_WRONG_INTERFACE)
        );
        assert_eq!(s.udp_close(0x1_0001), Err(CAPOS_E_WRONG_INTERFACE));
        assert_eq!(s.net_narrow(0x1_0001, &[]), Err(CAPOS_E_BAD_ARGUMENT));
        let big = vec![0u8; CAPOS_UDP_MAX_PAYLOAD + 1];
        assert_eq!(s.udp_send_to(SOCKET, ECHO, &big), Err(CAPOS_E_BAD_ARGUMENT));
        // Two creates reached the kernel; the refusals above did not.
        assert_eq!(env.log.borrow().calls.len(), 2);
    }

    #[test]
    fn receives_report_data_would_block_timeout_and_close_apart() {
        let mut answers = vec![
            recv_reply(b"hi", false, false),
            recv_reply(b"", true, false),
            recv_reply(b"", false, true),
            exception(ExceptionType::Disconnected, "socket closed"),
        ]
        .into_iter();
        let (env, mut s) = env(move |method, _| {
            assert_eq!(method, 1);
            answers.next().unwrap()
        });
        s.udp_socket_create(0x1_0001, 0, &[]).unwrap();
        let mut buf = [0u8; 8];
        let got = s.udp_recv_from(SOCKET, &mut buf, RecvWait::Forever);
        assert_eq!(
            got,
            Ok(Got {
                len: 2,
                from: ECHO,
                truncated: false
            })
        );
        assert_eq!(&buf[..2], b"hi");
        assert_eq!(
            s.udp_recv_from(SOCKET, &mut buf, RecvWait::Never),
            Err(CAPOS_E_WOULD_BLOCK)
        );
        assert_eq!(
            s.udp_recv_from(SOCKET, &mut buf, RecvWait::For(1000)),
            Err(CAPOS_E_TIMED_OUT)
        );
        assert_eq!(
            s.udp_recv_from(SOCKET, &mut buf, RecvWait::Forever),
            Err(CAPOS_E_DISCONNECTED)
        );
        let log = env.log.borrow();
        let modes: Vec<(bool, u64)> = log.calls[1..]
            .iter()
            .map(|(_, params)| {
                let msg = message::read(params).unwrap();
                let p: udp_socket::recv_from_params::Reader = msg.get_root().unwrap();
                (p.get_wait(), p.get_timeout_ns())
            })
            .collect();
        assert_eq!(modes, [(true, 0), (false, 0), (true, 1000), (true, 0)]);
    }

    #[test]
    fn flags_and_timeouts_choose_the_wait() {
        assert_eq!(recv_wait(0, 0), Ok(RecvWait::Forever));
        assert_eq!(recv_wait(0, 5), Ok(RecvWait::For(5)));
        assert_eq!(recv_wait(CAPOS_UDP_NOWAIT, 5), Ok(RecvWait::Never));
        assert_eq!(recv_wait(2, 0), Err(CAPOS_E_BAD_ARGUMENT));
    }
}
