//! `poll`, `ppoll`, `select` and `pselect6`: waiting on several
//! descriptors at once, over the ring (what they compute is poll.rs).
//!
//! Each distinct pipe half and socket polled gets one readiness call
//! (PipeReader/PipeWriter/UdpSocket.ready), submitted together and handed
//! to the kernel in one entry; those already ready complete in that
//! entry. If none is, the process waits in `cap_enter` with the timeout
//! until one completes. The calls left waiting are abandoned: the kernel
//! keeps at most one per process and pipe half or socket and answers it
//! when the next poll asks again, so polling in a loop piles nothing up.
//! The console is always writable and never readable; a UDP socket is
//! always writable (a send never waits) and readable once a datagram is
//! there for it. A TCP connection's wait asks for what the first entry
//! naming it wants (reading, writing); a listener is readable when a
//! connection waits to be accepted. A terminal is always writable and
//! readable when a read would not wait. Only a terminal's signal
//! character interrupts the wait (the caller then acts on it,
//! dispatch.rs's `interruptible`); ppoll's and pselect6's signal masks
//! change nothing.

use crate::interrupt;
use crate::linux::errno::{EFAULT, EINTR, EINVAL, EIO};
use crate::net::object::UdpFd;
use crate::net::stream::StreamCap;
use crate::poll::{
    self, FdSet, MAX_POLL_FDS, POLLIN, POLLNVAL, POLLOUT, POLLRDHUP, POLLRDNORM, POLLWRNORM,
    PollFd, revents,
};
use crate::signal::SIGSET_SIZE;
use crate::socket::addr::V4;
use crate::socket::datagram::Datagram;
use crate::state::{self, Object, Open, State};
use alloc::rc::Rc;
use alloc::vec::Vec;
use capos_abi::udp::MAX_PAYLOAD;
use capos_rt::{
    PendingCall, Readiness, Recv, RecvWait, StreamReadiness, TcpFailure, TermReadiness,
};
use core::slice;

/// One object polled, however many entries name it.
struct Polled {
    open: Rc<Open>,
    call: Option<PendingCall>,
    state: poll::State,
}

/// Waits until an entry has events or `timeout` (ns; None: forever)
/// passes; fills every `revents` and returns how many entries have some.
pub fn wait(s: &mut State, entries: &mut [PollFd], timeout: Option<u64>) -> Result<i64, i64> {
    let mut polled: Vec<Polled> = Vec::new();
    // For each entry, its object in `polled`.
    let mut which: Vec<Option<usize>> = Vec::with_capacity(entries.len());
    for e in entries.iter_mut() {
        e.revents = 0;
        if e.fd < 0 {
            which.push(None);
            continue;
        }
        let Ok(open) = s.fds.get(i64::from(e.fd)) else {
            e.revents = POLLNVAL;
            which.push(None);
            continue;
        };
        if let Some(i) = polled.iter().position(|p| Rc::ptr_eq(&p.open, open)) {
            which.push(Some(i));
            continue;
        }
        let (call, state) = match &open.object {
            Object::Console(_) => (None, poll::State::WriteOnly),
            Object::Terminal(t) => (
                Some(t.ready_async(s.groups.pgid as u32)),
                poll::State::Terminal { readable: false },
            ),
            Object::PipeReader(r) => (Some(r.ready_async()), poll::State::Unknown),
            Object::PipeWriter(w) => (Some(w.ready_async()), poll::State::Unknown),
            Object::File(_) | Object::Directory(_) => (None, poll::State::Always),
            // Polling an interest list is not supported (epoll_call.rs).
            Object::Epoll(_) => return Err(EINVAL),
            Object::Tcp(t) => match t.kernel() {
                Some(StreamCap::Listener(l)) => (Some(l.ready_async()), poll::State::Unknown),
                // Asked for what this entry wants: a readiness wait that
                // settles on anything would wake at once for a writable
                // connection polled for input only.
                Some(StreamCap::Connection(c)) => (
                    Some(c.ready_async(
                        e.events & (POLLIN | POLLRDNORM | POLLRDHUP) != 0,
                        e.events & (POLLOUT | POLLWRNORM) != 0,
                    )),
                    poll::State::Unknown,
                ),
                // Not connected: Linux's tcp_poll says POLLOUT|POLLHUP for
                // a closed socket; a fresh one only POLLHUP.
                None => (
                    None,
                    poll::State::Stream {
                        readable: false,
                        writable: false,
                        read_end: false,
                        hangup: true,
                        error: false,
                    },
                ),
            },
            Object::Udp(u) => match u.kernel() {
                // Asked only when the answer is not known already: a
                // peeked datagram waits, reads are shut (readable as end
                // of data), or nothing can arrive (no port).
                // Until the kernel answers, it is not readable; it is
                // writable all along (a send never waits).
                Some(k) if u.held.borrow().is_empty() && !u.udp.borrow().read_shut() => {
                    (Some(k.ready_async()), socket_state(u, false, false))
                }
                _ => (None, socket_state(u, !u.held.borrow().is_empty(), false)),
            },
        };
        let call = call.transpose().map_err(|_| EIO)?;
        which.push(Some(polled.len()));
        polled.push(Polled {
            open: open.clone(),
            call,
            state,
        });
    }
    let start = now(s);
    // Signals posted by the kernel end the poll too (interrupt.rs).
    interrupt::declare(s);
    state::ring(|ring| ring.flush())?;
    loop {
        for p in polled.iter_mut() {
            if p.call.as_ref().is_some_and(PendingCall::is_complete) {
                let reply = p.call.take().ok_or(EIO)?.wait().map_err(|_| EIO)?;
                if let Object::Terminal(t) = &p.open.object {
                    let r = TermReadiness::from_reply(&reply).map_err(|_| EIO)?;
                    if r.signal != 0 {
                        // Acted on by the poll's caller (it may end the
                        // poll with EINTR); the wait goes on meanwhile.
                        s.arrived.set(r.signal);
                        return Err(EINTR);
                    }
                    if !r.ready {
                        // Replaced by a newer wait of ours: wait again.
                        p.call = Some(t.ready_async(s.groups.pgid as u32).map_err(|_| EIO)?);
                    }
                    p.state = poll::State::Terminal { readable: r.ready };
                    continue;
                }
                if let Object::Tcp(t) = &p.open.object
                    && t.connection().is_some()
                {
                    let r = StreamReadiness::from_reply(&reply).map_err(|_| EIO)?;
                    t.settle(&r);
                    let failed = r.failure != TcpFailure::None && r.failure != TcpFailure::Closed;
                    p.state = poll::State::Stream {
                        readable: r.readable,
                        writable: r.writable,
                        read_end: r.readable && r.hangup,
                        hangup: r.hangup,
                        error: failed,
                    };
                    continue;
                }
                let r = Readiness::from_reply(&reply).map_err(|_| EIO)?;
                p.state = match &p.open.object {
                    Object::PipeReader(_) | Object::Tcp(_) => poll::State::Reader {
                        ready: r.ready,
                        hangup: r.hangup,
                    },
                    Object::Udp(u) => {
                        let readable = r.ready && settle(u);
                        if r.ready && !readable {
                            // Only others' datagrams were queued: wait on.
                            p.call = u
                                .kernel()
                                .map(|k| k.ready_async())
                                .transpose()
                                .map_err(|_| EIO)?;
                        }
                        socket_state(u, readable, r.hangup)
                    }
                    _ => poll::State::Writer {
                        ready: r.ready,
                        hangup: r.hangup,
                    },
                };
            }
        }
        let mut ready = 0;
        for (e, w) in entries.iter_mut().zip(&which) {
            if let Some(i) = *w {
                e.revents = revents(e.events, polled[i].state);
            }
            ready += i64::from(e.revents != 0);
        }
        let left = match (timeout, start) {
            (None, _) => None,
            (Some(t), Some(start)) => Some(t.saturating_sub(now(s).unwrap_or(u64::MAX) - start)),
            // Without a clock, each wake-up waits the whole timeout again.
            (Some(t), None) => Some(t),
        };
        if ready > 0 || left == Some(0) {
            return Ok(ready);
        }
        let sig = interrupt::kernel_signal(s);
        if sig != 0 {
            // Acted on by the poll's caller, as a terminal's.
            s.arrived.set(sig);
            return Err(EINTR);
        }
        match left {
            None => state::ring(|ring| ring.wait(1).map(drop))?,
            Some(ns) => {
                let woken = libcapos::runtime::with_runtime(|rt| rt.ring().enter(1, ns))
                    .ok_or(EIO)?
                    .map_err(|_| EIO)?;
                // Nothing arrived: the timeout passed.
                if woken == 0 && start.is_none() {
                    return Ok(0);
                }
            }
        }
    }
}

/// A socket's readiness: `readable` (a datagram is there for a
/// receive), its shut directions, and `closed` (the kernel's socket was
/// closed by another holder: as shut both ways).
fn socket_state(u: &UdpFd, readable: bool, closed: bool) -> poll::State {
    let state = u.udp.borrow();
    poll::State::Socket {
        readable,
        read_shut: state.read_shut() || closed,
        hangup: state.hung_up() || closed,
    }
}

/// After the kernel said a datagram is queued: whether one is there for a
/// receive. A connected socket hears only its peer, so others' datagrams
/// ahead of it are taken and dropped (as a receive would), and the
/// peer's first is held for the next receive, so readiness never claims
/// a datagram the receive would not return.
fn settle(u: &UdpFd) -> bool {
    let Some(peer) = u.udp.borrow().connected() else {
        return true;
    };
    let Some(k) = u.kernel() else {
        return false;
    };
    let mut buf = alloc::vec![0u8; MAX_PAYLOAD];
    loop {
        match k.recv_from(&mut buf, RecvWait::Never) {
            Ok(Recv::Datagram {
                len,
                from,
                truncated,
            }) => {
                let from = V4::from_endpoint(from.addr, from.port);
                if from != peer {
                    continue;
                }
                u.held.borrow_mut().hold(Datagram {
                    from,
                    data: buf[..len].to_vec(),
                    cut: truncated,
                });
                return true;
            }
            Ok(_) => return false,
            // Readable: the receive meets the failure and reports it.
            Err(_) => return true,
        }
    }
}

/// Monotonic nanoseconds, if the process has a timer.
fn now(s: &State) -> Option<u64> {
    s.timer.as_ref()?.now().ok()
}

/// `poll(fds, nfds, timeout_ms)` and `ppoll(fds, nfds, tsp, sigmask,
/// sigsetsize)` with the timeout already read.
///
/// # Safety
/// `fds` is NULL or points to `nfds` read-write `struct pollfd`s.
pub unsafe fn poll(
    s: &mut State,
    fds: *mut PollFd,
    nfds: u64,
    timeout: Option<u64>,
) -> Result<i64, i64> {
    if nfds > MAX_POLL_FDS {
        return Err(EINVAL);
    }
    if nfds > 0 && fds.is_null() {
        return Err(EFAULT);
    }
    let entries: &mut [PollFd] = if nfds == 0 {
        &mut []
    } else {
        // SAFETY: `nfds` entries, read-write, per the contract.
        unsafe { slice::from_raw_parts_mut(fds, nfds as usize) }
    };
    wait(s, entries, timeout)
}

/// Checks ppoll's and pselect6's signal mask size (the mask itself
/// changes nothing: no signal can interrupt the wait).
pub fn check_sigmask(mask: i64, size: i64) -> Result<(), i64> {
    if mask != 0 && size != SIGSET_SIZE {
        return Err(EINVAL);
    }
    Ok(())
}

/// Reads a `struct timespec` (`unit_ns` 1) or `struct timeval` (1000) as
/// a timeout; NULL waits forever.
///
/// # Safety
/// `ts` is NULL or points to two readable longs.
pub unsafe fn timeout(ts: *const i64, unit_ns: i64) -> Result<Option<u64>, i64> {
    if ts.is_null() {
        return Ok(None);
    }
    // SAFETY: two readable longs per the contract.
    let (sec, frac) = unsafe { (ts.read_unaligned(), ts.add(1).read_unaligned()) };
    poll::duration(sec, frac, unit_ns).map(Some)
}

/// `select` and `pselect6`, with the timeout already read. The timeout is
/// not updated with the time left (POSIX allows either).
///
/// # Safety
/// Each set is NULL or a read-write `fd_set`.
pub unsafe fn select(
    s: &mut State,
    nfds: i64,
    read: *mut FdSet,
    write: *mut FdSet,
    except: *mut FdSet,
    timeout: Option<u64>,
) -> Result<i64, i64> {
    // SAFETY: NULL or a valid fd_set each, per the contract.
    let (r, w, x) = unsafe { (read.as_mut(), write.as_mut(), except.as_mut()) };
    let mut entries = poll::from_sets(nfds, r.as_deref(), w.as_deref(), x.as_deref())?;
    wait(s, &mut entries, timeout)?;
    poll::to_sets(&entries, r, w, x)
}
