//! One UDP socket's state as POSIX sees it, and the decisions that depend
//! on it, as Linux makes them (`__inet_bind`, `inet_dgram_connect`,
//! `__udp_disconnect`, `udp_sendmsg`, `udp_recvmsg`, `inet_shutdown`).
//!
//! The kernel binds a UdpSocket to its port when it is made, so a socket
//! has no kernel object until it needs a port: at `bind`, or, as Linux's
//! automatic binding, at the first `connect` or send. The rest (the peer,
//! shutdown, timeouts) lives here; the kernel's socket knows none of it.

use super::Refusal;
use super::addr::V4;
use super::option::{Facts, Set, Timeout};
use crate::linux::errno::{
    EACCES, EADDRNOTAVAIL, EDESTADDRREQ, EINVAL, EMSGSIZE, ENETUNREACH, ENOTCONN, EPIPE,
};
use crate::linux::net::{SHUT_RD, SHUT_RDWR, SHUT_WR};

/// The largest datagram Linux sends over IPv4 (65535 - 20 - 8).
pub const LINUX_MAX_SEND: usize = 65507;

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Udp {
    /// The bound address and port; None until the socket has a port.
    local: Option<V4>,
    /// `bind` named an address (Linux's SOCK_BINDADDR_LOCK) or a port
    /// (SOCK_BINDPORT_LOCK): dissolving the association keeps them.
    addr_locked: bool,
    port_locked: bool,
    /// The default destination, and the only source received from.
    peer: Option<V4>,
    shut_rd: bool,
    shut_wr: bool,
    rcvtimeo: Timeout,
    sndtimeo: Timeout,
    reuseaddr: bool,
}

/// The largest datagram capOS sends: one Ethernet frame's payload (the
/// kernel neither fragments nor reassembles).
pub const CAPOS_MAX_SEND: usize = capos_abi::udp::MAX_PAYLOAD;

/// Whether capOS's stack can send to `dest` (after [`Udp::destination`]):
/// the any address and 127/8 are the host itself on Linux, and capOS's
/// stack has no loopback; multicast it does not do; the broadcast address
/// needs SO_BROADCAST, which cannot be set (EACCES, Linux's answer
/// without it).
pub fn reachable(dest: V4) -> Result<(), Refusal> {
    match dest.ip {
        [0, ..] | [127, ..] => Err(Refusal::capos(
            ENETUNREACH,
            "capOS's network stack has no loopback interface",
        )),
        [224..=239, ..] => Err(Refusal::capos(
            ENETUNREACH,
            "capOS's network stack does not do multicast",
        )),
        [255, 255, 255, 255] => Err(Refusal::linux(EACCES)),
        _ => Ok(()),
    }
}

/// The size check capOS adds to Linux's: EMSGSIZE past one frame.
pub fn fits_a_frame(len: usize) -> Result<(), Refusal> {
    if len > CAPOS_MAX_SEND {
        return Err(Refusal::capos(
            EMSGSIZE,
            "capOS sends a UDP datagram in one Ethernet frame: at most 1472 bytes",
        ));
    }
    Ok(())
}

/// How long a call may wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wait {
    /// Not at all: EAGAIN if it would.
    No,
    Forever,
    /// At most this many nanoseconds, then EAGAIN.
    For(u64),
}

/// What `connect` needs done to the kernel's socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Connect {
    /// Nothing: the socket keeps its port (or had none).
    Keep,
    /// The association is dissolved and the port was never asked for:
    /// let the kernel's socket go (Linux unhashes it).
    Release,
}

impl Udp {
    /// The socket has a port (a kernel socket).
    #[cfg(test)]
    pub fn has_port(&self) -> bool {
        self.local.is_some()
    }

    /// `bind(addr)`: the port to ask the kernel for (0: any). A socket
    /// with a port already is EINVAL; an address other than the any
    /// address and the stack's own (`stack`) is EADDRNOTAVAIL (capOS's
    /// stack has one address, and no loopback).
    pub fn bind(&self, addr: V4, stack: [u8; 4]) -> Result<u16, i64> {
        // Linux looks at the address before the socket's state.
        if !addr.is_unspecified_ip() && addr.ip != stack {
            return Err(EADDRNOTAVAIL);
        }
        if self.local.is_some() {
            return Err(EINVAL);
        }
        Ok(addr.port)
    }

    /// The kernel made the socket `bind` asked for, on `port`.
    pub fn bound(&mut self, addr: V4, port: u16) {
        self.local = Some(V4 { ip: addr.ip, port });
        self.addr_locked = !addr.is_unspecified_ip();
        self.port_locked = addr.port != 0;
    }

    /// The kernel made a socket on any `port` because a `connect` or a
    /// send needed one (Linux's automatic binding, to any address). It
    /// comes first: Linux binds before it connects.
    pub fn autobound(&mut self, port: u16) {
        self.local = Some(V4 { ip: [0; 4], port });
    }

    /// `connect(target)`, once the socket has a port; `None` is
    /// AF_UNSPEC, which dissolves the association (and lets an
    /// automatically bound port go, as Linux). A connected socket reports
    /// the stack's address (`stack`) as its own, as Linux reports the
    /// route's source address.
    pub fn connect(&mut self, target: Option<V4>, stack: [u8; 4]) -> Connect {
        let addr_locked = self.addr_locked;
        let Some(local) = self.local.as_mut() else {
            self.peer = target;
            return Connect::Keep;
        };
        match target {
            Some(peer) => {
                self.peer = Some(peer);
                if !addr_locked {
                    local.ip = stack;
                }
                Connect::Keep
            }
            None => {
                self.peer = None;
                if !addr_locked {
                    local.ip = [0; 4];
                }
                if self.port_locked {
                    return Connect::Keep;
                }
                self.local = None;
                Connect::Release
            }
        }
    }

    /// Where a send of `len` bytes goes (`to`: the call's address, if it
    /// named one), in Linux's order: longer than Linux sends is EMSGSIZE;
    /// no address and no peer EDESTADDRREQ; after `shutdown(SHUT_WR)`
    /// EPIPE (without SIGPIPE: a UDP send never raises it).
    pub fn destination(&self, to: Option<V4>, len: usize) -> Result<V4, i64> {
        if len > LINUX_MAX_SEND {
            return Err(EMSGSIZE);
        }
        let dest = to.or(self.peer).ok_or(EDESTADDRREQ)?;
        if self.shut_wr {
            return Err(EPIPE);
        }
        Ok(dest)
    }

    /// How long a receive may wait: not at all under O_NONBLOCK or
    /// MSG_DONTWAIT; else as SO_RCVTIMEO says.
    pub fn recv_wait(&self, nonblock: bool) -> Wait {
        if nonblock {
            return Wait::No;
        }
        match self.rcvtimeo {
            Timeout::Forever => Wait::Forever,
            Timeout::Ns(0) => Wait::No,
            Timeout::Ns(ns) => Wait::For(ns),
        }
    }

    /// After `shutdown(SHUT_RD)`, a receive that finds nothing queued
    /// returns 0 (end of data) if it may wait, as Linux's UDP does, and
    /// EAGAIN if not.
    pub fn read_shut(&self) -> bool {
        self.shut_rd
    }

    /// `shutdown(how)`: an unknown `how` is EINVAL. The directions are
    /// shut even when the socket is not connected, which is then
    /// ENOTCONN (Linux does both, so pollers see the hangup).
    pub fn shutdown(&mut self, how: i64) -> Result<(), i64> {
        let how = how as i32 as i64;
        if ![SHUT_RD, SHUT_WR, SHUT_RDWR].contains(&how) {
            return Err(EINVAL);
        }
        self.shut_rd |= how != SHUT_WR;
        self.shut_wr |= how != SHUT_RD;
        if self.peer.is_none() {
            return Err(ENOTCONN);
        }
        Ok(())
    }

    /// Both directions are shut.
    pub fn hung_up(&self) -> bool {
        self.shut_rd && self.shut_wr
    }

    /// `getsockname`: the bound address, or the any address with port 0.
    pub fn local(&self) -> V4 {
        self.local.unwrap_or(V4::UNSPECIFIED)
    }

    /// `getpeername`: the peer, or ENOTCONN.
    pub fn peer(&self) -> Result<V4, i64> {
        self.peer.ok_or(ENOTCONN)
    }

    /// The peer, if connected (receives take only its datagrams).
    pub fn connected(&self) -> Option<V4> {
        self.peer
    }

    pub fn set(&mut self, option: Set) {
        match option {
            Set::RcvTimeo(t) => self.rcvtimeo = t,
            Set::SndTimeo(t) => self.sndtimeo = t,
            Set::ReuseAddr(on) => self.reuseaddr = on,
        }
    }

    /// SO_REUSEADDR is set: a `bind` to a port in use then fails because
    /// capOS cannot share it, not because the program did not ask.
    pub fn reuseaddr(&self) -> bool {
        self.reuseaddr
    }

    /// What getsockopt reports; buffer sizes come from the kernel.
    pub fn facts(&self, rcvbuf: Option<i32>, sndbuf: Option<i32>) -> Facts {
        Facts {
            rcvtimeo: self.rcvtimeo,
            sndtimeo: self.sndtimeo,
            reuseaddr: self.reuseaddr,
            rcvbuf,
            sndbuf,
        }
    }
}

#[cfg(test)]
mod tests;
