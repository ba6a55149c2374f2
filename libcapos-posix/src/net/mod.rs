//! UDP sockets over the kernel's NetworkManager and UdpSocket
//! (docs/interfaces/network-manager.md, udp-socket.md), and TCP sockets
//! over TcpConnection and TcpListener (`stream`): the glue between
//! the Linux calls `dispatch.rs` routes here and the pure rules of
//! `socket/` (addresses, options, flags, the socket's state), which are
//! host-tested.
//!
//! - `object`: a socket descriptor's object ([`object::UdpFd`]): the
//!   POSIX state, the kernel socket once it has a port, a peeked datagram;
//! - `calls`: `socket`, `bind`, `connect`, `shutdown`, `getsockname`,
//!   `getpeername`, `setsockopt`, `getsockopt`, `listen`, `accept`;
//! - `io`: `sendto`, `recvfrom`, `sendmsg`, `recvmsg`, and `read`/`write`
//!   on a socket;
//! - `user`: addresses and option values in and out of C's memory.
//!
//! A process may make sockets only if it holds a NetworkManager named
//! "network"; without one, `socket` fails with EACCES (permission to make
//! a socket is denied, which is what the process lacks) and one report
//! line.

pub mod calls;
pub mod io;
pub mod object;
pub mod stream;
mod user;

use crate::dispatch::refuse;
use crate::socket::{Refusal, kernel};
use crate::state::State;
use alloc::borrow::Cow;
use alloc::string::ToString;

/// A failed socket call: the errno, and, when capOS refuses what Linux
/// would do, the reason for the one report line.
#[derive(Debug)]
pub struct Failure {
    pub errno: i64,
    pub report: Option<Cow<'static, str>>,
}

impl From<i64> for Failure {
    fn from(errno: i64) -> Failure {
        Failure {
            errno,
            report: None,
        }
    }
}

impl From<Refusal> for Failure {
    fn from(r: Refusal) -> Failure {
        Failure {
            errno: r.errno,
            report: r.unsupported.map(Cow::Borrowed),
        }
    }
}

impl Failure {
    /// A kernel failure mapped to `errno`; reported, with the kernel's
    /// own reason, if it is a capOS refusal.
    pub fn kernel(errno: i64, e: &capos_rt::Error) -> Failure {
        Failure {
            errno,
            report: kernel::reported(errno).then(|| Cow::Owned(kernel::reason(e).to_string())),
        }
    }
}

/// The result of call `n` for C: a failure is logged (once per call
/// number) when it carries a report.
pub fn answer(s: &mut State, n: i64, r: Result<i64, Failure>) -> Result<i64, i64> {
    match r {
        Ok(v) => Ok(v),
        Err(Failure {
            errno,
            report: Some(why),
        }) => refuse(s, n, errno, &why),
        Err(f) => Err(f.errno),
    }
}
