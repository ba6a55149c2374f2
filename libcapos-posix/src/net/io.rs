//! Datagrams in and out: `sendto`, `recvfrom`, `sendmsg`, `recvmsg`,
//! `read`/`write` on a socket (a receive and a send with no flags, as on
//! Linux), and `ioctl(FIONREAD)`.
//!
//! A receive waits as the descriptor's O_NONBLOCK, MSG_DONTWAIT and
//! SO_RCVTIMEO say, inside the kernel's `recvFrom` (its own timeout, so
//! nothing else is needed beside it). A connected socket hears only its
//! peer: the kernel's socket queues whatever reaches its port, so others'
//! datagrams are taken and dropped here, as Linux never delivers them.
//! Sends never wait: the kernel hands a datagram to the device or fails.

use super::calls::{socket_at, udp};
use super::object::UdpFd;
use super::{Failure, user};
use crate::linux::errno::{EAFNOSUPPORT, EAGAIN, EFAULT, EIO, EMSGSIZE};
use crate::linux::fcntl::O_NONBLOCK;
use crate::linux::net::MSG_TRUNC;
use crate::socket::addr::{Family, Purpose, SockAddr, V4, decode};
use crate::socket::datagram::{Datagram, Delivery, accepts, deliver, request_len};
use crate::socket::kernel::{self, RecvFailure};
use crate::socket::msg::{self, IoVec, MsgHdr, RecvFlags};
use crate::socket::udp::{LINUX_MAX_SEND, Wait, fits_a_frame, reachable};
use crate::state::{Open, State};
use alloc::vec;
use alloc::vec::Vec;
use capos_abi::udp::MAX_PAYLOAD;
use capos_rt::{Recv, RecvWait, UdpEndpoint};
use core::{mem, slice};

/// Sends `data` to `to`, or to the peer.
pub fn send(s: &State, u: &UdpFd, to: Option<V4>, data: &[u8]) -> Result<i64, Failure> {
    let dest = u.udp.borrow().destination(to, data.len())?;
    reachable(dest)?;
    fits_a_frame(data.len())?;
    let socket = u.ensure_port(s)?;
    let to = UdpEndpoint {
        addr: dest.endpoint_address(),
        port: dest.port,
    };
    socket
        .send_to(to, data)
        .map_err(|e| Failure::kernel(kernel::send(&e), &e))?;
    Ok(data.len() as i64)
}

/// What a receive got.
pub enum Got {
    Datagram(Datagram, Delivery),
    /// End of data: reads are shut (or the socket was closed by another
    /// holder) and nothing is queued. The call returns 0.
    End,
}

pub(super) fn now(s: &State) -> Option<u64> {
    s.timer.as_ref()?.now().ok()
}

/// Waits `ns` (None: for ever) with nothing to wait for: a receive on a
/// socket that has no port, where nothing can ever arrive.
fn idle(ns: Option<u64>) -> Result<(), Failure> {
    libcapos::runtime::with_runtime(|rt| {
        loop {
            match rt.ring().enter(1, ns.unwrap_or(u64::MAX)) {
                Ok(_) if ns.is_none() => continue,
                Ok(_) => return Ok(()),
                Err(_) => return Err(Failure::from(EIO)),
            }
        }
    })
    .ok_or(Failure::from(EIO))?
}

/// One receive into `room` bytes, with `flags`, on the socket `u` opened
/// as `open`.
pub fn recv(
    s: &State,
    open: &Open,
    u: &UdpFd,
    room: usize,
    flags: RecvFlags,
) -> Result<Got, Failure> {
    if flags.errqueue {
        // Nothing ever goes on the error queue.
        return Err(EAGAIN.into());
    }
    if let Some(d) = u.held.borrow_mut().take(flags.peek) {
        let delivery = deliver(&d, room, flags);
        return Ok(Got::Datagram(d, delivery));
    }
    let nonblock = flags.dontwait || open.status.get() & O_NONBLOCK != 0;
    let (wait, shut, peer) = {
        let state = u.udp.borrow();
        (
            state.recv_wait(nonblock),
            state.read_shut(),
            state.connected(),
        )
    };
    let Some(socket) = u.kernel() else {
        return match wait {
            Wait::No => Err(EAGAIN.into()),
            _ if shut => Ok(Got::End),
            Wait::For(ns) => idle(Some(ns)).and(Err(EAGAIN.into())),
            Wait::Forever => idle(None).map(|()| Got::End),
        };
    };
    let start = now(s);
    loop {
        // The time left, if datagrams from others came and went.
        let left = match (wait, start, now(s)) {
            (Wait::For(ns), Some(t0), Some(t1)) => match ns.saturating_sub(t1.saturating_sub(t0)) {
                0 => Wait::No,
                ns => Wait::For(ns),
            },
            (w, ..) => w,
        };
        let rt_wait = match left {
            _ if shut => RecvWait::Never,
            Wait::No => RecvWait::Never,
            Wait::Forever => RecvWait::Forever,
            Wait::For(ns) => RecvWait::For(ns),
        };
        let mut buf = vec![0u8; request_len(room, flags, MAX_PAYLOAD)];
        match socket.recv_from(&mut buf, rt_wait) {
            Ok(Recv::Datagram {
                len,
                from,
                truncated,
            }) => {
                let from = V4::from_endpoint(from.addr, from.port);
                if !accepts(peer, from) {
                    continue;
                }
                buf.truncate(len);
                let d = Datagram {
                    from,
                    data: buf,
                    cut: truncated,
                };
                let delivery = deliver(&d, room, flags);
                if flags.peek {
                    u.held.borrow_mut().hold(d.clone());
                }
                return Ok(Got::Datagram(d, delivery));
            }
            Ok(Recv::WouldBlock) if shut && !nonblock => return Ok(Got::End),
            Ok(Recv::WouldBlock | Recv::TimedOut) => return Err(EAGAIN.into()),
            Err(e) => {
                return match kernel::recv(&e) {
                    RecvFailure::Closed if nonblock => Err(EAGAIN.into()),
                    RecvFailure::Closed => Ok(Got::End),
                    RecvFailure::Errno(errno) => Err(Failure::kernel(errno, &e)),
                };
            }
        }
    }
}

/// The address a send names (NULL: none).
///
/// # Safety
/// `addr` is NULL or readable for `len` bytes.
unsafe fn destination(addr: *const u8, len: i64) -> Result<Option<V4>, Failure> {
    if addr.is_null() {
        return Ok(None);
    }
    // SAFETY: passed on from the contract.
    let bytes = unsafe { user::addr_in(addr, len) }?;
    match decode(Family::Inet, bytes, Purpose::Send)? {
        Some(SockAddr::V4(a)) => Ok(Some(a)),
        _ => Err(EAFNOSUPPORT.into()),
    }
}

/// `sendto(fd, buf, len, flags, addr, addrlen)`; `send` is the same with
/// no address.
///
/// # Safety
/// `buf` is readable for `len` bytes, `addr` NULL or readable for
/// `addrlen`.
pub unsafe fn sendto(
    s: &State,
    fd: i64,
    buf: *const u8,
    len: usize,
    flags: i64,
    addr: *const u8,
    addrlen: i64,
) -> Result<i64, Failure> {
    let open = socket_at(s, fd)?;
    msg::send_flags(flags)?;
    // SAFETY: passed on from the contract.
    let to = unsafe { destination(addr, addrlen) }?;
    if len > LINUX_MAX_SEND {
        // Refused before the buffer is looked at.
        return Err(EMSGSIZE.into());
    }
    if len > 0 && buf.is_null() {
        return Err(EFAULT.into());
    }
    let data: &[u8] = if len == 0 {
        &[]
    } else {
        // SAFETY: readable for `len` bytes per the contract.
        unsafe { slice::from_raw_parts(buf, len) }
    };
    send(s, udp(&open), to, data)
}

/// `recvfrom(fd, buf, len, flags, addr, addrlen)`; `recv` is the same
/// with no address.
///
/// # Safety
/// `buf` is writable for `len` bytes; `addrlen` NULL or a read-write
/// `socklen_t`; `addr` NULL or writable for what `*addrlen` says.
pub unsafe fn recvfrom(
    s: &State,
    fd: i64,
    buf: *mut u8,
    len: usize,
    flags: i64,
    addr: *mut u8,
    addrlen: *mut u32,
) -> Result<i64, Failure> {
    let open = socket_at(s, fd)?;
    let flags = msg::recv_flags(flags)?;
    if len > 0 && buf.is_null() {
        return Err(EFAULT.into());
    }
    match recv(s, &open, udp(&open), len, flags)? {
        Got::End => Ok(0),
        Got::Datagram(d, delivery) => {
            if delivery.copy > 0 {
                // SAFETY: writable for `len` >= `copy` bytes per the contract.
                unsafe { slice::from_raw_parts_mut(buf, delivery.copy) }
                    .copy_from_slice(&d.data[..delivery.copy]);
            }
            if !addr.is_null() {
                // SAFETY: passed on from the contract.
                unsafe { user::addr_out(SockAddr::V4(d.from), addr, addrlen) }?;
            }
            Ok(delivery.result as i64)
        }
    }
}

/// The iovecs of a message.
///
/// # Safety
/// `iov` is readable for `count` iovecs (checked non-NULL when needed).
unsafe fn iovecs<'a>(iov: u64, count: usize) -> &'a [IoVec] {
    if count == 0 {
        return &[];
    }
    // SAFETY: readable for `count` iovecs per the contract.
    unsafe { slice::from_raw_parts(iov as *const IoVec, count) }
}

/// `sendmsg(fd, msg, flags)`: the iovecs gathered into one datagram.
///
/// # Safety
/// `m` is NULL or a readable `struct msghdr` whose pointers are valid as
/// the Linux call requires.
pub unsafe fn sendmsg(s: &State, fd: i64, m: *const MsgHdr, flags: i64) -> Result<i64, Failure> {
    let open = socket_at(s, fd)?;
    if m.is_null() {
        return Err(EFAULT.into());
    }
    // SAFETY: a readable msghdr per the contract.
    let h = unsafe { m.read_unaligned() };
    let header = msg::header(&h)?;
    msg::send_control(&h)?;
    msg::send_flags(flags)?;
    let to = match header.name {
        // SAFETY: readable for the (clamped) name length per the contract.
        Some((name, len)) => unsafe { destination(name as *const u8, len as i64) }?,
        None => None,
    };
    // SAFETY: per the contract; header() refused NULL with entries.
    let iovs = unsafe { iovecs(header.iov, header.iovlen) };
    let total = msg::iov_total(iovs)?;
    if total > LINUX_MAX_SEND {
        return Err(EMSGSIZE.into());
    }
    let parts: Vec<&[u8]> = iovs
        .iter()
        .filter(|v| v.len > 0)
        // SAFETY: each iovec names readable memory (iov_total refused NULL
        // bases with a length).
        .map(|v| unsafe { slice::from_raw_parts(v.base as *const u8, v.len as usize) })
        .collect();
    send(s, udp(&open), to, &msg::gather(&parts, total))
}

/// `recvmsg(fd, msg, flags)`: one datagram scattered over the iovecs; the
/// sender in `msg_name`, MSG_TRUNC in `msg_flags` if it did not fit, and
/// no control messages.
///
/// # Safety
/// `m` is NULL or a read-write `struct msghdr` whose pointers are valid
/// as the Linux call requires.
pub unsafe fn recvmsg(s: &State, fd: i64, m: *mut MsgHdr, flags: i64) -> Result<i64, Failure> {
    let open = socket_at(s, fd)?;
    if m.is_null() {
        return Err(EFAULT.into());
    }
    // SAFETY: a readable msghdr per the contract.
    let h = unsafe { m.read_unaligned() };
    let header = msg::header(&h)?;
    let flags = msg::recv_flags(flags)?;
    // SAFETY: per the contract; header() refused NULL with entries.
    let iovs = unsafe { iovecs(header.iov, header.iovlen) };
    let room = msg::iov_total(iovs)?;
    let got = recv(s, &open, udp(&open), room, flags)?;
    let base = m as *mut u8;
    let (result, msg_flags) = match got {
        Got::End => (0, 0),
        Got::Datagram(d, delivery) => {
            let mut parts: Vec<&mut [u8]> = iovs
                .iter()
                .filter(|v| v.len > 0)
                // SAFETY: each iovec names writable memory per the contract.
                .map(|v| unsafe { slice::from_raw_parts_mut(v.base as *mut u8, v.len as usize) })
                .collect();
            msg::scatter(&d.data[..delivery.copy], &mut parts);
            if let Some((name, _)) = header.name {
                // SAFETY: msg_namelen is inside the msghdr; the name is
                // writable for what it says, per the contract.
                unsafe {
                    let len = base.add(mem::offset_of!(MsgHdr, namelen)) as *mut u32;
                    user::addr_out(SockAddr::V4(d.from), name as *mut u8, len)?;
                }
            }
            let truncated = if delivery.truncated { MSG_TRUNC } else { 0 };
            (delivery.result as i64, truncated as i32)
        }
    };
    // SAFETY: fields of the read-write msghdr per the contract.
    unsafe {
        (base.add(mem::offset_of!(MsgHdr, controllen)) as *mut u64).write_unaligned(0);
        (base.add(mem::offset_of!(MsgHdr, flags)) as *mut i32).write_unaligned(msg_flags);
    }
    Ok(result)
}

/// `ioctl(FIONREAD)` on a socket (Linux's SIOCINQ): the length of the
/// next datagram, 0 if none is there; it is taken from the kernel without
/// waiting and held for the next receive, as a MSG_PEEK would.
///
/// # Safety
/// `out` is NULL or a writable int.
pub unsafe fn pending(s: &State, fd: i64, out: *mut i32) -> Result<i64, Failure> {
    let open = socket_at(s, fd)?;
    if out.is_null() {
        return Err(EFAULT.into());
    }
    let peek = RecvFlags {
        dontwait: true,
        peek: true,
        trunc: true,
        errqueue: false,
    };
    let len = match recv(s, &open, udp(&open), 0, peek) {
        Ok(Got::Datagram(d, _)) => d.data.len(),
        Ok(Got::End) => 0,
        Err(f) if f.errno == EAGAIN => 0,
        Err(f) => return Err(f),
    };
    // SAFETY: a writable int per the contract.
    unsafe { out.write_unaligned(len as i32) };
    Ok(0)
}

/// `read` on a socket: a receive with no flags.
///
/// # Safety
/// `buf` is writable for `len` bytes.
pub unsafe fn read(s: &State, fd: i64, buf: *mut u8, len: usize) -> Result<i64, Failure> {
    // SAFETY: passed on from the contract.
    unsafe {
        recvfrom(
            s,
            fd,
            buf,
            len,
            0,
            core::ptr::null_mut(),
            core::ptr::null_mut(),
        )
    }
}

/// `write` on a socket: a send to the peer with no flags.
pub fn write(s: &State, fd: i64, data: &[u8]) -> Result<i64, Failure> {
    let open = socket_at(s, fd)?;
    send(s, udp(&open), None, data)
}

/// `readv` on a socket: one datagram scattered over `parts`.
pub fn readv(s: &State, fd: i64, parts: &mut [&mut [u8]]) -> Result<i64, Failure> {
    let open = socket_at(s, fd)?;
    let room = parts.iter().map(|p| p.len()).sum();
    match recv(s, &open, udp(&open), room, RecvFlags::default())? {
        Got::End => Ok(0),
        Got::Datagram(d, delivery) => {
            msg::scatter(&d.data[..delivery.copy], parts);
            Ok(delivery.result as i64)
        }
    }
}
