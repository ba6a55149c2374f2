//! UDP without the kernel: the demultiplexer that hands each received
//! datagram to the socket bound to its port, each socket's bounded
//! receive queue, the calls waiting on it, and the counters of what was
//! dropped and why.
//!
//! The kernel (kernel/src/net/demux.rs) keeps one [`Table`] under a lock
//! and feeds it every UDP packet the stack receives. As with the pipe
//! (crate::pipe), an operation answers its caller at once when it can or
//! says it must wait; what it settles for *other* callers (a waiting
//! receive that now has a datagram, a readiness wait, a timeout, a close)
//! comes out as [`Event`]s that the kernel delivers once the lock is
//! released.
//!
//! Nothing a sender does grows memory without bound: a datagram to a port
//! nobody bound is dropped and counted, never queued; a socket's queue
//! holds at most [`QUEUE_DATAGRAMS`] datagrams and [`QUEUE_BYTES`] bytes
//! of payload (the socket's creator paid for that much when it made the
//! socket) and a datagram past either is dropped and counted.

pub mod wire;

use alloc::boxed::Box;
use alloc::collections::{BTreeMap, VecDeque};
use alloc::vec::Vec;

pub use crate::pipe::{Readiness, Waiter};
pub use capos_abi::udp::{EPHEMERAL_FIRST, MAX_PAYLOAD, QUEUE_BYTES, QUEUE_DATAGRAMS};

/// An IPv4 address (the four octets read as one big-endian number, as in
/// the schema's UdpEndpoint) and a UDP port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Endpoint {
    pub addr: u32,
    pub port: u16,
}

/// Names a bound socket; never reused, so a closed socket's id cannot
/// reach the socket bound to its port later.
pub type SocketId = u64;

/// The whole stack's counters (schema NetStats).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    pub sent: u64,
    pub delivered: u64,
    pub no_port: u64,
    pub malformed: u64,
    pub queue_full: u64,
    pub filtered: u64,
}

/// One socket's counters (schema UdpSocket.stats).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SocketStats {
    pub received: u64,
    pub queue_full: u64,
    pub filtered: u64,
    pub queued: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BindError {
    /// Another socket holds the port.
    InUse(u16),
    /// Every ephemeral port is taken.
    NoFreePort,
}

/// Why a send is refused before anything is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendError {
    /// The socket was closed.
    Closed,
    /// The socket is narrowed and `to` is outside its set.
    NotAllowed(Endpoint),
    /// Longer than [`MAX_PAYLOAD`].
    TooLarge(usize),
    /// Port 0 (or address 0) cannot be a destination.
    BadDestination(Endpoint),
}

/// A datagram handed to a receiver: at most the `max` it asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    pub from: Endpoint,
    pub data: Vec<u8>,
    /// The datagram was longer than `max`; the rest was dropped.
    pub truncated: bool,
}

/// Something settled for a waiting caller.
#[derive(Debug, PartialEq, Eq)]
pub enum Event<W> {
    /// A waiting receive got a datagram.
    Received(W, Received),
    /// A waiting receive reached its deadline.
    TimedOut(W),
    /// The socket a receive waited on was closed.
    Closed(W),
    /// A readiness wait ended.
    Ready(W, Readiness),
}

/// What became of one received packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// Given to a waiting receive.
    Given,
    /// Queued for a later receive.
    Queued,
    /// No socket is bound to the destination port.
    NoPort,
    /// Not a well-formed UDP datagram.
    Malformed(wire::WireError),
    /// The socket's queue is full.
    QueueFull,
    /// The socket is narrowed and the sender is outside its set.
    Filtered,
}

/// A newer readiness wait from the same owner replaced this one.
const SUPERSEDED: Readiness = Readiness {
    ready: false,
    hangup: false,
};

struct Datagram {
    from: Endpoint,
    data: Vec<u8>,
}

struct QueuedRecv<W> {
    waiter: W,
    max: usize,
    deadline: Option<u64>,
}

struct Socket<W> {
    port: u16,
    /// Narrowed: the only peers it may send to and hear from.
    allowed: Option<Box<[Endpoint]>>,
    queue: VecDeque<Datagram>,
    queued_bytes: usize,
    recvs: VecDeque<QueuedRecv<W>>,
    ready: Vec<W>,
    stats: SocketStats,
}

impl<W> Socket<W> {
    fn allows(&self, peer: Endpoint) -> bool {
        self.allowed.as_ref().is_none_or(|set| set.contains(&peer))
    }
}

fn take(datagram: Datagram, max: usize) -> Received {
    let mut data = datagram.data;
    let truncated = data.len() > max;
    data.truncate(max);
    Received {
        from: datagram.from,
        data,
        truncated,
    }
}

pub struct Table<W> {
    sockets: BTreeMap<SocketId, Socket<W>>,
    ports: BTreeMap<u16, SocketId>,
    next_id: SocketId,
    next_ephemeral: u16,
    /// No waiting receive has a deadline before this (None: none has one).
    earliest: Option<u64>,
    pub stats: Stats,
}

impl<W: Waiter> Default for Table<W> {
    fn default() -> Self {
        Self::new()
    }
}

impl<W: Waiter> Table<W> {
    pub fn new() -> Self {
        Table {
            sockets: BTreeMap::new(),
            ports: BTreeMap::new(),
            next_id: 1,
            next_ephemeral: EPHEMERAL_FIRST,
            earliest: None,
            stats: Stats::default(),
        }
    }

    /// Binds `port`, or a free ephemeral port when `port` is 0. A socket
    /// with `allowed` only reaches and hears those peers.
    pub fn bind(
        &mut self,
        port: u16,
        allowed: Option<Box<[Endpoint]>>,
    ) -> Result<(SocketId, u16), BindError> {
        let port = if port == 0 {
            self.free_ephemeral()?
        } else if self.ports.contains_key(&port) {
            return Err(BindError::InUse(port));
        } else {
            port
        };
        let id = self.next_id;
        self.next_id += 1;
        self.ports.insert(port, id);
        self.sockets.insert(
            id,
            Socket {
                port,
                allowed,
                queue: VecDeque::new(),
                queued_bytes: 0,
                recvs: VecDeque::new(),
                ready: Vec::new(),
                stats: SocketStats::default(),
            },
        );
        Ok((id, port))
    }

    /// The next free port of the ephemeral range, round robin, so a port
    /// just closed is the last to be picked again.
    fn free_ephemeral(&mut self) -> Result<u16, BindError> {
        let span = (u16::MAX - EPHEMERAL_FIRST) as u32 + 1;
        for _ in 0..span {
            let port = self.next_ephemeral;
            self.next_ephemeral = if port == u16::MAX {
                EPHEMERAL_FIRST
            } else {
                port + 1
            };
            if !self.ports.contains_key(&port) {
                return Ok(port);
            }
        }
        Err(BindError::NoFreePort)
    }

    /// How many sockets are bound.
    pub fn len(&self) -> usize {
        self.sockets.len()
    }

    pub fn is_empty(&self) -> bool {
        self.sockets.is_empty()
    }

    /// Frees what the maps keep once empty (an emptied BTreeMap keeps its
    /// root node), for the kernel's leak check at shutdown.
    pub fn release_caches(&mut self) {
        if self.sockets.is_empty() {
            self.sockets = BTreeMap::new();
            self.ports = BTreeMap::new();
        }
    }

    /// The port `id` is bound to, if it is still open.
    pub fn port(&self, id: SocketId) -> Option<u16> {
        self.sockets.get(&id).map(|s| s.port)
    }

    pub fn socket_stats(&self, id: SocketId) -> Option<SocketStats> {
        self.sockets.get(&id).map(|s| SocketStats {
            queued: s.queue.len() as u32,
            ..s.stats
        })
    }

    /// Unbinds `id`: its queue is dropped, waiting receives hear the close,
    /// readiness waiters the hangup. Closing a closed socket does nothing.
    pub fn close(&mut self, id: SocketId, events: &mut Vec<Event<W>>) {
        let Some(socket) = self.sockets.remove(&id) else {
            return;
        };
        self.ports.remove(&socket.port);
        events.extend(socket.recvs.into_iter().map(|r| Event::Closed(r.waiter)));
        let hangup = Readiness {
            ready: false,
            hangup: true,
        };
        events.extend(socket.ready.into_iter().map(|w| Event::Ready(w, hangup)));
    }

    /// Checks that `id` may send `len` bytes to `to`, and counts the send
    /// if so (the caller then sends it).
    pub fn send(&mut self, id: SocketId, to: Endpoint, len: usize) -> Result<(), SendError> {
        let socket = self.sockets.get(&id).ok_or(SendError::Closed)?;
        if len > MAX_PAYLOAD {
            return Err(SendError::TooLarge(len));
        }
        if to.port == 0 || to.addr == 0 {
            return Err(SendError::BadDestination(to));
        }
        if !socket.allows(to) {
            return Err(SendError::NotAllowed(to));
        }
        self.stats.sent += 1;
        Ok(())
    }

    /// Hands one received IPv4 packet to the socket bound to its
    /// destination port: to its oldest waiting receive, else into its
    /// queue if there is room. Counts whatever is dropped.
    pub fn deliver(&mut self, packet: &[u8], events: &mut Vec<Event<W>>) -> Delivery {
        let udp = match wire::parse(packet) {
            Ok(udp) => udp,
            Err(e) => {
                self.stats.malformed += 1;
                return Delivery::Malformed(e);
            }
        };
        let Some(socket) = self
            .ports
            .get(&udp.dst.port)
            .and_then(|id| self.sockets.get_mut(id))
        else {
            self.stats.no_port += 1;
            return Delivery::NoPort;
        };
        if !socket.allows(udp.src) {
            socket.stats.filtered += 1;
            self.stats.filtered += 1;
            return Delivery::Filtered;
        }
        // A dead caller's receive must not swallow the datagram.
        while socket.recvs.front().is_some_and(|r| !r.waiter.alive()) {
            socket.recvs.pop_front();
        }
        if let Some(recv) = socket.recvs.pop_front() {
            socket.stats.received += 1;
            self.stats.delivered += 1;
            let datagram = Datagram {
                from: udp.src,
                data: udp.payload.to_vec(),
            };
            events.push(Event::Received(recv.waiter, take(datagram, recv.max)));
            return Delivery::Given;
        }
        if socket.queue.len() >= QUEUE_DATAGRAMS
            || socket.queued_bytes + udp.payload.len() > QUEUE_BYTES
        {
            socket.stats.queue_full += 1;
            self.stats.queue_full += 1;
            return Delivery::QueueFull;
        }
        socket.stats.received += 1;
        self.stats.delivered += 1;
        socket.queued_bytes += udp.payload.len();
        socket.queue.push_back(Datagram {
            from: udp.src,
            data: udp.payload.to_vec(),
        });
        let readiness = Readiness {
            ready: true,
            hangup: false,
        };
        events.extend(
            socket
                .ready
                .drain(..)
                .filter(|w| w.alive())
                .map(|w| Event::Ready(w, readiness)),
        );
        Delivery::Queued
    }

    /// The oldest queued datagram of `id`, at most `max` bytes of it:
    /// `Some(None)` when nothing is queued, `None` when `id` is closed.
    pub fn recv_now(&mut self, id: SocketId, max: usize) -> Option<Option<Received>> {
        let socket = self.sockets.get_mut(&id)?;
        let Some(datagram) = socket.queue.pop_front() else {
            return Some(None);
        };
        socket.queued_bytes -= datagram.data.len();
        Some(Some(take(datagram, max)))
    }

    /// Queues a receive that [`Table::recv_now`] found nothing for; it
    /// times out at `deadline` (the clock [`Table::expire`] is given). On
    /// a closed socket the waiter comes straight back as closed.
    pub fn queue_recv(
        &mut self,
        id: SocketId,
        waiter: W,
        max: usize,
        deadline: Option<u64>,
        events: &mut Vec<Event<W>>,
    ) {
        let Some(socket) = self.sockets.get_mut(&id) else {
            events.push(Event::Closed(waiter));
            return;
        };
        socket.recvs.push_back(QueuedRecv {
            waiter,
            max,
            deadline,
        });
        if let Some(d) = deadline {
            self.earliest = Some(self.earliest.map_or(d, |e| e.min(d)));
        }
    }

    /// Whether a receive on `id` would not wait.
    pub fn readiness(&self, id: SocketId) -> Readiness {
        match self.sockets.get(&id) {
            Some(s) => Readiness {
                ready: !s.queue.is_empty(),
                hangup: false,
            },
            None => Readiness {
                ready: false,
                hangup: true,
            },
        }
    }

    /// Waits for `id` to have a datagram queued (or to close). A waiter of
    /// the same owner already waiting is answered, unready: at most one
    /// per process and socket.
    pub fn wait_ready(&mut self, id: SocketId, waiter: W, events: &mut Vec<Event<W>>) {
        let now = self.readiness(id);
        let Some(socket) = self.sockets.get_mut(&id).filter(|_| !now.settled()) else {
            events.push(Event::Ready(waiter, now));
            return;
        };
        socket.ready.retain(|w| w.alive());
        if let Some(i) = socket
            .ready
            .iter()
            .position(|w| w.owner() == waiter.owner())
        {
            events.push(Event::Ready(socket.ready.swap_remove(i), SUPERSEDED));
        }
        socket.ready.push(waiter);
    }

    /// The earliest deadline of a waiting receive, for the kernel's timer.
    pub fn next_deadline(&self) -> Option<u64> {
        self.earliest
    }

    /// Times out the receives whose deadline is at or before `now`, and
    /// forgets the waits of callers that died.
    pub fn expire(&mut self, now: u64, events: &mut Vec<Event<W>>) {
        if self.earliest.is_none_or(|e| e > now) {
            return;
        }
        let mut earliest: Option<u64> = None;
        for socket in self.sockets.values_mut() {
            // In place, oldest first, so the survivors keep their order.
            let mut i = 0;
            while i < socket.recvs.len() {
                let recv = &socket.recvs[i];
                match recv.deadline {
                    _ if !recv.waiter.alive() => {
                        socket.recvs.remove(i);
                    }
                    Some(d) if d <= now => {
                        let recv = socket.recvs.remove(i).expect("index in range");
                        events.push(Event::TimedOut(recv.waiter));
                    }
                    d => {
                        if let Some(d) = d {
                            earliest = Some(earliest.map_or(d, |e| e.min(d)));
                        }
                        i += 1;
                    }
                }
            }
            socket.ready.retain(|w| w.alive());
        }
        self.earliest = earliest;
    }
}

#[cfg(test)]
mod tests;
