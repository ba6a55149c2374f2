//! UdpSocket: one bound UDP port (docs/interfaces/udp-socket.md).

use super::Client;
use crate::error::{DecodeError, Error};
use crate::pending::PendingCall;
use crate::reply::Reply;
use capos_abi::udp::{MAX_PAYLOAD, RECV_OVERHEAD};
use capos_lib::udp::Endpoint;
use capos_schema::{interface_id, udp_endpoint, udp_socket};

/// Schema ordinals.
const SEND_TO: u16 = 0;
const RECV_FROM: u16 = 1;
const READY: u16 = 2;
const LOCAL_ADDRESS: u16 = 3;
const CLOSE: u16 = 4;
const STATS: u16 = 5;

super::client!(UdpSocket, interface_id::UDP_SOCKET);

/// How long a receive may wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecvWait {
    /// Not at all: [`Recv::WouldBlock`] when nothing is queued.
    Never,
    /// Until a datagram arrives (or the socket closes).
    Forever,
    /// At most this many nanoseconds (not 0), then [`Recv::TimedOut`].
    For(u64),
}

/// What a receive got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recv {
    /// A datagram from `from`: `len` bytes were copied into the buffer;
    /// `truncated` says it was longer and the rest is gone (MSG_TRUNC).
    Datagram {
        len: usize,
        from: Endpoint,
        truncated: bool,
    },
    /// Nothing was queued and the receive was told not to wait.
    WouldBlock,
    /// Nothing arrived within the timeout.
    TimedOut,
}

/// One socket's counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SocketStats {
    pub received: u64,
    pub queue_full: u64,
    pub filtered: u64,
    pub queued: u32,
}

fn endpoint(r: udp_endpoint::Reader<'_>) -> Endpoint {
    Endpoint {
        addr: r.get_address(),
        port: r.get_port(),
    }
}

impl Recv {
    /// Reads a recvFrom reply, copying the data into `buf` (which must be
    /// at least as long as the `max` the receive asked for).
    pub fn from_reply(reply: &Reply, buf: &mut [u8]) -> Result<Recv, Error> {
        reply.read::<udp_socket::recv_from_results::Owned, _>(|r| {
            let data = r.get_data()?;
            if data.len() > buf.len() {
                return Err(Error::Decode(DecodeError::Contract(
                    "a UDP receive returned more than asked",
                )));
            }
            if r.get_would_block() {
                return Ok(Recv::WouldBlock);
            }
            if r.get_timed_out() {
                return Ok(Recv::TimedOut);
            }
            buf[..data.len()].copy_from_slice(data);
            Ok(Recv::Datagram {
                len: data.len(),
                from: endpoint(r.get_from()?),
                truncated: r.get_truncated(),
            })
        })
    }
}

impl UdpSocket {
    /// Sends `data` (at most capos_abi::udp::MAX_PAYLOAD bytes) to `to`.
    /// A narrowed socket refuses other destinations with a `failed`
    /// exception naming them.
    pub fn send_to(&self, to: Endpoint, data: &[u8]) -> Result<(), Error> {
        self.cap.call::<udp_socket::send_to_params::Owned>(
            Self::INTERFACE_ID,
            SEND_TO,
            |mut p| {
                let mut e = p.reborrow().init_to();
                e.set_address(to.addr);
                e.set_port(to.port);
                p.set_data(data);
            },
        )?;
        Ok(())
    }

    /// Receives one datagram into `buf` (at most MAX_PAYLOAD bytes of it).
    pub fn recv_from(&self, buf: &mut [u8], wait: RecvWait) -> Result<Recv, Error> {
        let reply = self.recv_from_async(buf.len(), wait)?.wait()?;
        Recv::from_reply(&reply, buf)
    }

    /// Starts a receive of at most `max` bytes and returns at once;
    /// [`Recv::from_reply`] reads its reply. Other ring work goes on while
    /// it waits.
    pub fn recv_from_async(&self, max: usize, wait: RecvWait) -> Result<PendingCall, Error> {
        let max = max.min(MAX_PAYLOAD);
        let (wait, timeout) = match wait {
            RecvWait::Never => (false, 0),
            RecvWait::Forever => (true, 0),
            RecvWait::For(ns) => (true, ns.max(1)),
        };
        self.cap
            .submit_sized::<udp_socket::recv_from_params::Owned>(
                Self::INTERFACE_ID,
                RECV_FROM,
                max.next_multiple_of(8) + RECV_OVERHEAD,
                |mut p| {
                    p.set_max(max as u32);
                    p.set_wait(wait);
                    p.set_timeout_ns(timeout);
                },
            )
    }

    /// Starts a readiness wait and returns at once; the clients'
    /// `Readiness::from_reply` reads its reply (a datagram is queued, or
    /// `hangup`: the socket is closed).
    pub fn ready_async(&self) -> Result<PendingCall, Error> {
        self.cap
            .submit::<udp_socket::ready_params::Owned>(Self::INTERFACE_ID, READY, |_| {})
    }

    /// The address and port the socket is bound to.
    pub fn local_address(&self) -> Result<Endpoint, Error> {
        self.cap
            .call::<udp_socket::local_address_params::Owned>(
                Self::INTERFACE_ID,
                LOCAL_ADDRESS,
                |_| {},
            )?
            .read::<udp_socket::local_address_results::Owned, _>(|r| Ok(endpoint(r.get_local()?)))
    }

    /// Unbinds the port for every holder of this socket.
    pub fn close(&self) -> Result<(), Error> {
        self.cap
            .call::<udp_socket::close_params::Owned>(Self::INTERFACE_ID, CLOSE, |_| {})?;
        Ok(())
    }

    pub fn stats(&self) -> Result<SocketStats, Error> {
        self.cap
            .call::<udp_socket::stats_params::Owned>(Self::INTERFACE_ID, STATS, |_| {})?
            .read::<udp_socket::stats_results::Owned, _>(|r| {
                Ok(SocketStats {
                    received: r.get_received(),
                    queue_full: r.get_queue_full(),
                    filtered: r.get_filtered(),
                    queued: r.get_queued(),
                })
            })
    }
}
