//! TCP sockets over the kernel's NetworkManager, TcpConnection and
//! TcpListener (docs/interfaces/tcp-connection.md, tcp-listener.md): the
//! glue between the calls `dispatch.rs` routes here for a stream socket
//! and the pure rules of socket/stream.rs.
//!
//! A socket has no kernel object until `listen` (a TcpListener) or
//! `connect` (a TcpConnection); `accept` makes a connected socket from
//! the listener's next connection. A blocking call waits inside the
//! kernel (a receive or a send the connection holds, a readiness wait),
//! never by spinning; a non-blocking one asks without waiting. A
//! non-blocking connect returns EINPROGRESS; poll's POLLOUT, or
//! getsockopt(SO_ERROR), then tells how it went.

use super::calls::stack_ip;
use super::object::NO_NETWORK;
use super::{Failure, user};
use crate::linux::errno::{
    EACCES, EADDRINUSE, EADDRNOTAVAIL, EAFNOSUPPORT, EAGAIN, EBADF, EFAULT, EINPROGRESS, EINVAL,
    EIO, ENETDOWN, ENOBUFS, ENOMEM, ENOTCONN, ENOTSOCK, EOPNOTSUPP, EPERM, EPIPE,
};
use crate::linux::fcntl::O_NONBLOCK;
use crate::linux::net::{MSG_WAITALL, SOCK_CLOEXEC, SOCK_NONBLOCK};
use crate::socket::Refusal;
use crate::socket::addr::{Family, Purpose, SockAddr, V4, decode};
use crate::socket::msg::{self, IoVec, MsgHdr};
use crate::socket::option::Timeout;
use crate::socket::stream::{self, Phase, Stream};
use crate::socket::udp::reachable;
use crate::state::{self, Object, Open, State};
use alloc::borrow::Cow;
use alloc::rc::Rc;
use alloc::vec;
use alloc::vec::Vec;
use capos_abi::tcp::{BUFFER_BYTES, MAX_BACKLOG};
use capos_rt::{
    Error, ExceptionType, Received, Sent, StreamReadiness, StreamWait, TcpConnection, TcpListener,
    UdpEndpoint,
};
use core::cell::{OnceCell, RefCell};
use core::{mem, slice};

/// The kernel object behind a TCP socket, once it has one.
pub enum StreamCap {
    Connection(TcpConnection),
    Listener(TcpListener),
}

#[derive(Default)]
pub struct TcpFd {
    pub state: RefCell<Stream>,
    /// Set once, by listen, connect or accept (or the spawn that passed
    /// the socket), and kept for the socket's life.
    kernel: OnceCell<StreamCap>,
}

impl TcpFd {
    /// A socket a parent passed or `accept` made: connected, or listening.
    pub fn with(cap: StreamCap) -> TcpFd {
        let phase = match cap {
            StreamCap::Connection(_) => Phase::Connected,
            StreamCap::Listener(_) => Phase::Listening,
        };
        let fd = TcpFd::default();
        fd.state.borrow_mut().phase = phase;
        let _ = fd.kernel.set(cap);
        fd
    }

    pub fn kernel(&self) -> Option<&StreamCap> {
        self.kernel.get()
    }

    pub fn connection(&self) -> Option<&TcpConnection> {
        match self.kernel.get() {
            Some(StreamCap::Connection(c)) => Some(c),
            _ => None,
        }
    }

    pub fn listener(&self) -> Option<&TcpListener> {
        match self.kernel.get() {
            Some(StreamCap::Listener(l)) => Some(l),
            _ => None,
        }
    }

    /// Tells the connection the options the kernel does something with
    /// (TCP_NODELAY, SO_KEEPALIVE), once there is one.
    fn apply_options(&self) -> Result<(), Failure> {
        let (Some(c), Some((no_delay, keep_alive))) =
            (self.connection(), self.state.borrow().kernel_options())
        else {
            return Ok(());
        };
        match c.set_options(no_delay, keep_alive) {
            // A connection that already ended has nothing to tune.
            Ok(()) | Err(Error::Application { .. }) => Ok(()),
            Err(e) => Err(Failure::kernel(EIO, &e)),
        }
    }

    /// Takes a readiness answer about a connection being established:
    /// connected, or failed (its error then pending for SO_ERROR).
    pub fn settle(&self, r: &StreamReadiness) {
        let mut st = self.state.borrow_mut();
        if st.phase != Phase::Connecting {
            return;
        }
        if let Some(errno) = stream::failure_errno(r.failure) {
            st.phase = Phase::Done;
            st.error = errno;
        } else if r.established {
            st.phase = Phase::Connected;
        }
    }

    /// While connecting: asks the kernel how it goes without waiting.
    fn probe(&self) {
        if self.state.borrow().phase != Phase::Connecting {
            return;
        }
        if let Some(r) = self.connection().and_then(|c| probe(c, false, true)) {
            self.settle(&r);
        }
    }

    /// Waits until a connect under way ends.
    fn finish_connect(&self) -> Result<(), Failure> {
        if self.state.borrow().phase != Phase::Connecting {
            return Ok(());
        }
        let c = self.connection().ok_or(Failure::from(EIO))?;
        let r = c.ready(false, true).map_err(|e| Failure::kernel(EIO, &e))?;
        self.settle(&r);
        Ok(())
    }
}

/// A connection's readiness if the kernel answers at once; None if it
/// would wait (the wait is left to the kernel, which replaces it at the
/// next one, as poll's).
fn probe(c: &TcpConnection, read: bool, write: bool) -> Option<StreamReadiness> {
    let call = c.ready_async(read, write).ok()?;
    state::ring(|ring| ring.flush()).ok()?;
    if !call.is_complete() {
        return None;
    }
    StreamReadiness::from_reply(&call.wait().ok()?).ok()
}

fn at(s: &State, fd: i64) -> Result<Rc<Open>, Failure> {
    let open = s.fds.get(fd).map_err(|_| EBADF)?;
    match open.object {
        Object::Tcp(_) => Ok(open.clone()),
        _ => Err(ENOTSOCK.into()),
    }
}

fn fd_of(open: &Open) -> &TcpFd {
    match &open.object {
        Object::Tcp(t) => t,
        // `at` admits TCP sockets only.
        _ => unreachable!("a TCP call on a descriptor that is not a TCP socket"),
    }
}

/// The kernel's refusal of a connect or listen: a narrowed manager's is
/// reported (capOS's firewall: EPERM for a destination, EACCES for a
/// port); a port in use is EADDRINUSE.
fn manager_failure(e: &Error, listening: bool) -> Failure {
    let errno = match e {
        Error::Application { kind, reason } => match kind {
            ExceptionType::Failed if reason.contains("EADDRINUSE") => EADDRINUSE,
            ExceptionType::Failed if listening => EACCES,
            ExceptionType::Failed => EPERM,
            ExceptionType::Overloaded => ENOBUFS,
            ExceptionType::Unimplemented => ENETDOWN,
            ExceptionType::Disconnected => EIO,
        },
        Error::Transport(capos_abi::error::NO_RESOURCES) => ENOMEM,
        _ => EIO,
    };
    let reported = matches!(errno, EPERM | EACCES | ENETDOWN);
    Failure {
        errno,
        report: reported.then(|| Cow::Owned(crate::socket::kernel::reason(e).into())),
    }
}

fn v4(addr: Option<SockAddr>) -> Result<V4, Failure> {
    match addr {
        Some(SockAddr::V4(a)) => Ok(a),
        Some(SockAddr::V6(_)) => Err(EAFNOSUPPORT.into()),
        None => Err(EINVAL.into()),
    }
}

/// # Safety
/// `addr` is NULL or readable for `len` bytes.
pub unsafe fn bind(s: &mut State, fd: i64, addr: *const u8, len: i64) -> Result<i64, Failure> {
    let open = at(s, fd)?;
    // SAFETY: passed on from the contract.
    let bytes = unsafe { user::addr_in(addr, len) }?;
    let a = v4(decode(Family::Inet, bytes, Purpose::Bind)?)?;
    if a.ip != [0; 4] && a.ip != stack_ip(s)? {
        return Err(EADDRNOTAVAIL.into());
    }
    fd_of(&open).state.borrow_mut().bind(a.port)?;
    Ok(0)
}

pub fn listen(s: &mut State, fd: i64, backlog: i64) -> Result<i64, Failure> {
    let open = at(s, fd)?;
    let t = fd_of(&open);
    let Some(port) = t.state.borrow().listen()? else {
        return Ok(0);
    };
    let manager = s
        .network
        .as_ref()
        .ok_or(Failure::from(Refusal::capos(EACCES, NO_NETWORK)))?;
    // Linux takes any backlog, capped; the kernel holds at most
    // MAX_BACKLOG connections for accept.
    let backlog = (backlog as i32).clamp(1, MAX_BACKLOG as i32) as u32;
    let listener = manager
        .tcp_listen(port, backlog)
        .map_err(|e| manager_failure(&e, true))?;
    let _ = t.kernel.set(StreamCap::Listener(listener));
    t.state.borrow_mut().phase = Phase::Listening;
    Ok(0)
}

/// `accept4(fd, addr, len, flags)`; `accept` has no flags.
///
/// # Safety
/// `len` is NULL or a read-write `socklen_t`; `addr` NULL or writable
/// for what `*len` says.
pub unsafe fn accept(
    s: &mut State,
    fd: i64,
    addr: *mut u8,
    len: *mut u32,
    flags: i64,
) -> Result<i64, Failure> {
    let open = at(s, fd)?;
    if flags & !(SOCK_NONBLOCK | SOCK_CLOEXEC) != 0 {
        return Err(EINVAL.into());
    }
    let t = fd_of(&open);
    let listener = t.listener().ok_or(Failure::from(EINVAL))?;
    let nonblock = open.status.get() & O_NONBLOCK != 0;
    let conn = loop {
        if let Some(c) = listener.accept().map_err(|e| Failure::kernel(EIO, &e))? {
            break c;
        }
        if nonblock {
            return Err(EAGAIN.into());
        }
        let r = listener.ready().map_err(|e| Failure::kernel(EIO, &e))?;
        if r.hangup {
            return Err(EINVAL.into());
        }
    };
    let (_, peer) = conn.addresses().map_err(|e| Failure::kernel(EIO, &e))?;
    let accepted = TcpFd::with(StreamCap::Connection(conn));
    accepted.state.borrow_mut().options_from(&t.state.borrow());
    accepted.apply_options()?;
    let new = Open::new(Object::Tcp(accepted));
    if flags & SOCK_NONBLOCK != 0 {
        new.status.set(O_NONBLOCK);
    }
    if !addr.is_null() || !len.is_null() {
        let a = V4::from_endpoint(peer.addr, peer.port);
        // SAFETY: passed on from the contract.
        unsafe { user::addr_out(SockAddr::V4(a), addr, len) }?;
    }
    Ok(s.fds.open(Rc::new(new), flags & SOCK_CLOEXEC != 0)? as i64)
}

/// # Safety
/// `addr` is NULL or readable for `len` bytes.
pub unsafe fn connect(s: &mut State, fd: i64, addr: *const u8, len: i64) -> Result<i64, Failure> {
    let open = at(s, fd)?;
    let t = fd_of(&open);
    // SAFETY: passed on from the contract.
    let bytes = unsafe { user::addr_in(addr, len) }?;
    let peer = v4(decode(Family::Inet, bytes, Purpose::Connect)?)?;
    t.probe();
    t.state.borrow().connect()?;
    reachable(peer)?;
    let manager = s
        .network
        .as_ref()
        .ok_or(Failure::from(Refusal::capos(EACCES, NO_NETWORK)))?;
    let to = UdpEndpoint {
        addr: peer.endpoint_address(),
        port: peer.port,
    };
    let conn = manager
        .tcp_connect(to)
        .map_err(|e| manager_failure(&e, false))?;
    let _ = t.kernel.set(StreamCap::Connection(conn));
    t.state.borrow_mut().phase = Phase::Connecting;
    t.apply_options()?;
    if open.status.get() & O_NONBLOCK != 0 {
        return Err(EINPROGRESS.into());
    }
    t.finish_connect()?;
    let mut st = t.state.borrow_mut();
    match st.phase {
        Phase::Connected => Ok(0),
        _ => Err(match mem::take(&mut st.error) {
            0 => ENOTCONN,
            errno => errno,
        }
        .into()),
    }
}

pub fn shutdown(s: &State, fd: i64, how: i64) -> Result<i64, Failure> {
    let open = at(s, fd)?;
    let t = fd_of(&open);
    t.probe();
    let (read, write) = t.state.borrow_mut().shutdown(how)?;
    if let Some(c) = t.connection() {
        // A connection the peer already ended has nothing left to shut.
        let _ = c.shutdown(read, write);
    }
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
    let open = at(s, fd)?;
    let t = fd_of(&open);
    t.probe();
    let phase = t.state.borrow().phase;
    let e = match (t.kernel(), peer) {
        (Some(StreamCap::Connection(c)), _) if phase != Phase::Connecting || !peer => {
            let (local, remote) = c.addresses().map_err(|_| ENOTCONN)?;
            if peer { remote } else { local }
        }
        (Some(StreamCap::Listener(l)), false) => {
            l.local_address().map_err(|e| Failure::kernel(EIO, &e))?
        }
        (_, true) => return Err(ENOTCONN.into()),
        (None, false) => UdpEndpoint {
            addr: 0,
            port: match phase {
                Phase::Bound(p) => p,
                _ => 0,
            },
        },
        (Some(StreamCap::Connection(_)), false) => unreachable!("matched above"),
    };
    let a = V4::from_endpoint(e.addr, e.port);
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
    let open = at(s, fd)?;
    // SAFETY: passed on from the contract.
    let bytes = unsafe { linger_in(value, len) };
    let set = stream::decode_set(level, name, bytes, len)?;
    let t = fd_of(&open);
    t.state.borrow_mut().set(set);
    t.apply_options()?;
    Ok(0)
}

/// The option bytes C passed: up to a timeval's (SO_LINGER's 8 fit).
///
/// # Safety
/// `ptr` is NULL or readable for the length `len` gives.
unsafe fn linger_in<'a>(ptr: *const u8, len: i64) -> Option<&'a [u8]> {
    // SAFETY: passed on from the contract.
    unsafe { user::option_in(ptr, len) }
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
    let open = at(s, fd)?;
    // SAFETY: passed on from the contract.
    unsafe { super::calls::check_option_length(len) }?;
    let get = stream::decode_get(level, name)?;
    let t = fd_of(&open);
    t.probe();
    let (bytes, n) = t.state.borrow_mut().get(get, BUFFER_BYTES as i32)?;
    // SAFETY: passed on from the contract.
    unsafe { user::option_out(&bytes[..n], value, len) }?;
    Ok(0)
}

/// Whether a call on `open` with `dontwait` must not wait.
fn nonblocking(open: &Open, dontwait: bool) -> bool {
    dontwait || open.status.get() & O_NONBLOCK != 0
}

/// Before data moves: a connect under way is waited for (or EAGAIN
/// without waiting); then the connection, or why there is none.
fn ready_for_data(t: &TcpFd, nonblock: bool) -> Result<&TcpConnection, Failure> {
    t.probe();
    if t.state.borrow().phase == Phase::Connecting {
        if nonblock {
            return Err(EAGAIN.into());
        }
        t.finish_connect()?;
    }
    t.state.borrow_mut().connected()?;
    t.connection().ok_or(Failure::from(ENOTCONN))
}

/// The errno of a send the kernel refused: the connection's failure, or
/// EPIPE (writing shut, or the connection closed).
fn send_failure(s: &mut State, c: &TcpConnection, nosignal: bool) -> Failure {
    let errno = probe(c, true, true)
        .and_then(|r| stream::failure_errno(r.failure))
        .unwrap_or(EPIPE);
    if errno == EPIPE && !nosignal {
        return crate::sigcall::broken_pipe(s).into();
    }
    errno.into()
}

/// How long a send may still wait for room: SO_SNDTIMEO bounds the
/// whole call, as Linux's `sk_stream_wait_memory` counts its time down
/// across waits. None: the time is up.
fn send_wait(s: &State, timeout: Timeout, deadline: Option<u64>) -> Option<StreamWait> {
    match (timeout, deadline) {
        (Timeout::Forever, _) => Some(StreamWait::Forever),
        (Timeout::Ns(0), _) => Some(StreamWait::Never),
        (Timeout::Ns(ns), None) => Some(StreamWait::For(ns)),
        (Timeout::Ns(ns), Some(d)) => match super::io::now(s) {
            Some(now) if now >= d => None,
            Some(now) => Some(StreamWait::For(d - now)),
            None => Some(StreamWait::For(ns)),
        },
    }
}

/// Sends `data` on the socket at `open` (a whole buffer unless
/// non-blocking, as Linux's blocking send; with SO_SNDTIMEO, what was
/// sent when the time ran out, or EAGAIN if nothing was).
pub fn send(
    s: &mut State,
    open: &Open,
    data: &[u8],
    dontwait: bool,
    nosignal: bool,
) -> Result<i64, Failure> {
    let t = fd_of(open);
    let nonblock = nonblocking(open, dontwait);
    let c = ready_for_data(t, nonblock)?;
    if let Err(errno) = t.state.borrow_mut().may_send() {
        if errno == EPIPE && !nosignal {
            return Err(crate::sigcall::broken_pipe(s).into());
        }
        return Err(errno.into());
    }
    if data.is_empty() {
        return Ok(0);
    }
    let timeout = if nonblock {
        Timeout::Ns(0)
    } else {
        t.state.borrow().sndtimeo
    };
    let deadline = match timeout {
        Timeout::Ns(ns) if ns > 0 => super::io::now(s).map(|now| now.saturating_add(ns)),
        _ => None,
    };
    let mut sent = 0;
    while sent < data.len() {
        let Some(wait) = send_wait(s, timeout, deadline) else {
            break;
        };
        match c.send_for(&data[sent..], wait) {
            Ok(Sent::Bytes(0)) | Ok(Sent::TimedOut) => break,
            Ok(Sent::Bytes(n)) => sent += n,
            Err(_) if sent > 0 => break,
            Err(_) => return Err(send_failure(s, c, nosignal)),
        }
        if wait == StreamWait::Never {
            break;
        }
    }
    if sent == 0 {
        return Err(EAGAIN.into());
    }
    Ok(sent as i64)
}

/// close(2) of the last descriptor of the socket at `open`: with
/// SO_LINGER on, a zero time resets the connection at once (RST), and a
/// longer one waits until the peer has acknowledged everything sent and
/// the FIN, or the time passes. Linux's close returns 0 either way, and
/// so does this; without SO_LINGER the release of the capability closes
/// in the background, as before.
pub fn linger_close(open: &Open) {
    let t = fd_of(open);
    let (on, secs) = t.state.borrow().linger();
    let Some(c) = t.connection() else {
        return;
    };
    if !on {
        return;
    }
    // A negative time is no limit (Linux's unsigned reading of it).
    let timeout_ns = u64::try_from(secs).map_or(0, |s| s.saturating_mul(1_000_000_000));
    // A connection that already ended has nothing to linger over.
    let _ = c.close_linger(secs == 0, timeout_ns);
}

/// Receives into `buf` from the socket at `open`.
pub fn recv(
    open: &Open,
    buf: &mut [u8],
    dontwait: bool,
    peek: bool,
    waitall: bool,
) -> Result<i64, Failure> {
    let t = fd_of(open);
    let nonblock = nonblocking(open, dontwait);
    let c = ready_for_data(t, nonblock)?;
    if t.state.borrow().read_shut || buf.is_empty() {
        return Ok(0);
    }
    let wait = match (nonblock, t.state.borrow().rcvtimeo) {
        (true, _) | (false, Timeout::Ns(0)) => StreamWait::Never,
        (false, Timeout::Forever) => StreamWait::Forever,
        (false, Timeout::Ns(ns)) => StreamWait::For(ns),
    };
    let mut got = 0;
    loop {
        let room = &mut buf[got..];
        match c
            .receive(room, wait, peek)
            .map_err(|e| Failure::kernel(EIO, &e))?
        {
            Received::Bytes(n) => got += n,
            Received::End(f) => {
                if got == 0
                    && let Some(errno) = stream::failure_errno(f)
                {
                    // Reported once, as Linux; later reads see the end.
                    let mut st = t.state.borrow_mut();
                    st.phase = Phase::Done;
                    st.read_shut = true;
                    return Err(errno.into());
                }
                break;
            }
            Received::WouldBlock | Received::TimedOut if got == 0 => return Err(EAGAIN.into()),
            Received::WouldBlock | Received::TimedOut => break,
        }
        if !waitall || peek || got == buf.len() || wait == StreamWait::Never {
            break;
        }
    }
    Ok(got as i64)
}

/// # Safety
/// `buf` is readable for `len` bytes.
pub unsafe fn sendto(
    s: &mut State,
    fd: i64,
    buf: *const u8,
    len: usize,
    flags: i64,
) -> Result<i64, Failure> {
    let open = at(s, fd)?;
    let f = msg::send_flags(flags)?;
    if len > 0 && buf.is_null() {
        return Err(EFAULT.into());
    }
    let data: &[u8] = if len == 0 {
        &[]
    } else {
        // SAFETY: readable for `len` bytes per the contract.
        unsafe { slice::from_raw_parts(buf, len) }
    };
    let nosignal = flags & crate::linux::net::MSG_NOSIGNAL != 0;
    send(s, &open, data, f.dontwait, nosignal)
}

/// `recvfrom`: a TCP socket names no sender; `*addrlen` becomes 0, as on
/// Linux.
///
/// # Safety
/// `buf` is writable for `len` bytes; `addrlen` NULL or a read-write
/// `socklen_t`.
pub unsafe fn recvfrom(
    s: &State,
    fd: i64,
    buf: *mut u8,
    len: usize,
    flags: i64,
    addrlen: *mut u32,
) -> Result<i64, Failure> {
    let open = at(s, fd)?;
    let f = msg::recv_flags(flags)?;
    if f.trunc || f.errqueue {
        return Err(
            Refusal::capos(EOPNOTSUPP, "MSG_TRUNC and MSG_ERRQUEUE on a TCP socket").into(),
        );
    }
    if len > 0 && buf.is_null() {
        return Err(EFAULT.into());
    }
    let out: &mut [u8] = if len == 0 {
        &mut []
    } else {
        // SAFETY: writable for `len` bytes per the contract.
        unsafe { slice::from_raw_parts_mut(buf, len) }
    };
    let waitall = flags & MSG_WAITALL != 0;
    let n = recv(&open, out, f.dontwait, f.peek, waitall)?;
    if !addrlen.is_null() {
        // SAFETY: a writable socklen_t per the contract.
        unsafe { addrlen.write_unaligned(0) };
    }
    Ok(n)
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

/// `sendmsg`: the iovecs gathered and sent as one stream write; a name
/// is ignored on a connected socket, as on Linux.
///
/// # Safety
/// `m` is NULL or a readable `struct msghdr` whose pointers are valid.
pub unsafe fn sendmsg(
    s: &mut State,
    fd: i64,
    m: *const MsgHdr,
    flags: i64,
) -> Result<i64, Failure> {
    let open = at(s, fd)?;
    if m.is_null() {
        return Err(EFAULT.into());
    }
    // SAFETY: a readable msghdr per the contract.
    let h = unsafe { m.read_unaligned() };
    let header = msg::header(&h)?;
    msg::send_control(&h)?;
    let f = msg::send_flags(flags)?;
    // SAFETY: per the contract; header() refused NULL with entries.
    let iovs = unsafe { iovecs(header.iov, header.iovlen) };
    let total = msg::iov_total(iovs)?;
    let parts: Vec<&[u8]> = iovs
        .iter()
        .filter(|v| v.len > 0)
        // SAFETY: each iovec names readable memory.
        .map(|v| unsafe { slice::from_raw_parts(v.base as *const u8, v.len as usize) })
        .collect();
    let nosignal = flags & crate::linux::net::MSG_NOSIGNAL != 0;
    send(s, &open, &msg::gather(&parts, total), f.dontwait, nosignal)
}

/// `recvmsg`: one receive scattered over the iovecs; no name, no control
/// messages.
///
/// # Safety
/// `m` is NULL or a read-write `struct msghdr` whose pointers are valid.
pub unsafe fn recvmsg(s: &State, fd: i64, m: *mut MsgHdr, flags: i64) -> Result<i64, Failure> {
    let open = at(s, fd)?;
    if m.is_null() {
        return Err(EFAULT.into());
    }
    // SAFETY: a readable msghdr per the contract.
    let h = unsafe { m.read_unaligned() };
    let header = msg::header(&h)?;
    let f = msg::recv_flags(flags)?;
    if f.trunc || f.errqueue {
        return Err(
            Refusal::capos(EOPNOTSUPP, "MSG_TRUNC and MSG_ERRQUEUE on a TCP socket").into(),
        );
    }
    // SAFETY: per the contract; header() refused NULL with entries.
    let iovs = unsafe { iovecs(header.iov, header.iovlen) };
    let room = msg::iov_total(iovs)?;
    let mut buf = vec![0u8; room.min(BUFFER_BYTES)];
    let n = recv(
        &open,
        &mut buf,
        f.dontwait,
        f.peek,
        flags & MSG_WAITALL != 0,
    )? as usize;
    let mut parts: Vec<&mut [u8]> = iovs
        .iter()
        .filter(|v| v.len > 0)
        // SAFETY: each iovec names writable memory per the contract.
        .map(|v| unsafe { slice::from_raw_parts_mut(v.base as *mut u8, v.len as usize) })
        .collect();
    msg::scatter(&buf[..n], &mut parts);
    let base = m as *mut u8;
    // SAFETY: fields of the read-write msghdr per the contract.
    unsafe {
        if header.name.is_some() {
            (base.add(mem::offset_of!(MsgHdr, namelen)) as *mut u32).write_unaligned(0);
        }
        (base.add(mem::offset_of!(MsgHdr, controllen)) as *mut u64).write_unaligned(0);
        (base.add(mem::offset_of!(MsgHdr, flags)) as *mut i32).write_unaligned(0);
    }
    Ok(n as i64)
}

/// `ioctl(FIONREAD)`: the bytes buffered now.
///
/// # Safety
/// `out` is NULL or a writable int.
pub unsafe fn pending(s: &State, fd: i64, out: *mut i32) -> Result<i64, Failure> {
    let open = at(s, fd)?;
    if out.is_null() {
        return Err(EFAULT.into());
    }
    let t = fd_of(&open);
    let n = match t.connection() {
        Some(c) if t.state.borrow().phase == Phase::Connected => {
            let mut buf = vec![0u8; BUFFER_BYTES];
            match c.receive(&mut buf, StreamWait::Never, true) {
                Ok(Received::Bytes(n)) => n,
                _ => 0,
            }
        }
        _ => 0,
    };
    // SAFETY: a writable int per the contract.
    unsafe { out.write_unaligned(n as i32) };
    Ok(0)
}
