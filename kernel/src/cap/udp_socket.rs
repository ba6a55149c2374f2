//! The UdpSocket capability: one bound UDP port, made by NetworkManager.
//!
//! What a socket does (its queue, its waiting calls, its counters) is
//! capos_lib::udp, kept by the network state (kernel/src/net/); this file
//! puts it behind the ring. A receive or readiness wait that cannot be
//! answered now is kept by the socket and answered when a datagram
//! arrives, when its timeout passes (the timer polls the network), or when
//! the socket closes; so it never holds up the caller's other ring work.
//! Copies of the capability share one socket; the port is unbound when
//! the last holder lets go (or dies), or at once by `close`.

use alloc::boxed::Box;
use alloc::format;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicBool, Ordering};

use capnp::message::{Builder, HeapAllocator};
use capos_abi::udp::{MAX_PAYLOAD, QUEUE_BYTES, QUEUE_DATAGRAMS, RECV_OVERHEAD};
use capos_lib::account::Charge;
use capos_lib::udp::{Endpoint, Event, Readiness, Received, SendError, SocketId, wire};
use capos_schema::ExceptionType;
use capos_schema::capos_capnp::{udp_endpoint, udp_socket};
use capos_schema::interface_id;

use super::hangup::{self, Hangup};
use super::{ALLOC_SLACK, CallCtx, CallError, CapObject, Params, Reply, Wait, encode, new_message};
use crate::net::{self, Dotted, SocketEvent, Waiting};
use crate::ring::{Completion, complete};
use crate::sched::Kernel;

/// What every holder shares; it outlives the last holder until the hangup
/// queue has unbound the port.
pub struct Shared {
    id: SocketId,
    port: u16,
    closed: AtomicBool,
    /// The creator pays for the socket, its receive queue at its fullest
    /// and its narrowing set.
    _charge: Charge,
}

pub struct UdpSocket(Arc<Shared>);

/// The heap a socket is charged for: this object and its shared part, the
/// table's entry for it (an allowance for the entry and its place in two
/// ordered maps), its narrowing set of `allowed` entries, and its queue
/// full (payload bytes plus each datagram's record).
pub fn socket_bytes(allowed: usize) -> usize {
    size_of::<UdpSocket>()
        + size_of::<Shared>()
        + 256
        + allowed * size_of::<Endpoint>()
        + QUEUE_BYTES
        + QUEUE_DATAGRAMS * (32 + ALLOC_SLACK)
        + 6 * ALLOC_SLACK
}

impl UdpSocket {
    pub fn new(id: SocketId, port: u16, charge: Charge) -> Self {
        UdpSocket(Arc::new(Shared {
            id,
            port,
            closed: AtomicBool::new(false),
            _charge: charge,
        }))
    }
}

impl Drop for UdpSocket {
    fn drop(&mut self) {
        hangup::defer(self.0.clone());
    }
}

/// The last holder has gone: unbind the port and answer its waiters.
impl Hangup for Shared {
    fn hang_up(&self, k: &mut Kernel) {
        close(k, self);
    }
}

fn close(k: &mut Kernel, shared: &Shared) {
    shared.closed.store(true, Ordering::Relaxed);
    let mut events = Vec::new();
    if let Some(net) = net::lock().as_mut() {
        net.udp.close(shared.id, &mut events);
    }
    deliver(k, events);
}

/// Answers the calls the network settled.
pub fn deliver(k: &mut Kernel, events: Vec<SocketEvent>) {
    for event in events {
        let (waiting, outcome) = match event {
            Event::Received(w, r) => (w, Completion::reply(encode_recv(Some(&r), false, false))),
            Event::TimedOut(w) => (w, Completion::reply(encode_recv(None, false, true))),
            Event::Closed(w) => (w, Completion::exception(closed_exception())),
            Event::Ready(w, r) => (w, Completion::reply(encode_ready(r))),
        };
        complete(k, waiting.call, outcome);
    }
}

fn closed_exception() -> Vec<u8> {
    super::encode_exception(ExceptionType::Disconnected, "socket closed")
}

fn closed() -> CallError {
    CallError::Exception(ExceptionType::Disconnected, "socket closed".into())
}

pub fn endpoint(r: udp_endpoint::Reader) -> Endpoint {
    Endpoint {
        addr: r.get_address(),
        port: r.get_port(),
    }
}

pub fn set_endpoint(mut b: udp_endpoint::Builder, e: Endpoint) {
    b.set_address(e.addr);
    b.set_port(e.port);
}

/// `from` as "a.b.c.d:port".
pub struct Shown(pub Endpoint);

impl core::fmt::Display for Shown {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}:{}", Dotted(self.0.addr), self.0.port)
    }
}

/// A recvFrom result: a datagram, nothing (would block), or a timeout.
fn encode_recv(got: Option<&Received>, would_block: bool, timed_out: bool) -> Vec<u8> {
    let len = got.map_or(0, |r| r.data.len());
    // One segment holding everything, so the result is exactly
    // RECV_OVERHEAD bytes plus the padded data (what recvFrom promised fits).
    let words = (RECV_OVERHEAD - 8) / 8 + len.div_ceil(8);
    let mut message = Builder::new(HeapAllocator::new().first_segment_words(words as u32));
    let mut results = message.init_root::<udp_socket::recv_from_results::Builder>();
    match got {
        Some(r) => {
            results.set_data(&r.data);
            set_endpoint(results.reborrow().init_from(), r.from);
            results.set_truncated(r.truncated);
        }
        None => {
            results.set_data(&[]);
            results.reborrow().init_from();
        }
    }
    results.set_would_block(would_block);
    results.set_timed_out(timed_out);
    encode(&message)
}

fn encode_ready(r: Readiness) -> Vec<u8> {
    let mut message = new_message();
    let mut results = message.init_root::<udp_socket::ready_results::Builder>();
    results.set_ready(r.ready);
    results.set_hangup(r.hangup);
    encode(&message)
}

fn no_device() -> CallError {
    CallError::Exception(ExceptionType::Unimplemented, "no network device".into())
}

impl UdpSocket {
    fn send_to(&self, params: &Params) -> Result<Reply, CallError> {
        let p: udp_socket::send_to_params::Reader = params.get_root()?;
        let to = endpoint(p.get_to()?);
        let data = p.get_data()?;
        let mut guard = net::lock();
        let net = guard.as_mut().ok_or_else(no_device)?;
        net.udp
            .send(self.0.id, to, data.len())
            .map_err(|e| match e {
                SendError::Closed => closed(),
                SendError::NotAllowed(to) => CallError::Exception(
                    ExceptionType::Failed,
                    format!(
                        "destination {} is not among this socket's allowed destinations",
                        Shown(to)
                    ),
                ),
                SendError::TooLarge(n) => CallError::Exception(
                    ExceptionType::Failed,
                    format!("datagram of {n} bytes is longer than {MAX_PAYLOAD} (EMSGSIZE)"),
                ),
                SendError::BadDestination(to) => CallError::Exception(
                    ExceptionType::Failed,
                    format!("{} is not a destination", Shown(to)),
                ),
            })?;
        let mut packet =
            super::try_with_capacity(wire::IPV4_HEADER + wire::UDP_HEADER + data.len())
                .ok_or_else(|| {
                    CallError::Exception(ExceptionType::Overloaded, "kernel heap exhausted".into())
                })?;
        let from = Endpoint {
            addr: net.config.address,
            port: self.0.port,
        };
        wire::build(from, to, net.ident, data, &mut packet);
        net.ident = net.ident.wrapping_add(1);
        if !net.stack.send(&packet, crate::time::now_ns()) {
            net.udp.stats.sent -= 1;
            return Err(CallError::Exception(
                ExceptionType::Overloaded,
                "transmit queue full (the gateway's address is still being resolved)".into(),
            ));
        }
        Ok(super::empty_reply())
    }

    fn recv_from(&self, ctx: &mut CallCtx, params: &Params) -> Result<Reply, CallError> {
        let p: udp_socket::recv_from_params::Reader = params.get_root()?;
        if (ctx.result_capacity as usize) < RECV_OVERHEAD {
            return Err(CallError::ResultTooSmall(RECV_OVERHEAD));
        }
        // As much as fits the caller's result buffer: the data is padded
        // to whole words after RECV_OVERHEAD bytes of framing.
        let fits = (ctx.result_capacity as usize - RECV_OVERHEAD) & !7;
        let max = (p.get_max() as usize).min(fits).min(MAX_PAYLOAD);
        let mut events = Vec::new();
        let reply = {
            let mut guard = net::lock();
            let net = guard.as_mut().ok_or_else(no_device)?;
            match net.udp.recv_now(self.0.id, max) {
                None => Err(closed()),
                Some(Some(got)) => Ok(Reply::Done(encode_recv(Some(&got), false, false))),
                Some(None) if !p.get_wait() => Ok(Reply::Done(encode_recv(None, true, false))),
                Some(None) => {
                    let timeout = p.get_timeout_ns();
                    // A deadline past the clock's range is the same as none.
                    let deadline = match timeout {
                        0 => None,
                        t => crate::time::now_ns().checked_add(t),
                    };
                    let waiting = Waiting::new(ctx, max)?;
                    net.udp
                        .queue_recv(self.0.id, waiting, max, deadline, &mut events);
                    Ok(Reply::Pending(Wait::Taken))
                }
            }
        };
        deliver(ctx.kernel, events);
        reply
    }

    fn ready(&self, ctx: &mut CallCtx, params: &Params) -> Result<Reply, CallError> {
        let _: udp_socket::ready_params::Reader = params.get_root()?;
        let mut events = Vec::new();
        let reply = {
            let mut guard = net::lock();
            let net = guard.as_mut().ok_or_else(no_device)?;
            let now = net.udp.readiness(self.0.id);
            if now.settled() {
                Reply::Done(encode_ready(now))
            } else {
                let waiting = ctx.quiet_wait(|ctx| Waiting::new(ctx, 0))?;
                net.udp.wait_ready(self.0.id, waiting, &mut events);
                Reply::Pending(Wait::Taken)
            }
        };
        deliver(ctx.kernel, events);
        Ok(reply)
    }

    fn local_address(&self, params: &Params) -> Result<Reply, CallError> {
        let _: udp_socket::local_address_params::Reader = params.get_root()?;
        let guard = net::lock();
        let net = guard.as_ref().ok_or_else(no_device)?;
        if self.0.closed.load(Ordering::Relaxed) || net.udp.port(self.0.id).is_none() {
            return Err(closed());
        }
        let mut message = new_message();
        let results = message.init_root::<udp_socket::local_address_results::Builder>();
        set_endpoint(
            results.init_local(),
            Endpoint {
                addr: net.config.address,
                port: self.0.port,
            },
        );
        Ok(Reply::Done(encode(&message)))
    }

    fn stats(&self, params: &Params) -> Result<Reply, CallError> {
        let _: udp_socket::stats_params::Reader = params.get_root()?;
        let guard = net::lock();
        let net = guard.as_ref().ok_or_else(no_device)?;
        let s = net.udp.socket_stats(self.0.id).ok_or_else(closed)?;
        let mut message = new_message();
        let mut results = message.init_root::<udp_socket::stats_results::Builder>();
        results.set_received(s.received);
        results.set_queue_full(s.queue_full);
        results.set_filtered(s.filtered);
        results.set_queued(s.queued);
        Ok(Reply::Done(encode(&message)))
    }
}

impl CapObject for UdpSocket {
    fn interface_id(&self) -> u64 {
        interface_id::UDP_SOCKET
    }

    fn call(&self, ctx: &mut CallCtx, method: u16, params: &Params) -> Result<Reply, CallError> {
        match method {
            0 => self.send_to(params),
            1 => self.recv_from(ctx, params),
            2 => self.ready(ctx, params),
            3 => self.local_address(params),
            4 => {
                let _: udp_socket::close_params::Reader = params.get_root()?;
                close(ctx.kernel, &self.0);
                Ok(super::empty_reply())
            }
            5 => self.stats(params),
            _ => Err(CallError::InvalidMethod),
        }
    }
}

/// A narrowing set from the wire: at most [`MAX_ALLOWED`] entries.
pub fn allowed_set(
    list: capnp::struct_list::Reader<udp_endpoint::Owned>,
) -> Result<Box<[Endpoint]>, CallError> {
    if list.len() as usize > MAX_ALLOWED {
        return Err(CallError::Exception(
            ExceptionType::Failed,
            format!("at most {MAX_ALLOWED} allowed destinations"),
        ));
    }
    Ok(list.iter().map(endpoint).collect())
}

/// Most destinations one narrowing set holds.
pub const MAX_ALLOWED: usize = 16;
