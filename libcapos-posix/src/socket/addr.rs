//! Socket addresses as C passes them: Linux's `struct sockaddr_in`
//! (16 bytes: family, port in network order, address, 8 bytes of zero)
//! and `struct sockaddr_in6` (28 bytes: family, port, flow information,
//! address, scope id), read with the checks and errors of each Linux call
//! that takes one (`bind`, `connect`, `sendto`/`sendmsg`), and written
//! back as `getsockname`, `getpeername`, `recvfrom` and `recvmsg` do.
//!
//! The family field is in the machine's byte order; port and flow
//! information are in network order (big-endian); the scope id is in the
//! machine's order.

use crate::linux::errno::{EAFNOSUPPORT, EFAULT, EINVAL};
use crate::linux::net::{AF_INET, AF_INET6, AF_UNSPEC};

pub const SOCKADDR_IN_LEN: usize = 16;
pub const SOCKADDR_IN6_LEN: usize = 28;
/// RFC 2133's `sockaddr_in6`, without `sin6_scope_id`: Linux still takes
/// it (SIN6_LEN_RFC2133).
pub const SOCKADDR_IN6_MIN_LEN: usize = 24;
/// `sizeof(struct sockaddr_storage)`: the most any call reads.
pub const SOCKADDR_STORAGE_LEN: usize = 128;

/// An IPv4 address and port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct V4 {
    pub ip: [u8; 4],
    pub port: u16,
}

/// An IPv6 address and port, with the fields only IPv6 has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct V6 {
    pub ip: [u8; 16],
    pub port: u16,
    pub flowinfo: u32,
    pub scope_id: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SockAddr {
    V4(V4),
    V6(V6),
}

/// The family of the socket an address is given to: it decides how the
/// address is read, as on Linux, whatever family the address claims.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    Inet,
    /// No capOS socket is IPv6 yet (the kernel's stack is IPv4 only, and
    /// `socket(AF_INET6)` is EAFNOSUPPORT); Linux's rules for its
    /// addresses are here, tested, for when one is.
    #[cfg_attr(not(test), allow(dead_code))]
    Inet6,
}

/// Which call reads the address: each checks it its own way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Bind,
    Connect,
    /// `sendto`, `sendmsg`.
    Send,
}

impl V4 {
    /// The any address with port 0: what an unbound socket reports.
    pub const UNSPECIFIED: V4 = V4 {
        ip: [0; 4],
        port: 0,
    };

    pub fn is_unspecified_ip(&self) -> bool {
        self.ip == [0; 4]
    }

    /// The address as the kernel's UdpEndpoint holds it: the four octets
    /// in network order read as one big-endian number.
    pub fn endpoint_address(&self) -> u32 {
        u32::from_be_bytes(self.ip)
    }

    pub fn from_endpoint(address: u32, port: u16) -> V4 {
        V4 {
            ip: address.to_be_bytes(),
            port,
        }
    }
}

/// The length of an address a call is given (`len` as the register holds
/// it; Linux reads an `int`): at most `sockaddr_storage`, never negative
/// (EINVAL), and a NULL address with a length is EFAULT (Linux's copy
/// from user memory fails). Length 0 reads nothing.
pub fn input_len(len: i64, null: bool) -> Result<usize, i64> {
    let len = len as i32;
    if len < 0 || len as usize > SOCKADDR_STORAGE_LEN {
        return Err(EINVAL);
    }
    if len > 0 && null {
        return Err(EFAULT);
    }
    Ok(len as usize)
}

fn u16_at(bytes: &[u8], at: usize) -> [u8; 2] {
    [bytes[at], bytes[at + 1]]
}

fn u32_at(bytes: &[u8], at: usize) -> [u8; 4] {
    [bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]
}

/// Reads the address `bytes` (as many as the caller's length said) given
/// to a socket of `family` by call `purpose`, with Linux's checks in
/// Linux's order:
///
/// - `connect` with family AF_UNSPEC dissolves the association: `None`
///   (needs only the family field; fewer bytes are EINVAL);
/// - shorter than the socket family's address (16 bytes; 24 for IPv6,
///   RFC 2133's form) is EINVAL;
/// - another family is EAFNOSUPPORT, except that an IPv4 socket takes
///   AF_UNSPEC as AF_INET for `bind` to the any address and for sends
///   (Linux's compatibility rules);
/// - a send to port 0 is EINVAL.
pub fn decode(family: Family, bytes: &[u8], purpose: Purpose) -> Result<Option<SockAddr>, i64> {
    let claimed = |b: &[u8]| u16::from_ne_bytes(u16_at(b, 0));
    if purpose == Purpose::Connect {
        if bytes.len() < 2 {
            return Err(EINVAL);
        }
        if claimed(bytes) == AF_UNSPEC {
            return Ok(None);
        }
    }
    let addr = match family {
        Family::Inet => {
            if bytes.len() < SOCKADDR_IN_LEN {
                return Err(EINVAL);
            }
            let a = V4 {
                port: u16::from_be_bytes(u16_at(bytes, 2)),
                ip: u32_at(bytes, 4),
            };
            let unspec_ok = match purpose {
                Purpose::Bind => a.is_unspecified_ip(),
                Purpose::Send => true,
                Purpose::Connect => false,
            };
            match claimed(bytes) {
                AF_INET => {}
                AF_UNSPEC if unspec_ok => {}
                _ => return Err(EAFNOSUPPORT),
            }
            if purpose == Purpose::Send && a.port == 0 {
                return Err(EINVAL);
            }
            SockAddr::V4(a)
        }
        Family::Inet6 => {
            if bytes.len() < SOCKADDR_IN6_MIN_LEN {
                return Err(EINVAL);
            }
            if claimed(bytes) != AF_INET6 {
                return Err(EAFNOSUPPORT);
            }
            let mut ip = [0; 16];
            ip.copy_from_slice(&bytes[8..24]);
            let a = V6 {
                port: u16::from_be_bytes(u16_at(bytes, 2)),
                flowinfo: u32::from_be_bytes(u32_at(bytes, 4)),
                ip,
                scope_id: if bytes.len() >= SOCKADDR_IN6_LEN {
                    u32::from_ne_bytes(u32_at(bytes, 24))
                } else {
                    0
                },
            };
            if purpose == Purpose::Send && a.port == 0 {
                return Err(EINVAL);
            }
            SockAddr::V6(a)
        }
    };
    Ok(Some(addr))
}

impl SockAddr {
    /// The address in Linux's layout, and its length (16 or 28).
    pub fn encode(&self) -> ([u8; SOCKADDR_IN6_LEN], usize) {
        let mut out = [0; SOCKADDR_IN6_LEN];
        match self {
            SockAddr::V4(a) => {
                out[0..2].copy_from_slice(&AF_INET.to_ne_bytes());
                out[2..4].copy_from_slice(&a.port.to_be_bytes());
                out[4..8].copy_from_slice(&a.ip);
                (out, SOCKADDR_IN_LEN)
            }
            SockAddr::V6(a) => {
                out[0..2].copy_from_slice(&AF_INET6.to_ne_bytes());
                out[2..4].copy_from_slice(&a.port.to_be_bytes());
                out[4..8].copy_from_slice(&a.flowinfo.to_be_bytes());
                out[8..24].copy_from_slice(&a.ip);
                out[24..28].copy_from_slice(&a.scope_id.to_ne_bytes());
                (out, SOCKADDR_IN6_LEN)
            }
        }
    }
}

/// How many bytes of a `full`-byte address are written for a caller whose
/// `*addrlen` holds `room` (None: `addrlen` is NULL, EFAULT): as many as
/// fit, never more than the address; a negative room is EINVAL. Linux then
/// stores `full` in `*addrlen`, so a caller can tell it was cut short.
pub fn output_len(room: Option<i32>, full: usize) -> Result<usize, i64> {
    let room = room.ok_or(EFAULT)?;
    if room < 0 {
        return Err(EINVAL);
    }
    Ok((room as usize).min(full))
}

#[cfg(test)]
mod tests;
