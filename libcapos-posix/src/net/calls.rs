//! The socket calls that move no data: `socket`, `bind`, `connect`,
//! `shutdown`, `getsockname`, `getpeername`, `setsockopt`, `getsockopt`,
//! and `listen`/`accept`, which a datagram socket does not do.

use super::object::{NO_NETWORK, UdpFd};
use super::{Failure, user};
use crate::linux::errno::{EACCES, EADDRINUSE, EBADF, EFAULT, EINVAL, ENOTSOCK, EOPNOTSUPP};
use crate::linux::fcntl::O_NONBLOCK;
use crate::socket::addr::{Family, Purpose, SockAddr, V4, decode};
use crate::socket::udp::{Connect, reachable};
use crate::socket::{Refusal, kind, option};
use crate::state::{Object, Open, State};
use alloc::borrow::Cow;
use alloc::rc::Rc;
use capos_abi::udp::QUEUE_BYTES;

/// The open socket at `fd`: EBADF if nothing is open there, ENOTSOCK if
/// it is not a socket.
pub fn socket_at(s: &State, fd: i64) -> Result<Rc<Open>, i64> {
    let open = s.fds.get(fd).map_err(|_| EBADF)?;
    match open.object {
        Object::Udp(_) => Ok(open.clone()),
        _ => Err(ENOTSOCK),
    }
}

/// The socket object of an open description [`socket_at`] returned.
pub fn udp(open: &Open) -> &UdpFd {
    match &open.object {
        Object::Udp(u) => u,
        // socket_at admits sockets only.
        _ => unreachable!("socket_at returned a descriptor that is not a socket"),
    }
}

/// The stack's IPv4 address (asked once, then kept).
pub(crate) fn stack_ip(s: &mut State) -> Result<[u8; 4], Failure> {
    if let Some(ip) = s.stack_ip {
        return Ok(ip);
    }
    let manager = s
        .network
        .as_ref()
        .ok_or(Failure::from(Refusal::capos(EACCES, NO_NETWORK)))?;
    let stats = manager
        .stats()
        .map_err(|e| Failure::kernel(crate::socket::kernel::create(&e), &e))?;
    if !stats.has_device {
        return Err(Refusal::capos(
            crate::linux::errno::ENETDOWN,
            "the machine has no network device",
        )
        .into());
    }
    let ip = stats.address.to_be_bytes();
    s.stack_ip = Some(ip);
    Ok(ip)
}

/// An IPv4 address an IPv4 socket was given (decode() reads only that).
fn v4(addr: SockAddr) -> Result<V4, i64> {
    match addr {
        SockAddr::V4(a) => Ok(a),
        SockAddr::V6(_) => Err(crate::linux::errno::EAFNOSUPPORT),
    }
}

pub fn socket(s: &mut State, domain: i64, ty: i64, protocol: i64) -> Result<i64, Failure> {
    let request = kind::decode(domain, ty, protocol)?;
    if s.network.is_none() {
        return Err(Refusal::capos(EACCES, NO_NETWORK).into());
    }
    let open = Open::new(if request.stream {
        Object::Tcp(super::stream::TcpFd::default())
    } else {
        Object::Udp(UdpFd::default())
    });
    if request.nonblock {
        open.status.set(O_NONBLOCK);
    }
    Ok(s.fds.open(Rc::new(open), request.cloexec)? as i64)
}

/// # Safety
/// `addr` is NULL or readable for `len` bytes.
pub unsafe fn bind(s: &mut State, fd: i64, addr: *const u8, len: i64) -> Result<i64, Failure> {
    let open = socket_at(s, fd)?;
    let u = udp(&open);
    // SAFETY: passed on from the contract.
    let bytes = unsafe { user::addr_in(addr, len) }?;
    let addr = decode(Family::Inet, bytes, Purpose::Bind)?.ok_or(EINVAL)?;
    let addr = v4(addr)?;
    let stack = stack_ip(s)?;
    let port = u.udp.borrow().bind(addr, stack)?;
    match u.create(s, port) {
        Ok(got) => {
            u.udp.borrow_mut().bound(addr, got);
            Ok(0)
        }
        Err(f) if f.errno == EADDRINUSE && u.udp.borrow().reuseaddr() => Err(Failure {
            errno: EADDRINUSE,
            report: Some(Cow::Borrowed(
                "a port cannot be shared on capOS (SO_REUSEADDR is recorded, not honoured)",
            )),
        }),
        Err(f) => Err(f),
    }
}

/// # Safety
/// `addr` is NULL or readable for `len` bytes.
pub unsafe fn connect(s: &mut State, fd: i64, addr: *const u8, len: i64) -> Result<i64, Failure> {
    let open = socket_at(s, fd)?;
    let u = udp(&open);
    // SAFETY: passed on from the contract.
    let bytes = unsafe { user::addr_in(addr, len) }?;
    let target = decode(Family::Inet, bytes, Purpose::Connect)?
        .map(v4)
        .transpose()?;
    let stack = match target {
        Some(peer) => {
            // No route is Linux's ENETUNREACH at connect, before any port.
            reachable(peer)?;
            let stack = stack_ip(s)?;
            u.ensure_port(s)?;
            stack
        }
        None => [0; 4],
    };
    let plan = u.udp.borrow_mut().connect(target, stack);
    u.held.borrow_mut().filter(target);
    if plan == Connect::Release {
        u.release();
    }
    Ok(0)
}

pub fn shutdown(s: &State, fd: i64, how: i64) -> Result<i64, Failure> {
    let open = socket_at(s, fd)?;
    udp(&open).udp.borrow_mut().shutdown(how)?;
    Ok(0)
}

/// `getsockname` (`peer` false) and `getpeername` (true).
///
/// # Safety
/// `len` is NULL or a read-write `socklen_t`; `addr` NULL or writable
/// for what `*len` says.
pub unsafe fn name(
    s: &State,
    fd: i64,
    peer: bool,
    addr: *mut u8,
    len: *mut u32,
) -> Result<i64, Failure> {
    let open = socket_at(s, fd)?;
    let u = udp(&open).udp.borrow();
    let a = if peer { u.peer()? } else { u.local() };
    // SAFETY: passed on from the contract.
    unsafe { user::addr_out(SockAddr::V4(a), addr, len) }?;
    Ok(0)
}

/// # Safety
/// `value` is NULL or readable for `len` bytes.
pub unsafe fn setsockopt(
    s: &State,
    fd: i64,
    level: i64,
    name: i64,
    value: *const u8,
    len: i64,
) -> Result<i64, Failure> {
    let open = socket_at(s, fd)?;
    // SAFETY: passed on from the contract.
    let bytes = unsafe { user::option_in(value, len) };
    let set = option::decode_set(level, name, bytes, len)?;
    udp(&open).udp.borrow_mut().set(set);
    Ok(0)
}

/// # Safety
/// `len` is NULL or a read-write `socklen_t`; `value` NULL or writable
/// for what `*len` says.
pub unsafe fn getsockopt(
    s: &State,
    fd: i64,
    level: i64,
    name: i64,
    value: *mut u8,
    len: *mut u32,
) -> Result<i64, Failure> {
    let open = socket_at(s, fd)?;
    // SAFETY: passed on from the contract.
    unsafe { check_option_length(len) }?;
    let get = option::decode_get(level, name)?;
    // The receive queue's size is the kernel's; there is no send buffer
    // (a send goes to the device at once), so SO_SNDBUF has no answer.
    let facts = udp(&open)
        .udp
        .borrow()
        .facts(Some(QUEUE_BYTES as i32), None);
    let (bytes, n) = option::value(get, &facts)?;
    // SAFETY: passed on from the contract.
    unsafe { user::option_out(&bytes[..n], value, len) }?;
    Ok(0)
}

/// `listen`, `accept` and `accept4`: EOPNOTSUPP on a datagram socket, as
/// Linux.
pub fn connectionless(s: &State, fd: i64) -> Result<i64, Failure> {
    socket_at(s, fd)?;
    Err(EOPNOTSUPP.into())
}

/// getsockopt's length argument, checked as Linux does before it looks at
/// the option: NULL is EFAULT, a negative length EINVAL.
///
/// # Safety
/// `len` is NULL or a readable `socklen_t`.
pub unsafe fn check_option_length(len: *const u32) -> Result<(), Failure> {
    if len.is_null() {
        return Err(EFAULT.into());
    }
    // SAFETY: a readable socklen_t per the contract.
    if (unsafe { len.read_unaligned() } as i32) < 0 {
        return Err(EINVAL.into());
    }
    Ok(())
}
