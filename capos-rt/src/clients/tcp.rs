//! TcpConnection and TcpListener (docs/interfaces/tcp-connection.md,
//! tcp-listener.md).

use super::{Client, Readiness};
use crate::any_cap::AnyCap;
use crate::error::{DecodeError, Error};
use crate::pending::PendingCall;
use crate::reply::Reply;
use capos_abi::tcp::{MAX_SEND, RECEIVE_OVERHEAD};
use capos_lib::udp::Endpoint;
use capos_schema::{TcpFailure, interface_id, tcp_connection, tcp_listener, udp_endpoint};

/// Schema ordinals of TcpConnection.
const SEND: u16 = 0;
const RECEIVE: u16 = 1;
const READY: u16 = 2;
const SHUTDOWN: u16 = 3;
const CLOSE: u16 = 4;
const ADDRESSES: u16 = 5;
const SET_OPTIONS: u16 = 6;
const CLOSE_LINGER: u16 = 7;

/// Schema ordinals of TcpListener.
const ACCEPT: u16 = 0;
const LISTENER_READY: u16 = 1;
const LISTENER_CLOSE: u16 = 2;
const LOCAL_ADDRESS: u16 = 3;

/// The most bytes one receive asks for.
pub const MAX_TCP_CHUNK: usize = capos_abi::tcp::BUFFER_BYTES;

super::client!(TcpConnection, interface_id::TCP_CONNECTION);
super::client!(TcpListener, interface_id::TCP_LISTENER);

/// Why a connection ended badly (schema TcpFailure).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    None,
    Refused,
    Reset,
    TimedOut,
    Closed,
}

fn failure(f: Result<TcpFailure, capnp::NotInSchema>) -> Failure {
    match f {
        Ok(TcpFailure::None) => Failure::None,
        Ok(TcpFailure::Refused) => Failure::Refused,
        Ok(TcpFailure::Reset) => Failure::Reset,
        Ok(TcpFailure::TimedOut) => Failure::TimedOut,
        // An ordinal this runtime does not know: the connection is over.
        Ok(TcpFailure::Closed) | Err(_) => Failure::Closed,
    }
}

/// How long a receive may wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamWait {
    Never,
    Forever,
    /// At most this many nanoseconds (not 0).
    For(u64),
}

/// What a send did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sent {
    /// This many bytes were queued (0 only without waiting).
    Bytes(usize),
    /// No room came before the wait's time was up; nothing was queued.
    TimedOut,
}

/// What a receive got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Received {
    /// This many bytes were copied into the buffer.
    Bytes(usize),
    /// The end of the stream, with the failure if it ended badly.
    End(Failure),
    WouldBlock,
    TimedOut,
}

/// A connection's readiness (schema TcpConnection.ready).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamReadiness {
    pub readable: bool,
    pub writable: bool,
    pub hangup: bool,
    pub established: bool,
    pub failure: Failure,
}

impl StreamReadiness {
    pub fn from_reply(reply: &Reply) -> Result<Self, Error> {
        reply.read::<tcp_connection::ready_results::Owned, _>(|r| {
            Ok(StreamReadiness {
                readable: r.get_readable(),
                writable: r.get_writable(),
                hangup: r.get_hangup(),
                established: r.get_established(),
                failure: failure(r.get_failure()),
            })
        })
    }
}

impl Received {
    /// Reads a receive's reply, copying the data into `buf` (at least as
    /// long as the `max` asked for).
    pub fn from_reply(reply: &Reply, buf: &mut [u8]) -> Result<Received, Error> {
        reply.read::<tcp_connection::receive_results::Owned, _>(|r| {
            let data = r.get_data()?;
            if data.len() > buf.len() {
                return Err(Error::Decode(DecodeError::Contract(
                    "a TCP receive returned more than asked",
                )));
            }
            if r.get_would_block() {
                return Ok(Received::WouldBlock);
            }
            if r.get_timed_out() {
                return Ok(Received::TimedOut);
            }
            if data.is_empty() {
                return Ok(Received::End(failure(r.get_failure())));
            }
            buf[..data.len()].copy_from_slice(data);
            Ok(Received::Bytes(data.len()))
        })
    }
}

fn endpoint(r: udp_endpoint::Reader<'_>) -> Endpoint {
    Endpoint {
        addr: r.get_address(),
        port: r.get_port(),
    }
}

impl TcpConnection {
    /// Queues what the send buffer takes of `data` (at most MAX_SEND
    /// bytes) and returns how much. With `wait`, waits for room when there
    /// is none.
    pub fn send(&self, data: &[u8], wait: bool) -> Result<usize, Error> {
        let wait = if wait {
            StreamWait::Forever
        } else {
            StreamWait::Never
        };
        match self.send_for(data, wait)? {
            Sent::Bytes(n) => Ok(n),
            Sent::TimedOut => Ok(0),
        }
    }

    /// As [`TcpConnection::send`], waiting for room as `wait` says: with
    /// `StreamWait::For`, at most that long (SO_SNDTIMEO).
    pub fn send_for(&self, data: &[u8], wait: StreamWait) -> Result<Sent, Error> {
        let data = &data[..data.len().min(MAX_SEND)];
        let (wait, timeout) = match wait {
            StreamWait::Never => (false, 0),
            StreamWait::Forever => (true, 0),
            StreamWait::For(ns) => (true, ns.max(1)),
        };
        self.cap
            .call::<tcp_connection::send_params::Owned>(Self::INTERFACE_ID, SEND, |mut p| {
                p.set_data(data);
                p.set_wait(wait);
                p.set_timeout_ns(timeout);
            })?
            .read::<tcp_connection::send_results::Owned, _>(|r| {
                Ok(if r.get_timed_out() {
                    Sent::TimedOut
                } else {
                    Sent::Bytes(r.get_written() as usize)
                })
            })
    }

    /// Receives into `buf` (at most [`MAX_TCP_CHUNK`] bytes of it).
    pub fn receive(&self, buf: &mut [u8], wait: StreamWait, peek: bool) -> Result<Received, Error> {
        let max = buf.len().min(MAX_TCP_CHUNK);
        if max == 0 {
            return Ok(Received::Bytes(0));
        }
        let reply = self.receive_async(max, wait, peek)?.wait()?;
        Received::from_reply(&reply, buf)
    }

    /// Starts a receive of at most `max` bytes; [`Received::from_reply`]
    /// reads its reply.
    pub fn receive_async(
        &self,
        max: usize,
        wait: StreamWait,
        peek: bool,
    ) -> Result<PendingCall, Error> {
        let max = max.min(MAX_TCP_CHUNK);
        let (wait, timeout) = match wait {
            StreamWait::Never => (false, 0),
            StreamWait::Forever => (true, 0),
            StreamWait::For(ns) => (true, ns.max(1)),
        };
        self.cap
            .submit_sized::<tcp_connection::receive_params::Owned>(
                Self::INTERFACE_ID,
                RECEIVE,
                max.next_multiple_of(8) + RECEIVE_OVERHEAD,
                |mut p| {
                    p.set_max(max as u32);
                    p.set_wait(wait);
                    p.set_timeout_ns(timeout);
                    p.set_peek(peek);
                },
            )
    }

    /// Starts a readiness wait for reading and/or writing;
    /// [`StreamReadiness::from_reply`] reads its reply.
    pub fn ready_async(&self, read: bool, write: bool) -> Result<PendingCall, Error> {
        self.cap.submit::<tcp_connection::ready_params::Owned>(
            Self::INTERFACE_ID,
            READY,
            |mut p| {
                p.set_read(read);
                p.set_write(write);
            },
        )
    }

    /// Waits until the connection is readable or writable as asked.
    pub fn ready(&self, read: bool, write: bool) -> Result<StreamReadiness, Error> {
        let reply = self.ready_async(read, write)?.wait()?;
        StreamReadiness::from_reply(&reply)
    }

    pub fn shutdown(&self, read: bool, write: bool) -> Result<(), Error> {
        self.cap.call::<tcp_connection::shutdown_params::Owned>(
            Self::INTERFACE_ID,
            SHUTDOWN,
            |mut p| {
                p.set_read(read);
                p.set_write(write);
            },
        )?;
        Ok(())
    }

    /// Ends the connection for every holder.
    pub fn close(&self) -> Result<(), Error> {
        self.cap
            .call::<tcp_connection::close_params::Owned>(Self::INTERFACE_ID, CLOSE, |_| {})?;
        Ok(())
    }

    /// Ends the connection for every holder as SO_LINGER does: with
    /// `abort`, at once with a reset; otherwise waits until the peer has
    /// acknowledged everything sent and the FIN (true), or `timeout_ns`
    /// (0: no limit) has passed (false).
    pub fn close_linger(&self, abort: bool, timeout_ns: u64) -> Result<bool, Error> {
        self.cap
            .call::<tcp_connection::close_linger_params::Owned>(
                Self::INTERFACE_ID,
                CLOSE_LINGER,
                |mut p| {
                    p.set_abort(abort);
                    p.set_timeout_ns(timeout_ns);
                },
            )?
            .read::<tcp_connection::close_linger_results::Owned, _>(|r| Ok(r.get_finished()))
    }

    /// Nagle's algorithm off (`no_delay`); keep-alive probes after
    /// `keep_alive_ms` of silence (0: none).
    pub fn set_options(&self, no_delay: bool, keep_alive_ms: u32) -> Result<(), Error> {
        self.cap.call::<tcp_connection::set_options_params::Owned>(
            Self::INTERFACE_ID,
            SET_OPTIONS,
            |mut p| {
                p.set_no_delay(no_delay);
                p.set_keep_alive_ms(keep_alive_ms);
            },
        )?;
        Ok(())
    }

    /// The local and the peer's endpoints.
    pub fn addresses(&self) -> Result<(Endpoint, Endpoint), Error> {
        self.cap
            .call::<tcp_connection::addresses_params::Owned>(Self::INTERFACE_ID, ADDRESSES, |_| {})?
            .read::<tcp_connection::addresses_results::Owned, _>(|r| {
                Ok((endpoint(r.get_local()?), endpoint(r.get_peer()?)))
            })
    }
}

impl TcpListener {
    /// The oldest established connection, or `None` if none waits.
    pub fn accept(&self) -> Result<Option<TcpConnection>, Error> {
        let ring = self.cap.ring();
        let reply = self.cap.call::<tcp_listener::accept_params::Owned>(
            Self::INTERFACE_ID,
            ACCEPT,
            |_| {},
        )?;
        let got = reply.read::<tcp_listener::accept_results::Owned, _>(|r| {
            if r.get_would_block() {
                return Ok(None);
            }
            Ok(Some(AnyCap::from_result(ring, r.get_connection()?)))
        })?;
        match got {
            None => Ok(None),
            Some(cap) => cap
                .expect("accept returned something that is not a TcpConnection")
                .map(Some),
        }
    }

    /// Starts a readiness wait (a connection to accept, or the listener
    /// closed); the clients' [`Readiness::from_reply`] reads its reply.
    pub fn ready_async(&self) -> Result<PendingCall, Error> {
        self.cap.submit::<tcp_listener::ready_params::Owned>(
            Self::INTERFACE_ID,
            LISTENER_READY,
            |_| {},
        )
    }

    pub fn ready(&self) -> Result<Readiness, Error> {
        let reply = self.ready_async()?.wait()?;
        Readiness::from_reply(&reply)
    }

    /// Stops listening for every holder.
    pub fn close(&self) -> Result<(), Error> {
        self.cap.call::<tcp_listener::close_params::Owned>(
            Self::INTERFACE_ID,
            LISTENER_CLOSE,
            |_| {},
        )?;
        Ok(())
    }

    pub fn local_address(&self) -> Result<Endpoint, Error> {
        self.cap
            .call::<tcp_listener::local_address_params::Owned>(
                Self::INTERFACE_ID,
                LOCAL_ADDRESS,
                |_| {},
            )?
            .read::<tcp_listener::local_address_results::Owned, _>(|r| Ok(endpoint(r.get_local()?)))
    }
}
