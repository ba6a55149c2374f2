//! What `poll`, `ppoll`, `select` and `pselect6` compute, without the
//! capabilities: the events a descriptor reports from what its object
//! says, select's descriptor sets as poll entries and back, and timeouts.
//! The waiting itself is poll_call.rs.
//!
//! Errors are positive Linux errno values.

use crate::linux::errno::{EBADF, EINVAL};
use alloc::vec::Vec;

pub const POLLIN: i16 = 0x001;
pub const POLLPRI: i16 = 0x002;
pub const POLLOUT: i16 = 0x004;
pub const POLLERR: i16 = 0x008;
pub const POLLHUP: i16 = 0x010;
pub const POLLNVAL: i16 = 0x020;
pub const POLLRDNORM: i16 = 0x040;
pub const POLLWRNORM: i16 = 0x100;
pub const POLLRDHUP: i16 = 0x2000;

/// Linux's `struct pollfd`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PollFd {
    pub fd: i32,
    pub events: i16,
    pub revents: i16,
}

/// Most entries one call takes (Linux: RLIMIT_NOFILE, 1024 by default).
pub const MAX_POLL_FDS: u64 = 1024;
/// Bits in an `fd_set` (FD_SETSIZE).
pub const FD_SETSIZE: usize = 1024;
/// An `fd_set`: FD_SETSIZE bits.
pub type FdSet = [u64; FD_SETSIZE / 64];

/// What a descriptor's object can say about itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Always writable, never readable (the console).
    WriteOnly,
    /// A pipe's read half: bytes buffered (`ready`), writer gone (`hangup`).
    Reader { ready: bool, hangup: bool },
    /// A pipe's write half: room for PIPE_BUF bytes (`ready`), reader gone
    /// (`hangup`).
    Writer { ready: bool, hangup: bool },
    /// A UDP socket: a datagram waits (`readable`), the read direction
    /// is shut (`read_shut`), both directions are (`hangup`: shutdown
    /// both ways, or the kernel's socket closed by another holder).
    /// Sends never wait, so it is always writable.
    Socket {
        readable: bool,
        read_shut: bool,
        hangup: bool,
    },
    /// A terminal: a read would not wait (`readable`). Writes never
    /// wait, so it is always writable.
    Terminal { readable: bool },
    /// A TCP connection (Linux's tcp_poll): bytes or the end of the
    /// stream to read (`readable`), room to write (`writable`), the peer
    /// finished sending (`read_end`), both directions over (`hangup`), a
    /// failed or reset connection (`error`).
    Stream {
        readable: bool,
        writable: bool,
        read_end: bool,
        hangup: bool,
        error: bool,
    },
    /// Not known yet (a readiness call still in flight).
    Unknown,
    /// Always readable and writable: a file or a directory, as Linux
    /// reports regular files.
    Always,
}

/// The `revents` of an entry asking for `events` on an object in `state`,
/// as Linux reports them for pipes and UDP sockets: the asked-for events
/// that hold, and always POLLHUP (a read half whose writer is gone, a
/// socket shut both ways) and POLLERR (a write half whose reader is gone).
pub fn revents(events: i16, state: State) -> i16 {
    let readable = POLLIN | POLLRDNORM;
    let writable = POLLOUT | POLLWRNORM;
    match state {
        State::WriteOnly => events & writable,
        State::Always => events & (readable | writable),
        State::Reader { ready, hangup } => {
            let hup = if hangup { POLLHUP } else { 0 };
            hup | if ready { events & readable } else { 0 }
        }
        // Writing would fail with EPIPE: an error condition.
        State::Writer { ready, hangup } => {
            let err = if hangup { POLLERR } else { 0 };
            err | if ready { events & writable } else { 0 }
        }
        // Linux's datagram_poll: a shut read direction reads (as end of
        // data) and says POLLRDHUP; both shut is POLLHUP.
        State::Socket {
            readable: queued,
            read_shut,
            hangup,
        } => {
            let hup = if hangup { POLLHUP } else { 0 };
            let shut = read_shut || hangup;
            let rdhup = if shut { POLLRDHUP } else { 0 };
            let read = if queued || shut { readable } else { 0 };
            hup | events & (read | rdhup | writable)
        }
        State::Terminal { readable: r } => events & (writable | if r { readable } else { 0 }),
        State::Stream {
            readable: can_read,
            writable: can_write,
            read_end,
            hangup,
            error,
        } => {
            let mut always = 0;
            if hangup {
                always |= POLLHUP;
            }
            if error {
                always |= POLLERR;
            }
            let rdhup = if read_end { POLLRDHUP } else { 0 };
            let read = if can_read { readable } else { 0 };
            let write = if can_write { writable } else { 0 };
            always | events & (read | write | rdhup)
        }
        State::Unknown => 0,
    }
}

/// The poll entries for select's three sets over descriptors `0..nfds`,
/// one per descriptor in any set. EINVAL for an `nfds` outside
/// 0..=FD_SETSIZE.
pub fn from_sets(
    nfds: i64,
    read: Option<&FdSet>,
    write: Option<&FdSet>,
    except: Option<&FdSet>,
) -> Result<Vec<PollFd>, i64> {
    let nfds = usize::try_from(nfds)
        .ok()
        .filter(|&n| n <= FD_SETSIZE)
        .ok_or(EINVAL)?;
    let has =
        |set: Option<&FdSet>, fd: usize| set.is_some_and(|s| s[fd / 64] & (1 << (fd % 64)) != 0);
    let mut entries = Vec::new();
    for fd in 0..nfds {
        let mut events = 0;
        if has(read, fd) {
            events |= POLLIN;
        }
        if has(write, fd) {
            events |= POLLOUT;
        }
        if has(except, fd) {
            events |= POLLPRI;
        }
        if events != 0 {
            entries.push(PollFd {
                fd: fd as i32,
                events,
                revents: 0,
            });
        }
    }
    Ok(entries)
}

/// select's sets after the wait, from the polled entries, and the count
/// select returns (bits set in all three). A descriptor that is not open
/// fails the whole call with EBADF, as on Linux.
pub fn to_sets(
    entries: &[PollFd],
    read: Option<&mut FdSet>,
    write: Option<&mut FdSet>,
    except: Option<&mut FdSet>,
) -> Result<i64, i64> {
    if entries.iter().any(|e| e.revents & POLLNVAL != 0) {
        return Err(EBADF);
    }
    let mut sets = [read, write, except];
    for set in sets.iter_mut().flatten() {
        **set = [0; FD_SETSIZE / 64];
    }
    let mut count = 0;
    for e in entries {
        let fd = e.fd as usize;
        // Linux's select: readable also on hangup or error, writable also
        // on error, so the caller's read or write sees what happened.
        let got = [
            e.events & POLLIN != 0 && e.revents & (POLLIN | POLLHUP | POLLERR) != 0,
            e.events & POLLOUT != 0 && e.revents & (POLLOUT | POLLERR) != 0,
            e.events & POLLPRI != 0 && e.revents & POLLPRI != 0,
        ];
        for (set, hit) in sets.iter_mut().zip(got) {
            if let Some(set) = set
                && hit
            {
                set[fd / 64] |= 1 << (fd % 64);
                count += 1;
            }
        }
    }
    Ok(count)
}

/// poll's timeout in milliseconds as a wait: None waits forever (any
/// negative value, as Linux).
pub fn poll_timeout(ms: i64) -> Option<u64> {
    u64::try_from(ms)
        .ok()
        .map(|ms| ms.saturating_mul(1_000_000))
}

/// A `struct timespec` (ppoll, pselect6) or `struct timeval` (select,
/// `unit_ns` 1000) as a wait in nanoseconds; EINVAL if negative or the
/// fraction is out of range.
pub fn duration(sec: i64, frac: i64, unit_ns: i64) -> Result<u64, i64> {
    let per_sec = 1_000_000_000 / unit_ns;
    if sec < 0 || !(0..per_sec).contains(&frac) {
        return Err(EINVAL);
    }
    Ok((sec as u64)
        .saturating_mul(1_000_000_000)
        .saturating_add((frac * unit_ns) as u64))
}

#[cfg(test)]
mod tests;
