//! The TcpConnection and TcpListener capabilities, made by
//! NetworkManager (tcpConnect, tcpListen) and TcpListener.accept.
//!
//! What a connection does is smoltcp's TCP socket and the table of
//! kernel/src/net/tcp.rs; this file puts it behind the ring. A receive,
//! a send or a readiness wait that cannot be answered now is kept by the
//! table and answered after a later poll of the stack (a segment came, the
//! timer ticked) or when the connection closes; so it never holds up the
//! caller's other ring work. Copies of a capability share one object; the
//! connection is closed (or the listener stopped) when the last holder
//! lets go or dies, or at once by `close`.

use alloc::format;
use alloc::sync::Arc;
use alloc::vec::Vec;

use capnp::message::{Builder, HeapAllocator};
use capos_abi::tcp::{MAX_SEND, RECEIVE_OVERHEAD};
use capos_lib::account::Charge;
use capos_lib::udp::Endpoint;
use capos_schema::ExceptionType;
use capos_schema::capos_capnp::{TcpFailure, tcp_connection, tcp_listener};
use capos_schema::interface_id;
use spin::Mutex;

use super::hangup::{self, Hangup};
use super::udp_socket::set_endpoint;
use super::{
    ALLOC_SLACK, CallCtx, CallError, CapObject, Params, Reply, Wait, check_cap_reply, encode,
    insert_cap_reply, new_message, set_result_cap,
};
use crate::net::tcp::{Closing, ConnId, Event, Failure, ListenerId, Ready, Received};
use crate::net::{self, Waiting};
use crate::ring::{Completion, complete};
use crate::sched::Kernel;

/// The heap a connection is charged for: its socket and buffers, and
/// these objects.
pub const CONNECTION_BYTES: usize =
    net::tcp::SOCKET_BYTES + size_of::<TcpConnection>() + size_of::<Conn>() + 4 * ALLOC_SLACK;

/// The heap a listener with `backlog` places is charged for.
pub fn listener_bytes(backlog: usize) -> usize {
    backlog * net::tcp::SOCKET_BYTES + size_of::<TcpListener>() + size_of::<Lst>() + 4 * ALLOC_SLACK
}

/// What every holder of a connection shares.
pub struct Conn {
    id: ConnId,
    /// The maker's charge; handed to the table at close, which keeps it
    /// until smoltcp is done with the socket.
    charge: Mutex<Option<Charge>>,
}

pub struct TcpConnection(Arc<Conn>);

pub struct Lst {
    id: ListenerId,
    _charge: Charge,
}

pub struct TcpListener(Arc<Lst>);

impl TcpConnection {
    pub fn new(id: ConnId, charge: Charge) -> Self {
        TcpConnection(Arc::new(Conn {
            id,
            charge: Mutex::new(Some(charge)),
        }))
    }
}

impl TcpListener {
    pub fn new(id: ListenerId, charge: Charge) -> Self {
        TcpListener(Arc::new(Lst {
            id,
            _charge: charge,
        }))
    }
}

impl Drop for TcpConnection {
    fn drop(&mut self) {
        hangup::defer(self.0.clone());
    }
}

impl Drop for TcpListener {
    fn drop(&mut self) {
        hangup::defer(self.0.clone());
    }
}

impl Hangup for Conn {
    fn hang_up(&self, k: &mut Kernel) {
        close_connection(k, self);
    }
}

impl Hangup for Lst {
    fn hang_up(&self, k: &mut Kernel) {
        close_listener(k, self.id);
    }
}

fn close_connection(k: &mut Kernel, conn: &Conn) {
    close_as(k, conn, Closing::Orderly);
}

/// Closes `conn` as `how` says; `false` if it was closed already (a
/// lingering caller's wait is then answered here).
fn close_as(k: &mut Kernel, conn: &Conn, how: Closing) -> bool {
    let Some(charge) = conn.charge.lock().take() else {
        return false;
    };
    let mut events = Vec::new();
    if let Some(net) = net::lock().as_mut() {
        let now = crate::time::now_ns();
        net.tcp
            .close(&mut net.stack, conn.id, charge, how, &mut events);
        // Out before a settle lets the socket go: an aborted one is
        // Closed at once, and its reset would never be sent.
        net.stack.egress(now);
        nudge(now, net, &mut events);
    }
    deliver(k, events);
    true
}

fn close_listener(k: &mut Kernel, id: ListenerId) {
    let mut events = Vec::new();
    if let Some(net) = net::lock().as_mut() {
        net.tcp.close_listener(&mut net.stack, id, &mut events);
        net.stack.egress(crate::time::now_ns());
    }
    deliver(k, events);
}

fn failure(f: Failure) -> TcpFailure {
    match f {
        Failure::None => TcpFailure::None,
        Failure::Refused => TcpFailure::Refused,
        Failure::Reset => TcpFailure::Reset,
        Failure::TimedOut => TcpFailure::TimedOut,
        Failure::Closed => TcpFailure::Closed,
    }
}

/// Why a send cannot go, as the exception the caller gets.
fn send_failed(f: Failure) -> (ExceptionType, &'static str) {
    match f {
        Failure::Refused => (
            ExceptionType::Disconnected,
            "connection refused (ECONNREFUSED)",
        ),
        Failure::Reset => (
            ExceptionType::Disconnected,
            "connection reset by peer (ECONNRESET)",
        ),
        Failure::TimedOut => (
            ExceptionType::Disconnected,
            "connection timed out (ETIMEDOUT)",
        ),
        Failure::None | Failure::Closed => (
            ExceptionType::Disconnected,
            "connection shut for writing (EPIPE)",
        ),
    }
}

/// Answers the calls the network settled.
pub fn deliver(k: &mut Kernel, events: Vec<Event>) {
    for event in events {
        let (waiting, outcome) = match event {
            Event::Received(w, r) => (w, Completion::reply(encode_receive(&r))),
            Event::Sent(w, n) => (w, Completion::reply(encode_sent(n, false))),
            Event::SendTimedOut(w) => (w, Completion::reply(encode_sent(0, true))),
            Event::Lingered(w, finished) => (w, Completion::reply(encode_lingered(finished))),
            Event::SendFailed(w, f) => {
                let (kind, why) = send_failed(f);
                (w, Completion::exception(super::encode_exception(kind, why)))
            }
            Event::Ready(w, r, f) => (w, Completion::reply(encode_ready(r, f))),
            Event::ListenerReady(w, ready, hangup) => {
                (w, Completion::reply(encode_listener_ready(ready, hangup)))
            }
        };
        complete(k, waiting.call, outcome);
    }
}

fn encode_receive(r: &Received) -> Vec<u8> {
    let data: &[u8] = match r {
        Received::Data(d) => d,
        _ => &[],
    };
    let words = (RECEIVE_OVERHEAD - 8) / 8 + data.len().div_ceil(8);
    let mut message = Builder::new(HeapAllocator::new().first_segment_words(words as u32));
    let mut results = message.init_root::<tcp_connection::receive_results::Builder>();
    results.set_data(data);
    match r {
        Received::WouldBlock => results.set_would_block(true),
        Received::TimedOut => results.set_timed_out(true),
        Received::End(f) => results.set_failure(failure(*f)),
        Received::Data(_) => {}
    }
    encode(&message)
}

fn encode_sent(n: usize, timed_out: bool) -> Vec<u8> {
    let mut message = new_message();
    let mut results = message.init_root::<tcp_connection::send_results::Builder>();
    results.set_written(n as u32);
    results.set_timed_out(timed_out);
    encode(&message)
}

fn encode_lingered(finished: bool) -> Vec<u8> {
    let mut message = new_message();
    let mut results = message.init_root::<tcp_connection::close_linger_results::Builder>();
    results.set_finished(finished);
    encode(&message)
}

fn encode_ready(r: Ready, f: Failure) -> Vec<u8> {
    let mut message = new_message();
    let mut results = message.init_root::<tcp_connection::ready_results::Builder>();
    results.set_readable(r.readable);
    results.set_writable(r.writable);
    results.set_hangup(r.hangup);
    results.set_established(r.established);
    results.set_failure(failure(f));
    encode(&message)
}

fn encode_listener_ready(ready: bool, hangup: bool) -> Vec<u8> {
    let mut message = new_message();
    let mut results = message.init_root::<tcp_listener::ready_results::Builder>();
    results.set_ready(ready);
    results.set_hangup(hangup);
    encode(&message)
}

pub fn no_device() -> CallError {
    CallError::Exception(ExceptionType::Unimplemented, "no network device".into())
}

fn closed() -> CallError {
    CallError::Exception(ExceptionType::Disconnected, "connection closed".into())
}

fn no_sockets() -> CallError {
    CallError::Exception(
        ExceptionType::Overloaded,
        format!(
            "every one of the stack's {} TCP sockets is in use",
            net::tcp::MAX_SOCKETS
        ),
    )
}

fn nudge(now: u64, net: &mut net::Net, events: &mut Vec<Event>) {
    net.tcp.settle(&mut net.stack, now, events);
    net.stack.egress(now);
}

impl TcpConnection {
    fn closed_here(&self) -> bool {
        self.0.charge.lock().is_none()
    }

    fn send(&self, ctx: &mut CallCtx, params: &Params) -> Result<Reply, CallError> {
        let p: tcp_connection::send_params::Reader = params.get_root()?;
        let data = p.get_data()?;
        if data.len() > MAX_SEND {
            return Err(CallError::Exception(
                ExceptionType::Failed,
                format!("at most {MAX_SEND} bytes per send"),
            ));
        }
        if self.closed_here() {
            return Err(closed());
        }
        let mut events = Vec::new();
        let reply = {
            let mut guard = net::lock();
            let net = guard.as_mut().ok_or_else(no_device)?;
            let now = crate::time::now_ns();
            let reply = match net.tcp.send_now(&mut net.stack, self.0.id, data) {
                Err(f) => {
                    let (kind, why) = send_failed(f);
                    Err(CallError::Exception(kind, why.into()))
                }
                Ok(0) if p.get_wait() && !data.is_empty() => {
                    let waiting = Waiting::new(ctx, data.len())?;
                    let mut held = super::try_with_capacity(data.len()).ok_or_else(|| {
                        CallError::Exception(
                            ExceptionType::Overloaded,
                            "kernel heap exhausted".into(),
                        )
                    })?;
                    held.extend_from_slice(data);
                    let deadline = match p.get_timeout_ns() {
                        0 => None,
                        t => Some(now.saturating_add(t)),
                    };
                    net.tcp
                        .hold_send(self.0.id, waiting, held, deadline, &mut events);
                    Ok(Reply::Pending(Wait::Taken))
                }
                Ok(n) => Ok(Reply::Done(encode_sent(n, false))),
            };
            nudge(now, net, &mut events);
            reply
        };
        deliver(ctx.kernel, events);
        reply
    }

    fn receive(&self, ctx: &mut CallCtx, params: &Params) -> Result<Reply, CallError> {
        let p: tcp_connection::receive_params::Reader = params.get_root()?;
        if (ctx.result_capacity as usize) < RECEIVE_OVERHEAD {
            return Err(CallError::ResultTooSmall(RECEIVE_OVERHEAD));
        }
        let fits = (ctx.result_capacity as usize - RECEIVE_OVERHEAD) & !7;
        let max = (p.get_max() as usize)
            .min(fits)
            .min(capos_abi::tcp::BUFFER_BYTES);
        let peek = p.get_peek();
        let mut events = Vec::new();
        let reply = {
            let mut guard = net::lock();
            let net = guard.as_mut().ok_or_else(no_device)?;
            let now = crate::time::now_ns();
            let reply = match net.tcp.recv_now(&mut net.stack, self.0.id, max, peek) {
                Received::WouldBlock if p.get_wait() => {
                    let deadline = match p.get_timeout_ns() {
                        0 => None,
                        t => now.checked_add(t),
                    };
                    let waiting = Waiting::new(ctx, max)?;
                    net.tcp
                        .hold_recv(self.0.id, waiting, max, peek, deadline, &mut events);
                    Reply::Pending(Wait::Taken)
                }
                got => Reply::Done(encode_receive(&got)),
            };
            nudge(now, net, &mut events);
            reply
        };
        deliver(ctx.kernel, events);
        Ok(reply)
    }

    fn ready(&self, ctx: &mut CallCtx, params: &Params) -> Result<Reply, CallError> {
        let p: tcp_connection::ready_params::Reader = params.get_root()?;
        let (read, write) = (p.get_read(), p.get_write());
        let mut events = Vec::new();
        let reply = {
            let mut guard = net::lock();
            let net = guard.as_mut().ok_or_else(no_device)?;
            let (now, f) = net.tcp.readiness(&mut net.stack, self.0.id);
            if (read && now.readable) || (write && now.writable) || now.hangup {
                Reply::Done(encode_ready(now, f))
            } else {
                let waiting = Waiting::new(ctx, 0)?;
                net.tcp
                    .hold_ready(self.0.id, waiting, read, write, &mut events);
                Reply::Pending(Wait::Taken)
            }
        };
        deliver(ctx.kernel, events);
        Ok(reply)
    }

    fn shutdown(&self, params: &Params) -> Result<Reply, CallError> {
        let p: tcp_connection::shutdown_params::Reader = params.get_root()?;
        let mut guard = net::lock();
        let net = guard.as_mut().ok_or_else(no_device)?;
        if !net
            .tcp
            .shutdown(&mut net.stack, self.0.id, p.get_read(), p.get_write())
        {
            return Err(closed());
        }
        net.stack.egress(crate::time::now_ns());
        Ok(super::empty_reply())
    }

    fn set_options(&self, params: &Params) -> Result<Reply, CallError> {
        let p: tcp_connection::set_options_params::Reader = params.get_root()?;
        let mut guard = net::lock();
        let net = guard.as_mut().ok_or_else(no_device)?;
        if !net.tcp.set_options(
            &mut net.stack,
            self.0.id,
            p.get_no_delay(),
            p.get_keep_alive_ms(),
        ) {
            return Err(closed());
        }
        Ok(super::empty_reply())
    }

    /// SO_LINGER's close: a reset at once, or a close the caller waits on.
    fn close_linger(&self, ctx: &mut CallCtx, params: &Params) -> Result<Reply, CallError> {
        let p: tcp_connection::close_linger_params::Reader = params.get_root()?;
        // A held close needs the table to answer it.
        if net::lock().is_none() {
            return Err(no_device());
        }
        if p.get_abort() {
            close_as(ctx.kernel, &self.0, Closing::Abort);
            return Ok(Reply::Done(encode_lingered(false)));
        }
        if self.closed_here() {
            return Ok(Reply::Done(encode_lingered(true)));
        }
        let until = match p.get_timeout_ns() {
            0 => None,
            t => Some(crate::time::now_ns().saturating_add(t)),
        };
        let waiting = Waiting::new(ctx, 0)?;
        close_as(ctx.kernel, &self.0, Closing::Linger(waiting, until));
        Ok(Reply::Pending(Wait::Taken))
    }

    fn addresses(&self, params: &Params) -> Result<Reply, CallError> {
        let _: tcp_connection::addresses_params::Reader = params.get_root()?;
        let guard = net::lock();
        let net = guard.as_ref().ok_or_else(no_device)?;
        let (local, peer) = net.tcp.addresses(self.0.id).ok_or_else(closed)?;
        let mut message = new_message();
        let mut results = message.init_root::<tcp_connection::addresses_results::Builder>();
        set_endpoint(results.reborrow().init_local(), local);
        set_endpoint(results.init_peer(), peer);
        Ok(Reply::Done(encode(&message)))
    }
}

impl CapObject for TcpConnection {
    fn interface_id(&self) -> u64 {
        interface_id::TCP_CONNECTION
    }

    fn call(&self, ctx: &mut CallCtx, method: u16, params: &Params) -> Result<Reply, CallError> {
        match method {
            0 => self.send(ctx, params),
            1 => self.receive(ctx, params),
            2 => self.ready(ctx, params),
            3 => self.shutdown(params),
            4 => {
                let _: tcp_connection::close_params::Reader = params.get_root()?;
                close_connection(ctx.kernel, &self.0);
                Ok(super::empty_reply())
            }
            5 => self.addresses(params),
            6 => self.set_options(params),
            7 => self.close_linger(ctx, params),
            _ => Err(CallError::InvalidMethod),
        }
    }
}

fn encode_connection(id: u32) -> Vec<u8> {
    let mut message = new_message();
    let mut results = message.init_root::<tcp_listener::accept_results::Builder>();
    set_result_cap(
        results.reborrow().init_connection(),
        id,
        interface_id::TCP_CONNECTION,
    );
    encode(&message)
}

impl TcpListener {
    fn accept(&self, ctx: &mut CallCtx, params: &Params) -> Result<Reply, CallError> {
        let _: tcp_listener::accept_params::Reader = params.get_root()?;
        check_cap_reply(ctx, &encode_connection)?;
        let charge = ctx.charge(CONNECTION_BYTES)?;
        let mut events = Vec::new();
        let got = {
            let mut guard = net::lock();
            let net = guard.as_mut().ok_or_else(no_device)?;
            let now = crate::time::now_ns();
            nudge(now, net, &mut events);
            let address = net.config.address;
            net.tcp
                .accept(&mut net.stack, self.0.id, address, now)
                .map_err(|()| {
                    CallError::Exception(ExceptionType::Disconnected, "listener closed".into())
                })
        };
        deliver(ctx.kernel, events);
        match got? {
            Some(id) => insert_cap_reply(
                ctx,
                Arc::new(TcpConnection::new(id, charge)),
                &encode_connection,
            ),
            None => {
                let mut message = new_message();
                let mut results = message.init_root::<tcp_listener::accept_results::Builder>();
                results.set_would_block(true);
                Ok(Reply::Done(encode(&message)))
            }
        }
    }

    fn ready(&self, ctx: &mut CallCtx, params: &Params) -> Result<Reply, CallError> {
        let _: tcp_listener::ready_params::Reader = params.get_root()?;
        let mut events = Vec::new();
        let reply = {
            let mut guard = net::lock();
            let net = guard.as_mut().ok_or_else(no_device)?;
            nudge(crate::time::now_ns(), net, &mut events);
            match net.tcp.acceptable(&net.stack, self.0.id) {
                None => Reply::Done(encode_listener_ready(false, true)),
                Some(true) => Reply::Done(encode_listener_ready(true, false)),
                Some(false) => {
                    let waiting = Waiting::new(ctx, 0)?;
                    net.tcp.wait_listener(self.0.id, waiting, &mut events);
                    Reply::Pending(Wait::Taken)
                }
            }
        };
        deliver(ctx.kernel, events);
        Ok(reply)
    }

    fn local_address(&self, params: &Params) -> Result<Reply, CallError> {
        let _: tcp_listener::local_address_params::Reader = params.get_root()?;
        let guard = net::lock();
        let net = guard.as_ref().ok_or_else(no_device)?;
        let port = net.tcp.listener_port(self.0.id).ok_or_else(|| {
            CallError::Exception(ExceptionType::Disconnected, "listener closed".into())
        })?;
        let mut message = new_message();
        let results = message.init_root::<tcp_listener::local_address_results::Builder>();
        set_endpoint(
            results.init_local(),
            Endpoint {
                addr: net.config.address,
                port,
            },
        );
        Ok(Reply::Done(encode(&message)))
    }
}

impl CapObject for TcpListener {
    fn interface_id(&self) -> u64 {
        interface_id::TCP_LISTENER
    }

    fn call(&self, ctx: &mut CallCtx, method: u16, params: &Params) -> Result<Reply, CallError> {
        match method {
            0 => self.accept(ctx, params),
            1 => self.ready(ctx, params),
            2 => {
                let _: tcp_listener::close_params::Reader = params.get_root()?;
                close_listener(ctx.kernel, self.0.id);
                Ok(super::empty_reply())
            }
            3 => self.local_address(params),
            _ => Err(CallError::InvalidMethod),
        }
    }
}

/// A NetworkManager's refusal from the table, as the caller's error.
pub fn refusal(r: net::tcp::Refusal) -> CallError {
    use net::tcp::Refusal as R;
    match r {
        R::NoSockets => no_sockets(),
        R::InUse(port) => CallError::Exception(
            ExceptionType::Failed,
            format!("TCP port {port} is in use (EADDRINUSE)"),
        ),
        R::NoFreePort => CallError::Exception(
            ExceptionType::Overloaded,
            "no free ephemeral TCP port".into(),
        ),
        R::BadAddress => CallError::Exception(
            ExceptionType::Failed,
            "address 0 or port 0 is not a destination".into(),
        ),
    }
}
