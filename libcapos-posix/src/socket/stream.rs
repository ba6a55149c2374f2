//! One TCP socket's POSIX state, without the capabilities: where it is
//! in its life (fresh, bound, listening, connecting, connected, failed),
//! its shut directions, its options, and the errno each call gets from
//! that state, as Linux answers (`inet_stream_connect`, `inet_listen`,
//! `inet_accept`, `tcp_sendmsg`, `tcp_recvmsg`, `inet_shutdown`).
//!
//! Options: TCP_NODELAY and SO_KEEPALIVE reach the kernel's connection
//! (Nagle off; keep-alive probes after Linux's default two hours of
//! silence); SO_LINGER decides what close(2) does (net/stream.rs
//! linger_close: a reset, or a wait for the peer's acknowledgement);
//! SO_REUSEADDR is recorded and read back; SO_RCVBUF and SO_SNDBUF are
//! hints, recorded (doubled, as Linux reports them) while the kernel's
//! buffers keep their fixed size; SO_RCVTIMEO and SO_SNDTIMEO bound a
//! receive's and a send's wait. SO_ERROR reports (and clears) a failed
//! connection's error.

use super::Refusal;
use super::option::{self, Facts, Set, TIMEVAL_LEN, Timeout};
use crate::linux::errno::{
    EADDRINUSE, EALREADY, ECONNREFUSED, ECONNRESET, EINVAL, EISCONN, ENOPROTOOPT, ENOTCONN, EPIPE,
    ETIMEDOUT,
};
use crate::linux::net::{
    IPPROTO_TCP, SHUT_RD, SHUT_RDWR, SHUT_WR, SO_ACCEPTCONN, SO_ERROR, SO_KEEPALIVE, SO_LINGER,
    SO_PROTOCOL, SO_RCVBUF, SO_SNDBUF, SO_TYPE, SOCK_STREAM, SOL_SOCKET, TCP_NODELAY,
};
use capos_rt::TcpFailure;

/// Where a TCP socket is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Phase {
    #[default]
    Fresh,
    /// `bind` gave it this port (0: any).
    Bound(u16),
    Listening,
    /// A non-blocking connect is under way.
    Connecting,
    Connected,
    /// The connection failed or ended; `connect` may not be tried again
    /// (capOS does not reuse a socket for a second connection).
    Done,
}

/// An option being set on a TCP socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamSet {
    Common(Set),
    KeepAlive(bool),
    NoDelay(bool),
    /// SO_LINGER: on, seconds.
    Linger(bool, i32),
    RcvBuf(i32),
    SndBuf(i32),
}

/// An option being read from a TCP socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamGet {
    Common(option::Get),
    KeepAlive,
    NoDelay,
    Linger,
}

/// What Linux reports for a buffer size it was given: doubled (for its
/// own bookkeeping), at least its minimum.
fn hint(v: i32) -> i32 {
    v.max(0).saturating_mul(2).max(4608)
}

#[derive(Debug, Clone, Default)]
pub struct Stream {
    pub phase: Phase,
    pub read_shut: bool,
    pub write_shut: bool,
    /// SO_ERROR: the error of a connection that failed, until read.
    pub error: i64,
    reuseaddr: bool,
    keepalive: bool,
    nodelay: bool,
    linger: (bool, i32),
    rcvbuf: Option<i32>,
    sndbuf: Option<i32>,
    pub rcvtimeo: Timeout,
    pub sndtimeo: Timeout,
}

/// Linux's default `tcp_keepalive_time`: the silence before a probe.
pub const KEEPALIVE_MS: u32 = 2 * 60 * 60 * 1000;

/// The errno of a connection's failure (connect, receive, send).
pub fn failure_errno(f: TcpFailure) -> Option<i64> {
    match f {
        TcpFailure::None | TcpFailure::Closed => None,
        TcpFailure::Refused => Some(ECONNREFUSED),
        TcpFailure::Reset => Some(ECONNRESET),
        TcpFailure::TimedOut => Some(ETIMEDOUT),
    }
}

impl Stream {
    /// `bind` to `port`: only once, and not after connect or listen.
    pub fn bind(&mut self, port: u16) -> Result<(), i64> {
        match self.phase {
            Phase::Fresh => {
                self.phase = Phase::Bound(port);
                Ok(())
            }
            _ => Err(EINVAL),
        }
    }

    /// `listen`: the port to listen on (0: any). A listening socket may
    /// listen again (Linux only changes the backlog): `None` then.
    pub fn listen(&self) -> Result<Option<u16>, i64> {
        match self.phase {
            Phase::Fresh => Ok(Some(0)),
            Phase::Bound(port) => Ok(Some(port)),
            Phase::Listening => Ok(None),
            _ => Err(EINVAL),
        }
    }

    /// `connect` on a socket in this phase: Ok if a connection may start.
    /// A bound port cannot be the local port of an outgoing connection
    /// on capOS (the kernel picks it).
    pub fn connect(&self) -> Result<(), Refusal> {
        match self.phase {
            Phase::Fresh | Phase::Bound(0) => Ok(()),
            Phase::Bound(_) => Err(Refusal::capos(
                EADDRINUSE,
                "a TCP connection's local port is chosen by the kernel on capOS (bind before connect)",
            )),
            Phase::Connecting => Err(Refusal::linux(EALREADY)),
            Phase::Connected => Err(Refusal::linux(EISCONN)),
            Phase::Listening => Err(Refusal::linux(EISCONN)),
            Phase::Done => Err(Refusal::capos(
                EISCONN,
                "a TCP socket connects once on capOS; make a new socket",
            )),
        }
    }

    /// Whether data may move (after connect): ENOTCONN otherwise, or the
    /// pending error of a failed connect.
    pub fn connected(&mut self) -> Result<(), i64> {
        match self.phase {
            Phase::Connected => Ok(()),
            Phase::Done if self.error != 0 => Err(core::mem::take(&mut self.error)),
            Phase::Done => Ok(()),
            _ => Err(ENOTCONN),
        }
    }

    /// A send's check before the kernel: EPIPE once writing is shut.
    pub fn may_send(&mut self) -> Result<(), i64> {
        self.connected()?;
        if self.write_shut {
            return Err(EPIPE);
        }
        Ok(())
    }

    /// `shutdown(how)`: which directions to shut in the kernel now.
    pub fn shutdown(&mut self, how: i64) -> Result<(bool, bool), i64> {
        let (read, write) = match how as i32 as i64 {
            SHUT_RD => (true, false),
            SHUT_WR => (false, true),
            SHUT_RDWR => (true, true),
            _ => return Err(EINVAL),
        };
        if !matches!(
            self.phase,
            Phase::Connected | Phase::Connecting | Phase::Done
        ) {
            return Err(ENOTCONN);
        }
        self.read_shut |= read;
        self.write_shut |= write;
        Ok((read, write))
    }

    /// SO_LINGER: whether close(2) lingers, and for how many seconds.
    pub fn linger(&self) -> (bool, i32) {
        self.linger
    }

    /// What the kernel's connection must be told (TcpConnection
    /// setOptions: no delay, keep-alive interval), if anything differs
    /// from its defaults.
    pub fn kernel_options(&self) -> Option<(bool, u32)> {
        let keepalive = if self.keepalive { KEEPALIVE_MS } else { 0 };
        (self.nodelay || self.keepalive).then_some((self.nodelay, keepalive))
    }

    /// An accepted socket's options: the listener's, as Linux copies them.
    pub fn options_from(&mut self, listener: &Stream) {
        self.reuseaddr = listener.reuseaddr;
        self.keepalive = listener.keepalive;
        self.nodelay = listener.nodelay;
        self.linger = listener.linger;
        self.rcvbuf = listener.rcvbuf;
        self.sndbuf = listener.sndbuf;
        self.rcvtimeo = listener.rcvtimeo;
        self.sndtimeo = listener.sndtimeo;
    }

    pub fn set(&mut self, option: StreamSet) {
        match option {
            StreamSet::Common(Set::RcvTimeo(t)) => self.rcvtimeo = t,
            StreamSet::Common(Set::SndTimeo(t)) => self.sndtimeo = t,
            StreamSet::Common(Set::ReuseAddr(on)) => self.reuseaddr = on,
            StreamSet::KeepAlive(on) => self.keepalive = on,
            StreamSet::NoDelay(on) => self.nodelay = on,
            // Linux keeps the old time when lingering is turned off.
            StreamSet::Linger(true, secs) => self.linger = (true, secs),
            StreamSet::Linger(false, _) => self.linger.0 = false,
            StreamSet::RcvBuf(v) => self.rcvbuf = Some(hint(v)),
            StreamSet::SndBuf(v) => self.sndbuf = Some(hint(v)),
        }
    }

    /// The value of `get` and its length; SO_ERROR clears the error.
    pub fn get(
        &mut self,
        get: StreamGet,
        buffer: i32,
    ) -> Result<([u8; TIMEVAL_LEN], usize), Refusal> {
        let int = |v: i32| {
            let mut out = [0; TIMEVAL_LEN];
            out[..4].copy_from_slice(&v.to_ne_bytes());
            (out, 4)
        };
        Ok(match get {
            StreamGet::KeepAlive => int(i32::from(self.keepalive)),
            StreamGet::NoDelay => int(i32::from(self.nodelay)),
            StreamGet::Linger => {
                let mut out = [0; TIMEVAL_LEN];
                out[..4].copy_from_slice(&i32::from(self.linger.0).to_ne_bytes());
                out[4..8].copy_from_slice(&self.linger.1.to_ne_bytes());
                (out, 8)
            }
            StreamGet::Common(option::Get::Type) => int(SOCK_STREAM as i32),
            StreamGet::Common(option::Get::Protocol) => int(IPPROTO_TCP as i32),
            StreamGet::Common(option::Get::AcceptConn) => {
                int(i32::from(self.phase == Phase::Listening))
            }
            StreamGet::Common(option::Get::Error) => int(core::mem::take(&mut self.error) as i32),
            StreamGet::Common(g) => {
                let facts = Facts {
                    rcvtimeo: self.rcvtimeo,
                    sndtimeo: self.sndtimeo,
                    reuseaddr: self.reuseaddr,
                    rcvbuf: Some(self.rcvbuf.unwrap_or(buffer)),
                    sndbuf: Some(self.sndbuf.unwrap_or(buffer)),
                };
                option::value(g, &facts)?
            }
        })
    }
}

fn int_of(value: Option<&[u8]>, len: i64) -> Result<i32, Refusal> {
    if (len as i32) < 4 {
        return Err(Refusal::linux(EINVAL));
    }
    match value {
        Some([a, b, c, d, ..]) => Ok(i32::from_ne_bytes([*a, *b, *c, *d])),
        Some(_) => Err(Refusal::linux(EINVAL)),
        None => Err(Refusal::linux(crate::linux::errno::EFAULT)),
    }
}

/// Decodes `setsockopt` on a TCP socket: its own options first, then the
/// ones every socket has (option::decode_set).
pub fn decode_set(
    level: i64,
    name: i64,
    value: Option<&[u8]>,
    len: i64,
) -> Result<StreamSet, Refusal> {
    let (lvl, nm) = (level as i32 as i64, name as i32 as i64);
    if lvl == IPPROTO_TCP {
        return match nm {
            TCP_NODELAY => Ok(StreamSet::NoDelay(int_of(value, len)? != 0)),
            _ => Err(Refusal::capos(
                ENOPROTOOPT,
                "this TCP option is not supported on capOS",
            )),
        };
    }
    if lvl == SOL_SOCKET {
        match nm {
            SO_KEEPALIVE => return Ok(StreamSet::KeepAlive(int_of(value, len)? != 0)),
            SO_RCVBUF => return Ok(StreamSet::RcvBuf(int_of(value, len)?)),
            SO_SNDBUF => return Ok(StreamSet::SndBuf(int_of(value, len)?)),
            SO_LINGER => {
                if (len as i32) < 8 {
                    return Err(Refusal::linux(EINVAL));
                }
                let on = int_of(value, len)?;
                let secs = match value {
                    Some(v) if v.len() >= 8 => i32::from_ne_bytes([v[4], v[5], v[6], v[7]]),
                    _ => return Err(Refusal::linux(EINVAL)),
                };
                return Ok(StreamSet::Linger(on != 0, secs));
            }
            _ => {}
        }
    }
    option::decode_set(level, name, value, len).map(StreamSet::Common)
}

/// Decodes `getsockopt` on a TCP socket.
pub fn decode_get(level: i64, name: i64) -> Result<StreamGet, Refusal> {
    let (lvl, nm) = (level as i32 as i64, name as i32 as i64);
    if lvl == IPPROTO_TCP {
        return match nm {
            TCP_NODELAY => Ok(StreamGet::NoDelay),
            _ => Err(Refusal::capos(
                ENOPROTOOPT,
                "this TCP option is not supported on capOS",
            )),
        };
    }
    if lvl == SOL_SOCKET {
        match nm {
            SO_KEEPALIVE => return Ok(StreamGet::KeepAlive),
            SO_LINGER => return Ok(StreamGet::Linger),
            SO_TYPE | SO_ERROR | SO_PROTOCOL | SO_ACCEPTCONN => {}
            _ => {}
        }
    }
    option::decode_get(level, name).map(StreamGet::Common)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connect_follows_the_phase() {
        let mut s = Stream::default();
        assert_eq!(s.connect(), Ok(()));
        assert_eq!(s.connected(), Err(ENOTCONN));
        s.phase = Phase::Connecting;
        assert_eq!(s.connect(), Err(Refusal::linux(EALREADY)));
        s.phase = Phase::Connected;
        assert_eq!(s.connect(), Err(Refusal::linux(EISCONN)));
        assert_eq!(s.connected(), Ok(()));
        let mut b = Stream::default();
        b.bind(8080).unwrap();
        assert_eq!(b.connect().unwrap_err().errno, EADDRINUSE);
        assert_eq!(b.bind(1), Err(EINVAL));
        assert_eq!(b.listen(), Ok(Some(8080)));
    }

    #[test]
    fn a_failed_connect_reports_its_error_once() {
        let mut s = Stream {
            phase: Phase::Done,
            error: ECONNREFUSED,
            ..Stream::default()
        };
        let (v, n) = s.get(StreamGet::Common(option::Get::Error), 0).unwrap();
        assert_eq!((i32::from_ne_bytes([v[0], v[1], v[2], v[3]]), n), (111, 4));
        let (v, _) = s.get(StreamGet::Common(option::Get::Error), 0).unwrap();
        assert_eq!(v[0], 0, "read once, then cleared");
        s.error = ECONNRESET;
        assert_eq!(s.connected(), Err(ECONNRESET));
        assert_eq!(s.connected(), Ok(()), "then end of stream");
    }

    #[test]
    fn shutdown_needs_a_connection_and_a_known_how() {
        let mut s = Stream::default();
        assert_eq!(s.shutdown(SHUT_WR), Err(ENOTCONN));
        s.phase = Phase::Connected;
        assert_eq!(s.shutdown(7), Err(EINVAL));
        assert_eq!(s.shutdown(SHUT_WR), Ok((false, true)));
        assert_eq!(s.may_send(), Err(EPIPE));
        assert_eq!(s.shutdown(SHUT_RDWR), Ok((true, true)));
        assert!(s.read_shut);
    }

    #[test]
    fn options_are_recorded_and_read_back() {
        let one = 1i32.to_ne_bytes();
        let mut s = Stream::default();
        for (level, name) in [(IPPROTO_TCP, TCP_NODELAY), (SOL_SOCKET, SO_KEEPALIVE)] {
            let set = decode_set(level, name, Some(&one), 4).unwrap();
            s.set(set);
            let (v, n) = s.get(decode_get(level, name).unwrap(), 0).unwrap();
            assert_eq!((v[0], n), (1, 4));
        }
        let linger = [1, 0, 0, 0, 5, 0, 0, 0];
        s.set(decode_set(SOL_SOCKET, SO_LINGER, Some(&linger), 8).unwrap());
        let (v, n) = s.get(StreamGet::Linger, 0).unwrap();
        assert_eq!((&v[..8], n), (&linger[..], 8));
        assert_eq!(
            decode_set(SOL_SOCKET, SO_LINGER, Some(&linger), 4),
            Err(Refusal::linux(EINVAL))
        );
        // Turned off, it keeps its time, as Linux's sk_lingertime does.
        s.set(decode_set(SOL_SOCKET, SO_LINGER, Some(&[0, 0, 0, 0, 9, 0, 0, 0]), 8).unwrap());
        let (v, _) = s.get(StreamGet::Linger, 0).unwrap();
        assert_eq!(&v[..8], &[0, 0, 0, 0, 5, 0, 0, 0]);
        assert_eq!(s.linger(), (false, 5));
        // Buffer sizes are hints, reported doubled as Linux does.
        s.set(decode_set(SOL_SOCKET, SO_RCVBUF, Some(&65536i32.to_ne_bytes()), 4).unwrap());
        let (v, _) = s
            .get(decode_get(SOL_SOCKET, SO_RCVBUF).unwrap(), 32768)
            .unwrap();
        assert_eq!(i32::from_ne_bytes([v[0], v[1], v[2], v[3]]), 131072);
        let (v, _) = s
            .get(decode_get(SOL_SOCKET, SO_SNDBUF).unwrap(), 32768)
            .unwrap();
        assert_eq!(i32::from_ne_bytes([v[0], v[1], v[2], v[3]]), 32768);
        let (v, _) = s.get(decode_get(SOL_SOCKET, SO_TYPE).unwrap(), 0).unwrap();
        assert_eq!(v[0], SOCK_STREAM as u8);
        assert_eq!(decode_get(IPPROTO_TCP, 2).unwrap_err().errno, ENOPROTOOPT);
    }

    #[test]
    fn kernel_options_and_inheritance() {
        let mut l = Stream::default();
        assert_eq!(l.kernel_options(), None, "defaults need no call");
        l.set(StreamSet::NoDelay(true));
        assert_eq!(l.kernel_options(), Some((true, 0)));
        l.set(StreamSet::KeepAlive(true));
        assert_eq!(l.kernel_options(), Some((true, KEEPALIVE_MS)));
        let mut a = Stream::default();
        a.options_from(&l);
        assert_eq!(a.kernel_options(), Some((true, KEEPALIVE_MS)));
        assert_eq!(a.phase, Phase::Fresh, "only options are copied");
    }

    #[test]
    fn failures_map_to_linux_errors() {
        assert_eq!(failure_errno(TcpFailure::Refused), Some(ECONNREFUSED));
        assert_eq!(failure_errno(TcpFailure::Reset), Some(ECONNRESET));
        assert_eq!(failure_errno(TcpFailure::TimedOut), Some(ETIMEDOUT));
        assert_eq!(failure_errno(TcpFailure::None), None);
    }
}
