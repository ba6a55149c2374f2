//! `socket(domain, type, protocol)`: which socket is asked for, in Linux's
//! order of checks (`__sys_socket`, `__sock_create`, `inet_create`), and
//! what capOS refuses beyond Linux. capOS has UDP and TCP over IPv4 only
//! (the kernel's NetworkManager): another family is EAFNOSUPPORT, as on a
//! Linux built without it; another type of IPv4 socket (raw, SCTP's
//! seqpacket) is ESOCKTNOSUPPORT, as Linux answers for a type no protocol
//! provides; UDP-Lite and MPTCP are EPROTONOSUPPORT. Each of those is
//! reported once.

use super::Refusal;
use crate::linux::errno::{EAFNOSUPPORT, EINVAL, EPROTONOSUPPORT, ESOCKTNOSUPPORT};
use crate::linux::net::{
    AF_INET, AF_MAX, IPPROTO_IP, IPPROTO_MAX, IPPROTO_TCP, IPPROTO_UDP, SOCK_CLOEXEC, SOCK_DGRAM,
    SOCK_MAX, SOCK_NONBLOCK, SOCK_STREAM, SOCK_TYPE_MASK,
};

/// A UDP (or, with `stream`, TCP) socket over IPv4, with its creation
/// flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Request {
    pub nonblock: bool,
    pub cloexec: bool,
    pub stream: bool,
}

/// Decodes the arguments (as the registers hold them; Linux reads each
/// as an `int`).
pub fn decode(domain: i64, ty: i64, protocol: i64) -> Result<Request, Refusal> {
    let (domain, ty, protocol) = (
        domain as i32 as i64,
        ty as i32 as i64,
        protocol as i32 as i64,
    );
    let flags = ty & !SOCK_TYPE_MASK;
    if flags & !(SOCK_CLOEXEC | SOCK_NONBLOCK) != 0 {
        return Err(Refusal::linux(EINVAL));
    }
    if !(0..AF_MAX).contains(&domain) {
        return Err(Refusal::linux(EAFNOSUPPORT));
    }
    let base = ty & SOCK_TYPE_MASK;
    if base >= SOCK_MAX {
        return Err(Refusal::linux(EINVAL));
    }
    if domain != i64::from(AF_INET) {
        return Err(Refusal::capos(
            EAFNOSUPPORT,
            "only IPv4 (AF_INET) sockets exist on capOS",
        ));
    }
    if !(0..IPPROTO_MAX).contains(&protocol) {
        return Err(Refusal::linux(EINVAL));
    }
    let request = Request {
        nonblock: flags & SOCK_NONBLOCK != 0,
        cloexec: flags & SOCK_CLOEXEC != 0,
        stream: base == SOCK_STREAM,
    };
    if base == SOCK_STREAM {
        return match protocol {
            IPPROTO_IP | IPPROTO_TCP => Ok(request),
            // MPTCP: Linux has it; capOS does not.
            262 => Err(Refusal::capos(
                EPROTONOSUPPORT,
                "MPTCP is not supported on capOS",
            )),
            _ => Err(Refusal::linux(EPROTONOSUPPORT)),
        };
    }
    if base != SOCK_DGRAM {
        return Err(Refusal::capos(
            ESOCKTNOSUPPORT,
            "only stream (TCP) and datagram (UDP) sockets exist on capOS",
        ));
    }
    match protocol {
        IPPROTO_IP | IPPROTO_UDP => Ok(request),
        // UDP-Lite: Linux has it; capOS does not.
        136 => Err(Refusal::capos(
            EPROTONOSUPPORT,
            "UDP-Lite is not supported on capOS",
        )),
        _ => Err(Refusal::linux(EPROTONOSUPPORT)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOCK_RAW: i64 = 3;

    const INET: i64 = AF_INET as i64;

    #[test]
    fn udp_over_ipv4_with_its_flags() {
        let plain = Request {
            nonblock: false,
            cloexec: false,
            stream: false,
        };
        assert_eq!(decode(INET, SOCK_DGRAM, 0), Ok(plain));
        assert_eq!(decode(INET, SOCK_DGRAM, IPPROTO_UDP), Ok(plain));
        assert_eq!(
            decode(INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0),
            Ok(Request {
                nonblock: true,
                cloexec: true,
                stream: false,
            })
        );
        assert_eq!(
            decode(INET, SOCK_DGRAM | SOCK_CLOEXEC, 0),
            Ok(Request {
                nonblock: false,
                cloexec: true,
                stream: false,
            })
        );
    }

    #[test]
    fn tcp_over_ipv4_with_its_flags() {
        let tcp = Request {
            nonblock: true,
            cloexec: false,
            stream: true,
        };
        assert_eq!(decode(INET, SOCK_STREAM | SOCK_NONBLOCK, 0), Ok(tcp));
        assert_eq!(
            decode(INET, SOCK_STREAM | SOCK_NONBLOCK, IPPROTO_TCP),
            Ok(tcp)
        );
        assert_eq!(
            decode(INET, SOCK_STREAM, IPPROTO_UDP),
            Err(Refusal::linux(EPROTONOSUPPORT))
        );
        let mptcp = decode(INET, SOCK_STREAM, 262).unwrap_err();
        assert_eq!(mptcp.errno, EPROTONOSUPPORT);
        assert!(mptcp.unsupported.is_some());
    }

    #[test]
    fn unknown_flags_and_types_are_einval() {
        assert_eq!(
            decode(INET, SOCK_DGRAM | 0x10, 0),
            Err(Refusal::linux(EINVAL))
        );
        assert_eq!(
            decode(INET, SOCK_DGRAM | 0o1000, 0),
            Err(Refusal::linux(EINVAL))
        );
        assert_eq!(decode(INET, 11, 0), Err(Refusal::linux(EINVAL)));
        assert_eq!(decode(INET, 15, 0), Err(Refusal::linux(EINVAL)));
        // Flags are checked before the family.
        assert_eq!(
            decode(99, SOCK_DGRAM | 0x10, 0),
            Err(Refusal::linux(EINVAL))
        );
    }

    #[test]
    fn other_families_are_eafnosupport() {
        for family in [1, 10, 16, 17] {
            let r = decode(family, SOCK_DGRAM, 0).unwrap_err();
            assert_eq!(r.errno, EAFNOSUPPORT);
            assert!(r.unsupported.is_some(), "capOS's refusal is reported");
        }
        // Families Linux does not know either: not a capOS limit.
        assert_eq!(decode(46, SOCK_DGRAM, 0), Err(Refusal::linux(EAFNOSUPPORT)));
        assert_eq!(decode(-1, SOCK_DGRAM, 0), Err(Refusal::linux(EAFNOSUPPORT)));
        assert_eq!(
            decode(0xffff_ffff, SOCK_DGRAM, 0),
            Err(Refusal::linux(EAFNOSUPPORT))
        );
    }

    #[test]
    fn other_ipv4_types_are_esocktnosupport() {
        for ty in [SOCK_RAW, 0, 4, 5, 6, 10] {
            let r = decode(INET, ty | SOCK_NONBLOCK, 0).unwrap_err();
            assert_eq!(r.errno, ESOCKTNOSUPPORT, "type {ty}");
            assert!(r.unsupported.is_some());
        }
    }

    #[test]
    fn protocols_are_checked_after_the_family() {
        assert_eq!(
            decode(INET, SOCK_DGRAM, 6),
            Err(Refusal::linux(EPROTONOSUPPORT))
        );
        assert_eq!(
            decode(INET, SOCK_DGRAM, 255),
            Err(Refusal::linux(EPROTONOSUPPORT))
        );
        // IPPROTO_MPTCP (262) moved IPPROTO_MAX past 255.
        assert_eq!(
            decode(INET, SOCK_DGRAM, 262),
            Err(Refusal::linux(EPROTONOSUPPORT))
        );
        assert_eq!(decode(INET, SOCK_DGRAM, 263), Err(Refusal::linux(EINVAL)));
        assert_eq!(decode(INET, SOCK_DGRAM, -1), Err(Refusal::linux(EINVAL)));
        assert_eq!(decode(INET, SOCK_STREAM, 1000), Err(Refusal::linux(EINVAL)));
        assert_eq!(
            decode(INET, SOCK_STREAM, 6),
            Ok(Request {
                nonblock: false,
                cloexec: false,
                stream: true
            })
        );
        let lite = decode(INET, SOCK_DGRAM, 136).unwrap_err();
        assert_eq!(lite.errno, EPROTONOSUPPORT);
        assert!(lite.unsupported.is_some());
        // The family comes first: IPv6 with a bad protocol is EAFNOSUPPORT.
        assert_eq!(decode(10, SOCK_DGRAM, 999).unwrap_err().errno, EAFNOSUPPORT);
    }
}
