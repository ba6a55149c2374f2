//! Messages: Linux's `struct msghdr` and `struct iovec` for `sendmsg` and
//! `recvmsg`, the gathering and scattering of a datagram over the iovecs,
//! and the message flags of every send and receive.
//!
//! Flags capOS supports, and what they mean for a UDP socket:
//!
//! - sends: MSG_DONTWAIT (never wait, as O_NONBLOCK for this call),
//!   MSG_NOSIGNAL (a UDP send never raises SIGPIPE: after
//!   `shutdown(SHUT_WR)` it fails with EPIPE alone, as on Linux),
//!   MSG_CONFIRM (a hint to the neighbour cache, which the kernel keeps
//!   fresh itself);
//! - receives: MSG_DONTWAIT, MSG_PEEK (the datagram stays queued for the
//!   next receive), MSG_TRUNC (the result is the datagram's real length,
//!   even when the buffer was shorter), MSG_WAITALL (no effect on a
//!   datagram, which arrives whole: as Linux), MSG_CMSG_CLOEXEC (applies to
//!   passed descriptors, which UDP never carries), MSG_ERRQUEUE (EAGAIN:
//!   the error queue is always empty, since no ICMP error reaches a
//!   socket), MSG_NOSIGNAL (a receive never raises SIGPIPE anyway;
//!   portable code passes it to both).
//!
//! Refused with EOPNOTSUPP and a report line: MSG_OOB (no urgent data in
//! UDP; Linux refuses sends the same way), MSG_MORE (corking several sends
//! into one datagram; sending them apart would change the datagrams the
//! peer sees), and any flag not named here.

use super::Refusal;
use crate::linux::errno::{EFAULT, EINVAL, EMSGSIZE, ENOBUFS, EOPNOTSUPP};
use crate::linux::net::{
    MSG_CMSG_CLOEXEC, MSG_CONFIRM, MSG_DONTWAIT, MSG_ERRQUEUE, MSG_MORE, MSG_NOSIGNAL, MSG_OOB,
    MSG_PEEK, MSG_TRUNC, MSG_WAITALL,
};
use alloc::vec::Vec;

/// Linux's `struct msghdr` on x86_64 (the kernel's `user_msghdr`): the
/// lengths are `size_t` where musl has an `int` and padding, which musl
/// zeroes before the call, so reading them whole is what Linux does.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MsgHdr {
    pub name: u64,
    pub namelen: u32,
    pub _pad: u32,
    pub iov: u64,
    pub iovlen: u64,
    pub control: u64,
    pub controllen: u64,
    pub flags: i32,
    pub _pad2: u32,
}

/// Linux's `struct iovec`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IoVec {
    pub base: u64,
    pub len: u64,
}

/// Most iovecs one call takes (UIO_MAXIOV).
pub const IOV_MAX: u64 = 1024;
/// The most bytes one call moves (MAX_RW_COUNT); Linux cuts longer
/// iovec lists to it.
pub const MAX_RW: u64 = 0x7fff_f000;
/// `sizeof(struct cmsghdr)`: a control buffer shorter than this holds no
/// message, and Linux ignores it.
pub const CMSGHDR_LEN: u64 = 16;

/// What `sendmsg`/`recvmsg` take from a `msghdr`, checked as Linux's
/// `copy_msghdr_from_user` checks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// The address and its length (at most `sockaddr_storage`), if the
    /// caller gave one.
    pub name: Option<(u64, usize)>,
    pub iov: u64,
    pub iovlen: usize,
}

/// Checks a `msghdr` in Linux's order: a negative name length is EINVAL
/// (a NULL name has no length at all) and a longer one is cut to
/// `sockaddr_storage`; more than IOV_MAX iovecs is EMSGSIZE; a NULL iovec
/// array with entries is EFAULT.
pub fn header(h: &MsgHdr) -> Result<Header, i64> {
    if h.name != 0 && (h.namelen as i32) < 0 {
        return Err(EINVAL);
    }
    if h.iovlen > IOV_MAX {
        return Err(EMSGSIZE);
    }
    if h.iovlen > 0 && h.iov == 0 {
        return Err(EFAULT);
    }
    let name = (h.name != 0).then(|| {
        let len = (h.namelen as usize).min(super::addr::SOCKADDR_STORAGE_LEN);
        (h.name, len)
    });
    Ok(Header {
        name,
        iov: h.iov,
        iovlen: h.iovlen as usize,
    })
}

/// Checks a `sendmsg` control buffer. Ancillary data (IP_PKTINFO, IP_TOS,
/// ...) is refused, EINVAL as Linux answers a control message it cannot
/// use, with a report line; a buffer too short to hold one is ignored,
/// as Linux ignores it. A length past INT_MAX is ENOBUFS, as Linux.
pub fn send_control(h: &MsgHdr) -> Result<(), Refusal> {
    if h.controllen > i32::MAX as u64 {
        return Err(Refusal::linux(ENOBUFS));
    }
    if h.control != 0 && h.controllen >= CMSGHDR_LEN {
        return Err(Refusal::capos(
            EINVAL,
            "control messages (ancillary data) are not supported on capOS",
        ));
    }
    Ok(())
}

/// The total length of an iovec list, as Linux's `import_iovec` sees it:
/// a length with the top bit set is EINVAL, a NULL base with a length
/// EFAULT; the total is cut to MAX_RW.
pub fn iov_total(iovs: &[IoVec]) -> Result<usize, i64> {
    let mut total: u64 = 0;
    for v in iovs {
        if v.len > i64::MAX as u64 {
            return Err(EINVAL);
        }
        if v.len > 0 && v.base == 0 {
            return Err(EFAULT);
        }
        total = total.saturating_add(v.len);
    }
    Ok(total.min(MAX_RW) as usize)
}

/// The datagram a send of these parts makes, up to `limit` bytes.
pub fn gather(parts: &[&[u8]], limit: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for part in parts {
        let n = part.len().min(limit - out.len());
        out.extend_from_slice(&part[..n]);
    }
    out
}

/// Copies `data` over the parts in order; returns the bytes placed.
pub fn scatter(data: &[u8], parts: &mut [&mut [u8]]) -> usize {
    let mut rest = data;
    for part in parts.iter_mut() {
        let n = part.len().min(rest.len());
        part[..n].copy_from_slice(&rest[..n]);
        rest = &rest[n..];
    }
    data.len() - rest.len()
}

/// A send's flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SendFlags {
    pub dontwait: bool,
}

/// Decodes a send's flags (an `int` in the register).
pub fn send_flags(flags: i64) -> Result<SendFlags, Refusal> {
    let flags = flags as i32 as i64;
    if flags & MSG_OOB != 0 {
        return Err(Refusal::capos(EOPNOTSUPP, "UDP has no out-of-band data"));
    }
    if flags & MSG_MORE != 0 {
        return Err(Refusal::capos(
            EOPNOTSUPP,
            "MSG_MORE (corking datagrams) is not supported on capOS",
        ));
    }
    if flags & !(MSG_DONTWAIT | MSG_NOSIGNAL | MSG_CONFIRM) != 0 {
        return Err(Refusal::capos(
            EOPNOTSUPP,
            "a send flag capOS does not support",
        ));
    }
    Ok(SendFlags {
        dontwait: flags & MSG_DONTWAIT != 0,
    })
}

/// A receive's flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RecvFlags {
    pub dontwait: bool,
    pub peek: bool,
    pub trunc: bool,
    /// MSG_ERRQUEUE: read the error queue (always empty).
    pub errqueue: bool,
}

/// Decodes a receive's flags (an `int` in the register).
pub fn recv_flags(flags: i64) -> Result<RecvFlags, Refusal> {
    let flags = flags as i32 as i64;
    if flags & MSG_OOB != 0 {
        return Err(Refusal::capos(EOPNOTSUPP, "UDP has no out-of-band data"));
    }
    let known = MSG_DONTWAIT
        | MSG_PEEK
        | MSG_TRUNC
        | MSG_WAITALL
        | MSG_CMSG_CLOEXEC
        | MSG_ERRQUEUE
        | MSG_NOSIGNAL;
    if flags & !known != 0 {
        return Err(Refusal::capos(
            EOPNOTSUPP,
            "a receive flag capOS does not support",
        ));
    }
    Ok(RecvFlags {
        dontwait: flags & MSG_DONTWAIT != 0,
        peek: flags & MSG_PEEK != 0,
        trunc: flags & MSG_TRUNC != 0,
        errqueue: flags & MSG_ERRQUEUE != 0,
    })
}

#[cfg(test)]
mod tests;
