//! TCP: smoltcp's TCP sockets, one per connection and one per place in a
//! listener's backlog, each with two bounded buffers
//! (capos_abi::tcp::BUFFER_BYTES), and the calls waiting on them.
//!
//! smoltcp does the protocol (handshakes, windows, retransmission, FIN
//! and RST); this table keeps what the kernel adds: which socket a
//! capability names, the calls a connection or listener holds until they
//! can be answered (a receive on an empty buffer, a send to a full one, a
//! readiness wait), why a connection failed, and the backlog. After every
//! poll of the stack and every operation, [`Tcp::settle`] answers what
//! can be answered; what it settles comes out as events the kernel
//! delivers once the network lock is let go.
//!
//! Memory is bounded: a connection's buffers are allocated when it is
//! made and charged to its maker; a listener's backlog (at most
//! MAX_BACKLOG sockets) is charged to the listener's maker; the socket
//! set has room for [`MAX_SOCKETS`] sockets, allocated at boot, and a
//! request past it fails. A connection whose last holder let go keeps
//! its socket (and its maker's charge) until smoltcp has finished the
//! close, so buffered data still goes out.

use alloc::collections::{BTreeMap, VecDeque};
use alloc::vec;
use alloc::vec::Vec;

use capos_abi::tcp::BUFFER_BYTES;
use capos_lib::account::Charge;
use capos_lib::pipe::Waiter;
use capos_lib::udp::{EPHEMERAL_FIRST, Endpoint};
use smoltcp::iface::SocketHandle;
use smoltcp::socket::tcp::{self, State};
use smoltcp::time::Duration;
use smoltcp::wire::{IpEndpoint, IpListenEndpoint, Ipv4Address};

use super::demux::Waiting;
use super::stack::Stack;

/// TCP sockets the stack holds at once (connections, backlog places and
/// connections still closing), across all processes.
pub const MAX_SOCKETS: usize = 64;

/// How long a connection attempt or unacknowledged data waits for the
/// peer before the connection is given up (`timedOut`).
const GIVE_UP: Duration = Duration::from_secs(60);

/// The heap one socket takes: its two buffers, the socket and its slot.
pub const SOCKET_BYTES: usize = 2 * BUFFER_BYTES + size_of::<tcp::Socket>() + 256;

/// A readiness wait settles when the send buffer has this much room, so
/// a writer woken by it moves a useful amount.
const WRITE_READY: usize = BUFFER_BYTES / 4;

pub type ConnId = u64;
pub type ListenerId = u64;

/// Why a connection ended badly (schema TcpFailure).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    None,
    Refused,
    Reset,
    TimedOut,
    Closed,
}

/// A connection's readiness (schema TcpConnection.ready).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Ready {
    pub readable: bool,
    pub writable: bool,
    pub hangup: bool,
    pub established: bool,
}

/// What a receive hands back.
pub enum Received {
    Data(Vec<u8>),
    /// Nothing now (only without waiting).
    WouldBlock,
    TimedOut,
    /// End of stream (with the failure, if it ended badly).
    End(Failure),
}

/// Something settled for a waiting call.
pub enum Event {
    Received(Waiting, Received),
    Sent(Waiting, usize),
    /// A held send that found no room before its deadline (SO_SNDTIMEO).
    SendTimedOut(Waiting),
    /// A held send whose connection can no longer send.
    SendFailed(Waiting, Failure),
    /// A lingering close ended: the close finished (everything sent was
    /// acknowledged), or not before the deadline.
    Lingered(Waiting, bool),
    Ready(Waiting, Ready, Failure),
    ListenerReady(Waiting, bool, bool),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Every TCP socket of the stack is in use.
    NoSockets,
    /// The port is taken (by a listener or a connection).
    InUse(u16),
    NoFreePort,
    /// smoltcp refused the endpoints (port or address 0).
    BadAddress,
}

struct HeldRecv {
    waiter: Waiting,
    max: usize,
    peek: bool,
    deadline: Option<u64>,
}

struct HeldSend {
    waiter: Waiting,
    data: Vec<u8>,
    deadline: Option<u64>,
}

struct Conn {
    handle: SocketHandle,
    local: Endpoint,
    peer: Endpoint,
    /// Made by tcpConnect (a port of its own), not accepted.
    owns_port: bool,
    /// Connection attempts past this are timed out, not refused.
    connect_deadline: u64,
    established: bool,
    fin_seen: bool,
    read_shut: bool,
    write_shut: bool,
    failure: Failure,
    recvs: VecDeque<HeldRecv>,
    sends: VecDeque<HeldSend>,
    ready: Vec<(Waiting, bool, bool)>,
}

struct Listener {
    port: u16,
    backlog: usize,
    /// Sockets in smoltcp's Listen state.
    listening: Vec<SocketHandle>,
    /// Sockets that left Listen (being established or established), in
    /// arrival order, until accepted.
    pending: VecDeque<SocketHandle>,
    ready: Vec<Waiting>,
}

/// A connection nobody holds any more, finishing its close.
struct Finishing {
    handle: SocketHandle,
    port: Option<u16>,
    /// Past this, it is reset: a peer that never takes the rest (a
    /// window kept at zero) cannot keep the maker's charge for ever.
    deadline: u64,
    /// A close waiting for the peer's acknowledgement (SO_LINGER), and
    /// until when it waits.
    linger: Option<(Waiting, Option<u64>)>,
    _charge: Charge,
}

/// How a connection is closed (TcpConnection close and closeLinger).
pub enum Closing {
    /// A FIN after what is buffered; nobody waits.
    Orderly,
    /// A reset at once (SO_LINGER with a zero time).
    Abort,
    /// As Orderly, and the caller waits until the FIN is acknowledged or
    /// the deadline passes (SO_LINGER).
    Linger(Waiting, Option<u64>),
}

#[derive(Debug, Clone, Copy, Default)]
pub struct Stats {
    pub opened: u64,
    pub refused: u64,
    pub reset: u64,
}

pub struct Tcp {
    conns: BTreeMap<ConnId, Conn>,
    listeners: BTreeMap<ListenerId, Listener>,
    closing: Vec<Finishing>,
    /// Local ports taken by listeners and by connections made here.
    ports: BTreeMap<u16, u32>,
    sockets: usize,
    next_id: u64,
    next_port: u16,
    pub stats: Stats,
}

fn endpoint(e: IpEndpoint) -> Endpoint {
    let smoltcp::wire::IpAddress::Ipv4(a) = e.addr;
    Endpoint {
        addr: a.to_bits(),
        port: e.port,
    }
}

fn new_socket() -> tcp::Socket<'static> {
    let mut s = tcp::Socket::new(
        tcp::SocketBuffer::new(vec![0u8; BUFFER_BYTES]),
        tcp::SocketBuffer::new(vec![0u8; BUFFER_BYTES]),
    );
    s.set_timeout(Some(GIVE_UP));
    s
}

impl Default for Tcp {
    fn default() -> Self {
        Self::new()
    }
}

impl Tcp {
    pub fn new() -> Self {
        Tcp {
            conns: BTreeMap::new(),
            listeners: BTreeMap::new(),
            closing: Vec::new(),
            ports: BTreeMap::new(),
            sockets: 0,
            next_id: 1,
            next_port: EPHEMERAL_FIRST,
            stats: Stats::default(),
        }
    }

    /// Nothing to settle: no connection, listener or closing socket (the
    /// timer's poll then skips TCP altogether).
    pub fn idle(&self) -> bool {
        self.conns.is_empty() && self.listeners.is_empty() && self.closing.is_empty()
    }

    pub fn connections(&self) -> usize {
        self.conns.len()
    }

    pub fn listener_count(&self) -> usize {
        self.listeners.len()
    }

    fn take_port(&mut self, port: u16) {
        *self.ports.entry(port).or_insert(0) += 1;
    }

    fn give_port(&mut self, port: u16) {
        if let Some(n) = self.ports.get_mut(&port) {
            *n -= 1;
            if *n == 0 {
                self.ports.remove(&port);
            }
        }
    }

    fn ephemeral(&mut self) -> Option<u16> {
        let span = u32::from(u16::MAX - EPHEMERAL_FIRST) + 1;
        for _ in 0..span {
            let port = self.next_port;
            self.next_port = if port == u16::MAX {
                EPHEMERAL_FIRST
            } else {
                port + 1
            };
            if !self.ports.contains_key(&port) {
                return Some(port);
            }
        }
        None
    }

    fn add_socket(&mut self, stack: &mut Stack) -> Result<SocketHandle, Refusal> {
        if self.sockets >= MAX_SOCKETS {
            return Err(Refusal::NoSockets);
        }
        self.sockets += 1;
        Ok(stack.sockets.add(new_socket()))
    }

    fn remove_socket(&mut self, stack: &mut Stack, handle: SocketHandle) {
        stack.sockets.remove(handle);
        self.sockets -= 1;
    }

    fn id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    /// Starts a connection from `local_addr` to `to`.
    pub fn connect(
        &mut self,
        stack: &mut Stack,
        local_addr: u32,
        to: Endpoint,
        now_ns: u64,
    ) -> Result<ConnId, Refusal> {
        if to.port == 0 || to.addr == 0 {
            return Err(Refusal::BadAddress);
        }
        let port = self.ephemeral().ok_or(Refusal::NoFreePort)?;
        let handle = self.add_socket(stack)?;
        let remote = IpEndpoint::new(Ipv4Address::from_bits(to.addr).into(), to.port);
        let socket = stack.sockets.get_mut::<tcp::Socket>(handle);
        if socket.connect(stack.iface.context(), remote, port).is_err() {
            self.remove_socket(stack, handle);
            return Err(Refusal::BadAddress);
        }
        self.take_port(port);
        let id = self.id();
        self.conns.insert(
            id,
            Conn::new(
                handle,
                Endpoint {
                    addr: local_addr,
                    port,
                },
                to,
                true,
                now_ns.saturating_add(GIVE_UP.total_micros() * 1000),
            ),
        );
        self.stats.opened += 1;
        Ok(id)
    }

    /// Listens on `port` (0: an ephemeral one) with `backlog` places.
    pub fn listen(
        &mut self,
        stack: &mut Stack,
        port: u16,
        backlog: usize,
    ) -> Result<(ListenerId, u16), Refusal> {
        let port = match port {
            0 => self.ephemeral().ok_or(Refusal::NoFreePort)?,
            p if self.ports.contains_key(&p) => return Err(Refusal::InUse(p)),
            p => p,
        };
        if self.sockets + backlog > MAX_SOCKETS {
            return Err(Refusal::NoSockets);
        }
        self.take_port(port);
        let id = self.id();
        self.listeners.insert(
            id,
            Listener {
                port,
                backlog,
                listening: Vec::new(),
                pending: VecDeque::new(),
                ready: Vec::new(),
            },
        );
        self.refill(stack, id);
        Ok((id, port))
    }

    /// Tops a listener's sockets up to its backlog.
    fn refill(&mut self, stack: &mut Stack, id: ListenerId) {
        loop {
            let Some(l) = self.listeners.get(&id) else {
                return;
            };
            if l.listening.len() + l.pending.len() >= l.backlog {
                return;
            }
            let port = l.port;
            let Ok(handle) = self.add_socket(stack) else {
                return;
            };
            let socket = stack.sockets.get_mut::<tcp::Socket>(handle);
            if socket.listen(IpListenEndpoint::from(port)).is_err() {
                self.remove_socket(stack, handle);
                return;
            }
            if let Some(l) = self.listeners.get_mut(&id) {
                l.listening.push(handle);
            }
        }
    }

    /// The oldest established connection of listener `id`: its id and the
    /// charge its taker pays. `Ok(None)`: none yet.
    pub fn accept(
        &mut self,
        stack: &mut Stack,
        id: ListenerId,
        local_addr: u32,
        now_ns: u64,
    ) -> Result<Option<ConnId>, ()> {
        let l = self.listeners.get_mut(&id).ok_or(())?;
        let Some(pos) = l.pending.iter().position(|&h| {
            matches!(
                stack.sockets.get::<tcp::Socket>(h).state(),
                State::Established | State::CloseWait
            )
        }) else {
            return Ok(None);
        };
        let Some(handle) = l.pending.remove(pos) else {
            return Ok(None);
        };
        let socket = stack.sockets.get::<tcp::Socket>(handle);
        let peer = socket
            .remote_endpoint()
            .map(endpoint)
            .unwrap_or(Endpoint { addr: 0, port: 0 });
        let local = Endpoint {
            addr: local_addr,
            port: l.port,
        };
        let cid = self.id();
        self.conns
            .insert(cid, Conn::new(handle, local, peer, false, now_ns));
        self.stats.opened += 1;
        self.refill(stack, id);
        Ok(Some(cid))
    }

    /// Whether listener `id` has a connection to accept; `None` if it is
    /// closed.
    pub fn acceptable(&self, stack: &Stack, id: ListenerId) -> Option<bool> {
        let l = self.listeners.get(&id)?;
        Some(l.pending.iter().any(|&h| {
            matches!(
                stack.sockets.get::<tcp::Socket>(h).state(),
                State::Established | State::CloseWait
            )
        }))
    }

    pub fn listener_port(&self, id: ListenerId) -> Option<u16> {
        self.listeners.get(&id).map(|l| l.port)
    }

    /// Keeps a readiness wait on listener `id` (replacing the owner's
    /// older one, which completes with nothing). `false`: it is closed.
    pub fn wait_listener(&mut self, id: ListenerId, w: Waiting, events: &mut Vec<Event>) -> bool {
        let Some(l) = self.listeners.get_mut(&id) else {
            events.push(Event::ListenerReady(w, false, true));
            return false;
        };
        if let Some(pos) = l.ready.iter().position(|o| o.owner() == w.owner()) {
            let old = l.ready.swap_remove(pos);
            events.push(Event::ListenerReady(old, false, false));
        }
        l.ready.push(w);
        true
    }

    /// Stops listener `id`: its sockets are reset and dropped, its waits
    /// complete with hangup.
    pub fn close_listener(&mut self, stack: &mut Stack, id: ListenerId, events: &mut Vec<Event>) {
        let Some(l) = self.listeners.remove(&id) else {
            return;
        };
        for h in l.listening.into_iter().chain(l.pending) {
            stack.sockets.get_mut::<tcp::Socket>(h).abort();
            self.remove_socket(stack, h);
        }
        for w in l.ready {
            events.push(Event::ListenerReady(w, false, true));
        }
        self.give_port(l.port);
    }

    fn conn(&mut self, id: ConnId) -> Option<&mut Conn> {
        self.conns.get_mut(&id)
    }

    pub fn addresses(&self, id: ConnId) -> Option<(Endpoint, Endpoint)> {
        self.conns.get(&id).map(|c| (c.local, c.peer))
    }

    /// Queues what fits of `data` now. `Err` with the failure if the
    /// connection can no longer send.
    pub fn send_now(
        &mut self,
        stack: &mut Stack,
        id: ConnId,
        data: &[u8],
    ) -> Result<usize, Failure> {
        let c = self.conns.get_mut(&id).ok_or(Failure::Closed)?;
        let socket = stack.sockets.get_mut::<tcp::Socket>(c.handle);
        c.observe(socket);
        if c.write_shut || c.failure != Failure::None || (c.established && !socket.may_send()) {
            return Err(match c.failure {
                Failure::None => Failure::Closed,
                f => f,
            });
        }
        // Queued sends go first, so the stream keeps its order.
        if !c.sends.is_empty() || !socket.may_send() {
            return Ok(0);
        }
        Ok(socket.send_slice(data).unwrap_or(0))
    }

    /// Holds a send that found no room, until `deadline` if there is one.
    pub fn hold_send(
        &mut self,
        id: ConnId,
        waiter: Waiting,
        data: Vec<u8>,
        deadline: Option<u64>,
        events: &mut Vec<Event>,
    ) {
        match self.conn(id) {
            Some(c) => c.sends.push_back(HeldSend {
                waiter,
                data,
                deadline,
            }),
            None => events.push(Event::SendFailed(waiter, Failure::Closed)),
        }
    }

    /// A receive now: data, the end, or nothing.
    pub fn recv_now(&mut self, stack: &mut Stack, id: ConnId, max: usize, peek: bool) -> Received {
        let Some(c) = self.conns.get_mut(&id) else {
            return Received::End(Failure::Closed);
        };
        // Earlier waiting receives go first.
        if !c.recvs.is_empty() {
            return Received::WouldBlock;
        }
        let socket = stack.sockets.get_mut::<tcp::Socket>(c.handle);
        c.observe(socket);
        c.take(socket, max, peek)
    }

    pub fn hold_recv(
        &mut self,
        id: ConnId,
        waiter: Waiting,
        max: usize,
        peek: bool,
        deadline: Option<u64>,
        events: &mut Vec<Event>,
    ) {
        match self.conn(id) {
            Some(c) => c.recvs.push_back(HeldRecv {
                waiter,
                max,
                peek,
                deadline,
            }),
            None => events.push(Event::Received(waiter, Received::End(Failure::Closed))),
        }
    }

    /// The readiness of connection `id` for `read`/`write` now, or `None`
    /// if it does not hold.
    pub fn readiness(&mut self, stack: &mut Stack, id: ConnId) -> (Ready, Failure) {
        let Some(c) = self.conns.get_mut(&id) else {
            return (
                Ready {
                    readable: true,
                    writable: true,
                    hangup: true,
                    established: false,
                },
                Failure::Closed,
            );
        };
        let socket = stack.sockets.get_mut::<tcp::Socket>(c.handle);
        c.observe(socket);
        (c.readiness(socket), c.failure)
    }

    pub fn hold_ready(
        &mut self,
        id: ConnId,
        waiter: Waiting,
        read: bool,
        write: bool,
        events: &mut Vec<Event>,
    ) {
        let Some(c) = self.conn(id) else {
            events.push(Event::Ready(waiter, Ready::default(), Failure::Closed));
            return;
        };
        if let Some(pos) = c
            .ready
            .iter()
            .position(|(o, ..)| o.owner() == waiter.owner())
        {
            let (old, ..) = c.ready.swap_remove(pos);
            events.push(Event::Ready(old, Ready::default(), Failure::None));
        }
        c.ready.push((waiter, read, write));
    }

    /// Nagle's algorithm off (`no_delay`), and keep-alive probes after
    /// `keep_alive_ms` of silence (0: none). `false`: no such connection.
    pub fn set_options(
        &mut self,
        stack: &mut Stack,
        id: ConnId,
        no_delay: bool,
        keep_alive_ms: u32,
    ) -> bool {
        let Some(c) = self.conns.get(&id) else {
            return false;
        };
        let socket = stack.sockets.get_mut::<tcp::Socket>(c.handle);
        socket.set_nagle_enabled(!no_delay);
        socket.set_keep_alive(
            (keep_alive_ms != 0).then(|| Duration::from_millis(u64::from(keep_alive_ms))),
        );
        true
    }

    pub fn shutdown(&mut self, stack: &mut Stack, id: ConnId, read: bool, write: bool) -> bool {
        let Some(c) = self.conns.get_mut(&id) else {
            return false;
        };
        let socket = stack.sockets.get_mut::<tcp::Socket>(c.handle);
        if read {
            c.read_shut = true;
        }
        if write && !c.write_shut {
            c.write_shut = true;
            // A FIN after what is buffered (smoltcp sends it once the
            // buffer drains).
            socket.close();
        }
        true
    }

    /// Ends connection `id` for every holder: its waiting calls complete
    /// (with `closed`), its socket finishes the close with a FIN after
    /// what is buffered (or, with `how` Abort, resets at once), kept
    /// (with `charge`, its maker's) until smoltcp is done with it.
    pub fn close(
        &mut self,
        stack: &mut Stack,
        id: ConnId,
        charge: Charge,
        how: Closing,
        events: &mut Vec<Event>,
    ) {
        let Some(mut c) = self.conns.remove(&id) else {
            if let Closing::Linger(w, _) = how {
                events.push(Event::Lingered(w, true));
            }
            return;
        };
        c.failure = match c.failure {
            Failure::None => Failure::Closed,
            f => f,
        };
        c.fail_all(events);
        let socket = stack.sockets.get_mut::<tcp::Socket>(c.handle);
        // Unread data at close is Linux's reset (RFC 2525); otherwise an
        // orderly FIN.
        let linger = match how {
            Closing::Abort => {
                socket.abort();
                None
            }
            _ if socket.recv_queue() > 0 => {
                socket.abort();
                match how {
                    Closing::Linger(w, _) => {
                        events.push(Event::Lingered(w, true));
                        None
                    }
                    _ => None,
                }
            }
            Closing::Orderly => {
                socket.close();
                None
            }
            Closing::Linger(w, until) => {
                socket.close();
                Some((w, until))
            }
        };
        self.closing.push(Finishing {
            handle: c.handle,
            port: c.owns_port.then_some(c.local.port),
            deadline: crate::time::now_ns().saturating_add(GIVE_UP.total_micros() * 1000),
            linger,
            _charge: charge,
        });
    }

    /// Answers whatever can be answered: after every poll and operation.
    pub fn settle(&mut self, stack: &mut Stack, now_ns: u64, events: &mut Vec<Event>) {
        for c in self.conns.values_mut() {
            let socket = stack.sockets.get_mut::<tcp::Socket>(c.handle);
            let before = c.failure;
            c.observe_at(socket, now_ns);
            if before == Failure::None {
                match c.failure {
                    Failure::Refused => self.stats.refused += 1,
                    Failure::Reset => self.stats.reset += 1,
                    _ => {}
                }
            }
            if c.recvs.is_empty() && c.sends.is_empty() && c.ready.is_empty() {
                continue;
            }
            c.settle(socket, now_ns, events);
        }
        let ids: Vec<ListenerId> = self.listeners.keys().copied().collect();
        for id in ids {
            self.settle_listener(stack, id, events);
        }
        // Closed connections nobody holds: their socket goes, in
        // TIME-WAIT already (both FINs are acknowledged): holding 64 KiB
        // of buffers for its 10 s would let a client of short
        // connections exhaust the stack. A FIN the peer sends again then
        // meets a reset, which ends its side too.
        let mut i = 0;
        while i < self.closing.len() {
            let h = self.closing[i].handle;
            let socket = stack.sockets.get_mut::<tcp::Socket>(h);
            // A lingering close ends once the FIN is acknowledged (Linux's
            // sk_stream_wait_close: out of FIN-WAIT-1, CLOSING and
            // LAST-ACK), or at its deadline.
            let acknowledged = matches!(
                socket.state(),
                State::FinWait2 | State::TimeWait | State::Closed
            );
            let ends = match &self.closing[i].linger {
                Some((w, until)) => {
                    acknowledged || until.is_some_and(|d| now_ns >= d) || !w.alive()
                }
                None => false,
            };
            if ends
                && let Some((w, _)) = self.closing[i].linger.take()
                && w.alive()
            {
                events.push(Event::Lingered(w, acknowledged));
            }
            if now_ns >= self.closing[i].deadline && socket.state() != State::Closed {
                // Its reset goes out with this poll's egress; the socket
                // goes at the next settle.
                socket.abort();
                i += 1;
                continue;
            }
            if matches!(socket.state(), State::Closed | State::TimeWait) {
                let done = self.closing.swap_remove(i);
                self.remove_socket(stack, h);
                if let Some(p) = done.port {
                    self.give_port(p);
                }
            } else {
                i += 1;
            }
        }
    }

    fn settle_listener(&mut self, stack: &mut Stack, id: ListenerId, events: &mut Vec<Event>) {
        let mut dead = Vec::new();
        if let Some(l) = self.listeners.get_mut(&id) {
            // Sockets that left Listen wait for accept.
            let mut i = 0;
            while i < l.listening.len() {
                let h = l.listening[i];
                if stack.sockets.get::<tcp::Socket>(h).state() != State::Listen {
                    l.listening.swap_remove(i);
                    l.pending.push_back(h);
                } else {
                    i += 1;
                }
            }
            // A pending socket reset before it was accepted goes (smoltcp
            // puts one reset while SYN-RECEIVED back in Listen).
            l.pending
                .retain(|&h| match stack.sockets.get::<tcp::Socket>(h).state() {
                    State::Closed => {
                        dead.push(h);
                        false
                    }
                    State::Listen => {
                        l.listening.push(h);
                        false
                    }
                    _ => true,
                });
        }
        for h in dead {
            self.remove_socket(stack, h);
        }
        self.refill(stack, id);
        let ready = self.acceptable(stack, id) == Some(true);
        if let Some(l) = self.listeners.get_mut(&id) {
            l.ready.retain(|w| w.alive());
            if ready {
                for w in l.ready.drain(..) {
                    events.push(Event::ListenerReady(w, true, false));
                }
            }
        }
    }

    /// At shutdown, once no process is left: every socket goes, so the
    /// heap can be compared with what it was before init.
    pub fn release(&mut self, stack: &mut Stack) {
        let mut events = Vec::new();
        let ids: Vec<ListenerId> = self.listeners.keys().copied().collect();
        for id in ids {
            self.close_listener(stack, id, &mut events);
        }
        let conns = core::mem::take(&mut self.conns);
        for (_, mut c) in conns {
            c.fail_all(&mut events);
            stack.sockets.get_mut::<tcp::Socket>(c.handle).abort();
            self.remove_socket(stack, c.handle);
        }
        for c in core::mem::take(&mut self.closing) {
            stack.sockets.get_mut::<tcp::Socket>(c.handle).abort();
            self.remove_socket(stack, c.handle);
        }
        // An emptied BTreeMap keeps its root node: replaced, so it goes.
        self.listeners = BTreeMap::new();
        self.ports = BTreeMap::new();
        self.closing = Vec::new();
        drop(events);
    }
}

impl Conn {
    fn new(
        handle: SocketHandle,
        local: Endpoint,
        peer: Endpoint,
        owns_port: bool,
        connect_deadline: u64,
    ) -> Self {
        Conn {
            handle,
            local,
            peer,
            owns_port,
            connect_deadline,
            established: false,
            fin_seen: false,
            read_shut: false,
            write_shut: false,
            failure: Failure::None,
            recvs: VecDeque::new(),
            sends: VecDeque::new(),
            ready: Vec::new(),
        }
    }

    fn observe(&mut self, socket: &tcp::Socket) {
        self.observe_at(socket, crate::time::now_ns());
    }

    /// Follows smoltcp's state: established yet, the peer's FIN seen, and
    /// why a socket that went to Closed ended: an attempt that failed
    /// before GIVE_UP passed was refused, after it timed out.
    fn observe_at(&mut self, socket: &tcp::Socket, now_ns: u64) {
        match socket.state() {
            State::Established | State::FinWait1 | State::FinWait2 => self.established = true,
            State::CloseWait | State::LastAck | State::Closing | State::TimeWait => {
                self.established = true;
                self.fin_seen = true;
            }
            State::Closed if self.failure == Failure::None => {
                let orderly = self.fin_seen && self.write_shut;
                if !orderly {
                    self.failure = if self.established {
                        Failure::Reset
                    } else if now_ns >= self.connect_deadline {
                        Failure::TimedOut
                    } else {
                        Failure::Refused
                    };
                }
            }
            _ => {}
        }
    }

    /// Data now, the end, or nothing.
    fn take(&mut self, socket: &mut tcp::Socket, max: usize, peek: bool) -> Received {
        if self.read_shut {
            return Received::End(Failure::None);
        }
        if socket.can_recv() && max > 0 {
            let n = socket.recv_queue().min(max);
            let mut data = vec![0u8; n];
            let got = if peek {
                socket.peek_slice(&mut data).unwrap_or(0)
            } else {
                socket.recv_slice(&mut data).unwrap_or(0)
            };
            data.truncate(got);
            return Received::Data(data);
        }
        if self.failure != Failure::None {
            return Received::End(self.failure);
        }
        if self.fin_seen || (self.established && !socket.may_recv()) {
            return Received::End(Failure::None);
        }
        if max == 0 && socket.can_recv() {
            return Received::Data(Vec::new());
        }
        Received::WouldBlock
    }

    fn readiness(&self, socket: &tcp::Socket) -> Ready {
        let failed = self.failure != Failure::None;
        let read_end = self.read_shut || self.fin_seen || failed;
        let write_end = self.write_shut || failed;
        let room = socket.send_capacity() - socket.send_queue();
        Ready {
            readable: socket.can_recv() || read_end,
            writable: failed
                || (self.established && (write_end || (socket.may_send() && room >= WRITE_READY))),
            hangup: read_end && write_end,
            established: self.established,
        }
    }

    fn settle(&mut self, socket: &mut tcp::Socket, now_ns: u64, events: &mut Vec<Event>) {
        // Sends, oldest first, while there is room; one that waited past
        // its deadline ends with nothing written.
        while let Some(front) = self.sends.front_mut() {
            if !front.waiter.alive() {
                self.sends.pop_front();
                continue;
            }
            if self.write_shut || self.failure != Failure::None {
                break;
            }
            if !socket.may_send() || socket.send_capacity() == socket.send_queue() {
                if front.deadline.is_some_and(|d| now_ns >= d)
                    && let Some(late) = self.sends.pop_front()
                {
                    events.push(Event::SendTimedOut(late.waiter));
                    continue;
                }
                break;
            }
            let n = socket.send_slice(&front.data).unwrap_or(0);
            if let Some(done) = self.sends.pop_front() {
                events.push(Event::Sent(done.waiter, n));
            }
        }
        if self.write_shut || self.failure != Failure::None {
            let f = match self.failure {
                Failure::None => Failure::Closed,
                f => f,
            };
            for s in self.sends.drain(..) {
                events.push(Event::SendFailed(s.waiter, f));
            }
        }
        // Receives, oldest first.
        while let Some(front) = self.recvs.front() {
            if !front.waiter.alive() {
                self.recvs.pop_front();
                continue;
            }
            let (max, peek, deadline) = (front.max, front.peek, front.deadline);
            let got = match self.take(socket, max, peek) {
                Received::WouldBlock if deadline.is_some_and(|d| now_ns >= d) => Received::TimedOut,
                Received::WouldBlock => break,
                got => got,
            };
            // A peek leaves the data: the next receive sees it too.
            if let Some(r) = self.recvs.pop_front() {
                events.push(Event::Received(r.waiter, got));
            }
        }
        // Readiness waits that now hold.
        let now = self.readiness(socket);
        let failure = self.failure;
        let mut i = 0;
        while i < self.ready.len() {
            let (ref w, read, write) = self.ready[i];
            if !w.alive() {
                self.ready.swap_remove(i);
                continue;
            }
            if (read && now.readable) || (write && now.writable) || now.hangup {
                let (w, ..) = self.ready.swap_remove(i);
                events.push(Event::Ready(w, now, failure));
            } else {
                i += 1;
            }
        }
    }

    /// Completes every waiting call with the connection's failure.
    fn fail_all(&mut self, events: &mut Vec<Event>) {
        let f = match self.failure {
            Failure::None => Failure::Closed,
            f => f,
        };
        for r in self.recvs.drain(..) {
            events.push(Event::Received(r.waiter, Received::End(f)));
        }
        for s in self.sends.drain(..) {
            events.push(Event::SendFailed(s.waiter, f));
        }
        let done = Ready {
            readable: true,
            writable: true,
            hangup: true,
            established: self.established,
        };
        for (w, ..) in self.ready.drain(..) {
            events.push(Event::Ready(w, done, f));
        }
    }
}
