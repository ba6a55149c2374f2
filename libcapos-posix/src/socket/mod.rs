//! Sockets without the capabilities: what `socket`, `bind`, `connect`,
//! `sendto`, `recvfrom`, `sendmsg`, `recvmsg`, `getsockname`,
//! `getpeername`, `setsockopt`, `getsockopt` and `shutdown` compute from
//! their arguments and a socket's state, as Linux computes it, so every
//! errno choice is tested on the host:
//!
//! - [`addr`]: `sockaddr_in` and `sockaddr_in6`, Linux's layouts, in and
//!   out, with the errors of each call that takes one;
//! - [`kind`]: `socket()`'s family, type, flags and protocol;
//! - [`option`]: the socket options capOS accepts, answers or refuses;
//! - [`msg`]: `msghdr` and `iovec`, and the message flags of sends and
//!   receives;
//! - [`datagram`]: what one receive hands the caller (truncation,
//!   `MSG_TRUNC`, `MSG_PEEK`);
//! - [`udp`]: one UDP socket's state (bound, connected, shut down, its
//!   timeouts) and the decisions that depend on it;
//! - [`stream`]: one TCP socket's state (fresh, bound, listening,
//!   connecting, connected), its options and the errno of each call;
//! - [`kernel`]: the kernel's failures as errno.
//!
//! Capabilities appear only in the glue over the kernel's NetworkManager
//! and UdpSocket. Errors are positive Linux errno values; a refusal that
//! exists because capOS lacks something (not because Linux would refuse
//! too) carries a reason for the adapter's one report line.

pub mod addr;
pub mod datagram;
pub mod kernel;
pub mod kind;
pub mod msg;
pub mod option;
pub mod stream;
pub mod udp;

/// A refusal: the errno, and why capOS refuses what Linux would do, if
/// that is the case (the report line's reason); `None` when Linux refuses
/// the same way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refusal {
    pub errno: i64,
    pub unsupported: Option<&'static str>,
}

impl Refusal {
    /// Linux's own refusal, with its errno.
    pub const fn linux(errno: i64) -> Refusal {
        Refusal {
            errno,
            unsupported: None,
        }
    }

    /// A refusal because capOS does not do this (`why`, for the report).
    pub const fn capos(errno: i64, why: &'static str) -> Refusal {
        Refusal {
            errno,
            unsupported: Some(why),
        }
    }
}

impl From<i64> for Refusal {
    fn from(errno: i64) -> Refusal {
        Refusal::linux(errno)
    }
}
