//! The kernel's answers as errno: how a failed NetworkManager or
//! UdpSocket call (docs/interfaces/network-manager.md, udp-socket.md)
//! reads to a C program, in one table per call so every socket call maps
//! the same failure the same way.
//!
//! What the kernel refuses because of capOS itself (no network device, a
//! destination outside a narrowed capability) is reported: the glue logs
//! one line with the kernel's own reason ([`reason`]).

use crate::linux::errno::{EADDRINUSE, EIO, ENETDOWN, ENOBUFS, ENOMEM, EPERM, EPIPE};
use capos_abi::error::NO_RESOURCES;
use capos_rt::{Error, ExceptionType};

/// Whether the errno stands for a refusal capOS makes and Linux would
/// not, so the glue reports it.
pub fn reported(errno: i64) -> bool {
    errno == ENETDOWN || errno == EPERM
}

/// `createUdpSocket` (for `bind`, or an automatic bind): `failed` is the
/// one thing it fails with when no destinations are named, a port in use;
/// `overloaded` is the process's kernel quota (or, rarely, no free
/// ephemeral port); `unimplemented` a machine without a network device.
pub fn create(e: &Error) -> i64 {
    match e {
        Error::Application { kind, .. } => match kind {
            ExceptionType::Failed => EADDRINUSE,
            ExceptionType::Overloaded => ENOMEM,
            ExceptionType::Unimplemented => ENETDOWN,
            ExceptionType::Disconnected => EIO,
        },
        Error::Transport(NO_RESOURCES) => ENOMEM,
        _ => EIO,
    }
}

/// `sendTo`, once the length and the destination are checked here:
/// `failed` is then a destination outside a narrowed socket's set, which
/// capOS refuses as a Linux firewall does (EPERM); `overloaded` a full
/// transmit queue or kernel heap (ENOBUFS, as a full device queue on
/// Linux); `disconnected` a socket another holder closed (EPIPE, as after
/// `shutdown(SHUT_WR)`).
pub fn send(e: &Error) -> i64 {
    match e {
        Error::Application { kind, .. } => match kind {
            ExceptionType::Failed => EPERM,
            ExceptionType::Overloaded => ENOBUFS,
            ExceptionType::Disconnected => EPIPE,
            ExceptionType::Unimplemented => ENETDOWN,
        },
        Error::Transport(NO_RESOURCES) => ENOBUFS,
        _ => EIO,
    }
}

/// What a failed `recvFrom` or `ready` means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecvFailure {
    /// Another holder closed the socket: no datagram will ever come, as
    /// after `shutdown(SHUT_RD)`: end of data (0), EAGAIN if not waiting.
    Closed,
    Errno(i64),
}

pub fn recv(e: &Error) -> RecvFailure {
    match e {
        Error::Application {
            kind: ExceptionType::Disconnected,
            ..
        } => RecvFailure::Closed,
        Error::Application {
            kind: ExceptionType::Unimplemented,
            ..
        } => RecvFailure::Errno(ENETDOWN),
        Error::Application {
            kind: ExceptionType::Overloaded,
            ..
        }
        | Error::Transport(NO_RESOURCES) => RecvFailure::Errno(ENOBUFS),
        _ => RecvFailure::Errno(EIO),
    }
}

/// The kernel's reason, for a report line.
pub fn reason(e: &Error) -> &str {
    match e {
        Error::Application { reason, .. } => reason,
        _ => "the kernel refused the call",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    fn app(kind: ExceptionType, reason: &str) -> Error {
        Error::Application {
            kind,
            reason: reason.to_string(),
        }
    }

    #[test]
    fn creation_failures() {
        let in_use = app(ExceptionType::Failed, "UDP port 53 is in use (EADDRINUSE)");
        assert_eq!(create(&in_use), EADDRINUSE);
        assert_eq!(create(&app(ExceptionType::Overloaded, "quota")), ENOMEM);
        assert_eq!(create(&Error::Transport(NO_RESOURCES)), ENOMEM);
        let none = app(ExceptionType::Unimplemented, "no network device");
        assert_eq!(create(&none), ENETDOWN);
        assert!(reported(create(&none)));
        assert!(!reported(create(&in_use)));
        assert_eq!(create(&Error::Transport(-3)), EIO);
    }

    #[test]
    fn send_failures() {
        let refused = app(
            ExceptionType::Failed,
            "destination 10.0.2.2:9 is not among this socket's allowed destinations",
        );
        assert_eq!(send(&refused), EPERM);
        assert!(reported(EPERM));
        assert_eq!(
            reason(&refused),
            "destination 10.0.2.2:9 is not among this socket's allowed destinations"
        );
        assert_eq!(send(&app(ExceptionType::Overloaded, "full")), ENOBUFS);
        assert_eq!(send(&app(ExceptionType::Disconnected, "closed")), EPIPE);
        assert_eq!(send(&Error::Transport(-7)), EIO);
        assert_eq!(reason(&Error::Transport(-7)), "the kernel refused the call");
    }

    #[test]
    fn receive_failures() {
        assert_eq!(
            recv(&app(ExceptionType::Disconnected, "socket closed")),
            RecvFailure::Closed
        );
        assert_eq!(
            recv(&app(ExceptionType::Unimplemented, "no network device")),
            RecvFailure::Errno(ENETDOWN)
        );
        assert_eq!(
            recv(&Error::Transport(NO_RESOURCES)),
            RecvFailure::Errno(ENOBUFS)
        );
        assert_eq!(recv(&Error::Transport(-9)), RecvFailure::Errno(EIO));
    }
}
