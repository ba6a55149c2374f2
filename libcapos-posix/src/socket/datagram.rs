//! One receive: how much of a datagram reaches the caller and what the
//! call returns, and the datagram a MSG_PEEK leaves for the next receive.
//!
//! As on Linux: a datagram is consumed whole by one receive; what does not
//! fit the buffer is lost, and `recvmsg` says so with MSG_TRUNC in
//! `msg_flags`; with MSG_TRUNC in the call's flags the result is the
//! datagram's real length. MSG_PEEK returns the datagram and keeps it.
//! The kernel's UdpSocket has no peek and cuts what it returns to the
//! length asked for, so a receive that must know the real length (peek,
//! MSG_TRUNC) asks it for the whole datagram, and a peeked datagram is
//! held here, in the socket, until a receive takes it.

use super::addr::V4;
use super::msg::RecvFlags;
use alloc::vec::Vec;

/// The largest UDP payload over IPv4 (65535 - 20 - 8): no datagram is
/// longer.
pub const MAX_DATAGRAM: usize = 65507;

/// A datagram received from the kernel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Datagram {
    pub from: V4,
    pub data: Vec<u8>,
    /// The kernel cut it to the length asked for: `data` is not all of it.
    pub cut: bool,
}

/// How many bytes to ask the kernel for, for a receive into `room` bytes
/// with `flags`: the whole datagram when its length must be known (or it
/// is to be held), else only what the caller can take. `kernel_max` is
/// the most one kernel call returns.
pub fn request_len(room: usize, flags: RecvFlags, kernel_max: usize) -> usize {
    let want = if flags.peek || flags.trunc {
        MAX_DATAGRAM
    } else {
        room
    };
    want.min(kernel_max)
}

/// What one receive does with a datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delivery {
    /// Bytes copied to the caller.
    pub copy: usize,
    /// The call's result.
    pub result: usize,
    /// MSG_TRUNC for `msg_flags`: part of the datagram did not fit.
    pub truncated: bool,
}

pub fn deliver(d: &Datagram, room: usize, flags: RecvFlags) -> Delivery {
    let copy = d.data.len().min(room);
    let truncated = d.cut || d.data.len() > room;
    Delivery {
        copy,
        result: if flags.trunc { d.data.len() } else { copy },
        truncated,
    }
}

/// Whether a socket connected to `peer` takes a datagram from `from`: a
/// connected UDP socket receives only from its peer (Linux never hands it
/// others); the rest are dropped.
pub fn accepts(peer: Option<V4>, from: V4) -> bool {
    peer.is_none_or(|p| p == from)
}

/// The datagram a MSG_PEEK left, which the next receive returns first.
#[derive(Debug, Default)]
pub struct Held(Option<Datagram>);

impl Held {
    pub fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    /// The held datagram, for a peek (it stays) or a receive (it goes).
    pub fn take(&mut self, peek: bool) -> Option<Datagram> {
        if peek { self.0.clone() } else { self.0.take() }
    }

    /// Keeps `d` for the next receive (after a peek fetched it).
    pub fn hold(&mut self, d: Datagram) {
        self.0 = Some(d);
    }

    /// Drops a held datagram from anyone but `peer` (after `connect`).
    pub fn filter(&mut self, peer: Option<V4>) {
        if self.0.as_ref().is_some_and(|d| !accepts(peer, d.from)) {
            self.0 = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    const NS: V4 = V4 {
        ip: [10, 0, 2, 2],
        port: 53,
    };

    fn dgram(len: usize) -> Datagram {
        Datagram {
            from: NS,
            data: vec![7; len],
            cut: false,
        }
    }

    fn flags(peek: bool, trunc: bool) -> RecvFlags {
        RecvFlags {
            peek,
            trunc,
            ..RecvFlags::default()
        }
    }

    #[test]
    fn a_datagram_that_fits_is_returned_whole() {
        let d = deliver(&dgram(100), 512, RecvFlags::default());
        assert_eq!(
            d,
            Delivery {
                copy: 100,
                result: 100,
                truncated: false
            }
        );
    }

    #[test]
    fn the_rest_of_a_long_datagram_is_lost() {
        let d = deliver(&dgram(700), 512, RecvFlags::default());
        assert_eq!(
            d,
            Delivery {
                copy: 512,
                result: 512,
                truncated: true
            }
        );
        // With MSG_TRUNC the call returns the real length.
        let d = deliver(&dgram(700), 512, flags(false, true));
        assert_eq!((d.copy, d.result, d.truncated), (512, 700, true));
        // A zero-length buffer still consumes the datagram.
        let d = deliver(&dgram(700), 0, RecvFlags::default());
        assert_eq!((d.copy, d.result, d.truncated), (0, 0, true));
        // An empty datagram is a result of 0, not truncated.
        let d = deliver(&dgram(0), 0, RecvFlags::default());
        assert_eq!((d.copy, d.result, d.truncated), (0, 0, false));
    }

    #[test]
    fn a_datagram_the_kernel_cut_is_truncated() {
        let mut d = dgram(512);
        d.cut = true;
        let r = deliver(&d, 512, RecvFlags::default());
        assert_eq!((r.copy, r.result, r.truncated), (512, 512, true));
    }

    #[test]
    fn the_kernel_is_asked_for_what_is_needed() {
        assert_eq!(request_len(512, RecvFlags::default(), 65536), 512);
        assert_eq!(request_len(512, flags(true, false), 65536), MAX_DATAGRAM);
        assert_eq!(request_len(512, flags(false, true), 65536), MAX_DATAGRAM);
        assert_eq!(request_len(512, flags(true, false), 2048), 2048);
        assert_eq!(request_len(100_000, RecvFlags::default(), 2048), 2048);
        assert_eq!(request_len(0, RecvFlags::default(), 2048), 0);
    }

    #[test]
    fn a_peeked_datagram_is_held_until_received() {
        let mut held = Held::default();
        assert!(held.is_empty());
        assert_eq!(held.take(true), None);
        held.hold(dgram(10));
        assert_eq!(held.take(true), Some(dgram(10)));
        assert_eq!(held.take(true), Some(dgram(10)));
        assert!(!held.is_empty());
        assert_eq!(held.take(false), Some(dgram(10)));
        assert!(held.is_empty());
        assert_eq!(held.take(false), None);
    }

    #[test]
    fn a_connected_socket_takes_only_its_peer() {
        let other = V4 {
            ip: [10, 0, 2, 2],
            port: 54,
        };
        assert!(accepts(None, other));
        assert!(accepts(Some(NS), NS));
        assert!(!accepts(Some(NS), other));
        assert!(!accepts(
            Some(NS),
            V4 {
                ip: [10, 0, 2, 3],
                port: 53
            }
        ));
        let mut held = Held::default();
        held.hold(dgram(3));
        held.filter(Some(NS));
        assert!(!held.is_empty());
        held.filter(Some(other));
        assert!(held.is_empty());
    }
}
