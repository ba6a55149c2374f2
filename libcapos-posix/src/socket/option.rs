//! `setsockopt` and `getsockopt` on a UDP socket: which options capOS
//! accepts, which it answers, and which it refuses, with Linux's checks
//! (`sock_setsockopt`, `sock_getsockopt`) in Linux's order.
//!
//! Accepted: SO_RCVTIMEO and SO_SNDTIMEO (both forms: on x86_64 the old
//! and new `timeval` are the same 16 bytes), and SO_REUSEADDR (recorded;
//! sharing a port is then refused at `bind`, where it would matter).
//! Answered only: SO_TYPE, SO_ERROR, SO_DOMAIN, SO_PROTOCOL,
//! SO_ACCEPTCONN (setting them is ENOPROTOOPT, as on Linux), and
//! SO_RCVBUF/SO_SNDBUF (the kernel's queues have a fixed size, so setting
//! them is refused rather than accepted and ignored). Everything else, at
//! any level, is ENOPROTOOPT with a report line.

use super::Refusal;
use crate::linux::errno::{EDOM, EFAULT, EINVAL, ENOPROTOOPT};
use crate::linux::net::{
    AF_INET, IPPROTO_UDP, SO_ACCEPTCONN, SO_DOMAIN, SO_ERROR, SO_PROTOCOL, SO_RCVBUF,
    SO_RCVTIMEO_NEW, SO_RCVTIMEO_OLD, SO_REUSEADDR, SO_SNDBUF, SO_SNDTIMEO_NEW, SO_SNDTIMEO_OLD,
    SO_TYPE, SOCK_DGRAM, SOL_SOCKET,
};

/// `struct timeval` on x86_64: two 8-byte fields.
pub const TIMEVAL_LEN: usize = 16;
const INT_LEN: usize = 4;
const NS_PER_US: u64 = 1000;
const US_PER_S: i64 = 1_000_000;

/// How long a receive (or send) may wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Timeout {
    /// No limit (a zero timeval, the default).
    #[default]
    Forever,
    /// At most this many nanoseconds; 0 means not at all (Linux's
    /// reading of a negative timeval).
    Ns(u64),
}

/// An option being set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Set {
    RcvTimeo(Timeout),
    SndTimeo(Timeout),
    ReuseAddr(bool),
}

/// An option being read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Get {
    RcvTimeo,
    SndTimeo,
    ReuseAddr,
    Type,
    Error,
    Domain,
    Protocol,
    AcceptConn,
    RcvBuf,
    SndBuf,
}

fn refused(level: i64) -> Refusal {
    Refusal::capos(
        ENOPROTOOPT,
        if level == SOL_SOCKET {
            "this socket option is not supported on capOS"
        } else {
            "only SOL_SOCKET options are supported on capOS"
        },
    )
}

/// Decodes `setsockopt(level, name, value)`: `value` is the first
/// `min(len, TIMEVAL_LEN)` bytes the caller passed (None: a NULL
/// pointer), `len` its `socklen_t` as the register holds it.
pub fn decode_set(level: i64, name: i64, value: Option<&[u8]>, len: i64) -> Result<Set, Refusal> {
    let (level, name, len) = (level as i32 as i64, name as i32 as i64, len as i32);
    if len < 0 {
        return Err(Refusal::linux(EINVAL));
    }
    if level != SOL_SOCKET {
        return Err(refused(level));
    }
    // Every SOL_SOCKET option but SO_BINDTODEVICE needs an int first.
    if (len as usize) < INT_LEN {
        return Err(Refusal::linux(EINVAL));
    }
    let value = value.ok_or(Refusal::linux(EFAULT))?;
    let int = match value {
        [a, b, c, d, ..] => i32::from_ne_bytes([*a, *b, *c, *d]),
        _ => return Err(Refusal::linux(EINVAL)),
    };
    match name {
        SO_RCVTIMEO_OLD | SO_RCVTIMEO_NEW => timeval(value).map(Set::RcvTimeo),
        SO_SNDTIMEO_OLD | SO_SNDTIMEO_NEW => timeval(value).map(Set::SndTimeo),
        SO_REUSEADDR => Ok(Set::ReuseAddr(int != 0)),
        SO_RCVBUF | SO_SNDBUF => Err(Refusal::capos(
            ENOPROTOOPT,
            "socket buffer sizes are fixed by the kernel on capOS",
        )),
        // Read-only on Linux too.
        SO_TYPE | SO_ERROR | SO_DOMAIN | SO_PROTOCOL | SO_ACCEPTCONN => {
            Err(Refusal::linux(ENOPROTOOPT))
        }
        _ => Err(refused(level)),
    }
}

/// A `struct timeval` as a timeout (Linux's `sock_set_timeout`): shorter
/// than a timeval is EINVAL, microseconds outside 0..1000000 EDOM, a
/// negative time "do not wait", zero "no limit".
fn timeval(value: &[u8]) -> Result<Timeout, Refusal> {
    if value.len() < TIMEVAL_LEN {
        return Err(Refusal::linux(EINVAL));
    }
    let mut sec = [0; 8];
    let mut usec = [0; 8];
    sec.copy_from_slice(&value[0..8]);
    usec.copy_from_slice(&value[8..16]);
    let (sec, usec) = (i64::from_ne_bytes(sec), i64::from_ne_bytes(usec));
    if !(0..US_PER_S).contains(&usec) {
        return Err(Refusal::linux(EDOM));
    }
    if sec < 0 {
        return Ok(Timeout::Ns(0));
    }
    if sec == 0 && usec == 0 {
        return Ok(Timeout::Forever);
    }
    Ok(Timeout::Ns(
        (sec as u64)
            .saturating_mul(1_000_000_000)
            .saturating_add(usec as u64 * NS_PER_US),
    ))
}

/// Decodes `getsockopt(level, name, ...)`: which option is read.
pub fn decode_get(level: i64, name: i64) -> Result<Get, Refusal> {
    let (level, name) = (level as i32 as i64, name as i32 as i64);
    if level != SOL_SOCKET {
        return Err(refused(level));
    }
    Ok(match name {
        SO_RCVTIMEO_OLD | SO_RCVTIMEO_NEW => Get::RcvTimeo,
        SO_SNDTIMEO_OLD | SO_SNDTIMEO_NEW => Get::SndTimeo,
        SO_REUSEADDR => Get::ReuseAddr,
        SO_TYPE => Get::Type,
        SO_ERROR => Get::Error,
        SO_DOMAIN => Get::Domain,
        SO_PROTOCOL => Get::Protocol,
        SO_ACCEPTCONN => Get::AcceptConn,
        SO_RCVBUF => Get::RcvBuf,
        SO_SNDBUF => Get::SndBuf,
        _ => return Err(refused(level)),
    })
}

/// What a socket knows that `getsockopt` reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Facts {
    pub rcvtimeo: Timeout,
    pub sndtimeo: Timeout,
    pub reuseaddr: bool,
    /// The receive and send buffer sizes in bytes, where the kernel
    /// tells them; None answers ENOPROTOOPT (never a made-up size).
    pub rcvbuf: Option<i32>,
    pub sndbuf: Option<i32>,
}

/// The value of option `get` (an int, or a timeval), and its length.
/// SO_ERROR is always 0: capOS's UDP delivers no asynchronous errors
/// (no ICMP error reaches a socket), so none is ever pending.
pub fn value(get: Get, facts: &Facts) -> Result<([u8; TIMEVAL_LEN], usize), Refusal> {
    let int = |v: i32| {
        let mut out = [0; TIMEVAL_LEN];
        out[..INT_LEN].copy_from_slice(&v.to_ne_bytes());
        (out, INT_LEN)
    };
    let tv = |t: Timeout| {
        let ns = match t {
            Timeout::Forever => 0,
            Timeout::Ns(ns) => ns,
        };
        let mut out = [0; TIMEVAL_LEN];
        out[..8].copy_from_slice(&((ns / 1_000_000_000) as i64).to_ne_bytes());
        out[8..].copy_from_slice(&((ns % 1_000_000_000 / NS_PER_US) as i64).to_ne_bytes());
        (out, TIMEVAL_LEN)
    };
    let buffer = |size: Option<i32>| {
        size.map(int).ok_or(Refusal::capos(
            ENOPROTOOPT,
            "the kernel does not report this socket's buffer size",
        ))
    };
    Ok(match get {
        Get::RcvTimeo => tv(facts.rcvtimeo),
        Get::SndTimeo => tv(facts.sndtimeo),
        Get::ReuseAddr => int(i32::from(facts.reuseaddr)),
        Get::Type => int(SOCK_DGRAM as i32),
        Get::Error => int(0),
        Get::Domain => int(i32::from(AF_INET)),
        Get::Protocol => int(IPPROTO_UDP as i32),
        Get::AcceptConn => int(0),
        Get::RcvBuf => buffer(facts.rcvbuf)?,
        Get::SndBuf => buffer(facts.sndbuf)?,
    })
}

/// How many bytes of a `full`-byte value are written for a caller whose
/// `*optlen` holds `room` (None: `optlen` is NULL, EFAULT): as many as
/// fit; a negative room is EINVAL. `*optlen` then gets that count.
pub fn output_len(room: Option<i32>, full: usize) -> Result<usize, i64> {
    let room = room.ok_or(EFAULT)?;
    if room < 0 {
        return Err(EINVAL);
    }
    Ok((room as usize).min(full))
}

#[cfg(test)]
mod tests;
