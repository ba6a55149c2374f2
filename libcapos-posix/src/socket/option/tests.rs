use super::*;
use crate::linux::net::SOL_SOCKET;
use alloc::vec::Vec;

const IPPROTO_IP: i64 = 0;
const IP_TOS: i64 = 1;
const SO_BROADCAST: i64 = 6;
const SO_KEEPALIVE: i64 = 9;
const SO_REUSEPORT: i64 = 15;

fn tv(sec: i64, usec: i64) -> Vec<u8> {
    let mut b = Vec::new();
    b.extend_from_slice(&sec.to_ne_bytes());
    b.extend_from_slice(&usec.to_ne_bytes());
    b
}

fn int(v: i32) -> [u8; 4] {
    v.to_ne_bytes()
}

fn set(name: i64, value: &[u8]) -> Result<Set, Refusal> {
    decode_set(SOL_SOCKET, name, Some(value), value.len() as i64)
}

#[test]
fn receive_and_send_timeouts_are_accepted() {
    assert_eq!(
        set(SO_RCVTIMEO_OLD, &tv(2, 500_000)),
        Ok(Set::RcvTimeo(Timeout::Ns(2_500_000_000)))
    );
    assert_eq!(
        set(SO_RCVTIMEO_NEW, &tv(0, 1)),
        Ok(Set::RcvTimeo(Timeout::Ns(1000)))
    );
    assert_eq!(
        set(SO_SNDTIMEO_OLD, &tv(1, 0)),
        Ok(Set::SndTimeo(Timeout::Ns(1_000_000_000)))
    );
    assert_eq!(
        set(SO_SNDTIMEO_NEW, &tv(0, 0)),
        Ok(Set::SndTimeo(Timeout::Forever))
    );
    // Linux: a negative time means "do not wait".
    assert_eq!(
        set(SO_RCVTIMEO_OLD, &tv(-5, 0)),
        Ok(Set::RcvTimeo(Timeout::Ns(0)))
    );
    // Huge values saturate rather than wrap.
    assert_eq!(
        set(SO_RCVTIMEO_OLD, &tv(i64::MAX, 999_999)),
        Ok(Set::RcvTimeo(Timeout::Ns(u64::MAX)))
    );
}

#[test]
fn timeouts_are_checked_as_linux_checks_them() {
    assert_eq!(
        set(SO_RCVTIMEO_OLD, &tv(1, 1_000_000)),
        Err(Refusal::linux(EDOM))
    );
    assert_eq!(set(SO_RCVTIMEO_OLD, &tv(1, -1)), Err(Refusal::linux(EDOM)));
    // Shorter than a timeval, but an int: EINVAL.
    assert_eq!(
        set(SO_RCVTIMEO_OLD, &tv(1, 0)[..8]),
        Err(Refusal::linux(EINVAL))
    );
    assert_eq!(set(SO_SNDTIMEO_OLD, &int(1)), Err(Refusal::linux(EINVAL)));
}

#[test]
fn reuseaddr_is_recorded() {
    assert_eq!(set(SO_REUSEADDR, &int(1)), Ok(Set::ReuseAddr(true)));
    assert_eq!(set(SO_REUSEADDR, &int(7)), Ok(Set::ReuseAddr(true)));
    assert_eq!(set(SO_REUSEADDR, &int(0)), Ok(Set::ReuseAddr(false)));
    // More bytes than an int: the first four count.
    assert_eq!(set(SO_REUSEADDR, &tv(1, 0)), Ok(Set::ReuseAddr(true)));
}

#[test]
fn lengths_and_pointers_are_checked_first() {
    assert_eq!(
        decode_set(SOL_SOCKET, SO_REUSEADDR, Some(&int(1)[..2]), 2),
        Err(Refusal::linux(EINVAL))
    );
    assert_eq!(
        decode_set(SOL_SOCKET, SO_REUSEADDR, Some(&int(1)), -1),
        Err(Refusal::linux(EINVAL))
    );
    assert_eq!(
        decode_set(SOL_SOCKET, SO_REUSEADDR, None, 4),
        Err(Refusal::linux(EFAULT))
    );
    // A short value is EINVAL even for an option capOS refuses.
    assert_eq!(
        decode_set(SOL_SOCKET, SO_BROADCAST, Some(&[1]), 1),
        Err(Refusal::linux(EINVAL))
    );
    // A socklen_t of 0xffffffff is -1.
    assert_eq!(
        decode_set(SOL_SOCKET, SO_REUSEADDR, Some(&int(1)), 0xffff_ffff),
        Err(Refusal::linux(EINVAL))
    );
}

#[test]
fn unsupported_options_are_enoprotoopt_and_reported() {
    for name in [
        SO_BROADCAST,
        SO_KEEPALIVE,
        SO_REUSEPORT,
        SO_RCVBUF,
        SO_SNDBUF,
        999,
    ] {
        let r = set(name, &int(1)).unwrap_err();
        assert_eq!(r.errno, ENOPROTOOPT, "option {name}");
        assert!(r.unsupported.is_some(), "option {name} is reported");
    }
    let r = decode_set(IPPROTO_IP, IP_TOS, Some(&int(0x10)), 4).unwrap_err();
    assert_eq!(r.errno, ENOPROTOOPT);
    assert!(r.unsupported.is_some());
    let r = decode_get(IPPROTO_UDP, 1).unwrap_err();
    assert_eq!(r.errno, ENOPROTOOPT);
    assert!(r.unsupported.is_some());
}

#[test]
fn read_only_options_cannot_be_set() {
    for name in [SO_TYPE, SO_ERROR, SO_DOMAIN, SO_PROTOCOL, SO_ACCEPTCONN] {
        assert_eq!(set(name, &int(1)), Err(Refusal::linux(ENOPROTOOPT)));
    }
}

fn get(name: i64, facts: &Facts) -> Result<Vec<u8>, Refusal> {
    let g = decode_get(SOL_SOCKET, name)?;
    value(g, facts).map(|(bytes, len)| bytes[..len].to_vec())
}

#[test]
fn getsockopt_answers_what_the_socket_is() {
    let facts = Facts::default();
    assert_eq!(get(SO_TYPE, &facts), Ok(int(2).to_vec()));
    assert_eq!(get(SO_DOMAIN, &facts), Ok(int(2).to_vec()));
    assert_eq!(get(SO_PROTOCOL, &facts), Ok(int(17).to_vec()));
    assert_eq!(get(SO_ERROR, &facts), Ok(int(0).to_vec()));
    assert_eq!(get(SO_ACCEPTCONN, &facts), Ok(int(0).to_vec()));
    assert_eq!(get(SO_REUSEADDR, &facts), Ok(int(0).to_vec()));
    assert_eq!(get(SO_RCVTIMEO_OLD, &facts), Ok(tv(0, 0)));
}

#[test]
fn getsockopt_gives_back_what_was_set() {
    let facts = Facts {
        rcvtimeo: Timeout::Ns(2_500_000_000),
        sndtimeo: Timeout::Ns(1_000),
        reuseaddr: true,
        rcvbuf: Some(65536),
        sndbuf: None,
    };
    assert_eq!(get(SO_RCVTIMEO_OLD, &facts), Ok(tv(2, 500_000)));
    assert_eq!(get(SO_RCVTIMEO_NEW, &facts), Ok(tv(2, 500_000)));
    assert_eq!(get(SO_SNDTIMEO_OLD, &facts), Ok(tv(0, 1)));
    assert_eq!(get(SO_REUSEADDR, &facts), Ok(int(1).to_vec()));
    assert_eq!(get(SO_RCVBUF, &facts), Ok(int(65536).to_vec()));
    // No size from the kernel: refused, never made up.
    let r = get(SO_SNDBUF, &facts).unwrap_err();
    assert_eq!(r.errno, ENOPROTOOPT);
    assert!(r.unsupported.is_some());
    // Round trip through set.
    let Ok(Set::RcvTimeo(t)) = set(SO_RCVTIMEO_OLD, &tv(3, 250)) else {
        panic!("accepted");
    };
    let facts = Facts {
        rcvtimeo: t,
        ..Facts::default()
    };
    assert_eq!(get(SO_RCVTIMEO_OLD, &facts), Ok(tv(3, 250)));
}

#[test]
fn values_are_cut_to_the_room_given() {
    assert_eq!(output_len(Some(4), 4), Ok(4));
    assert_eq!(output_len(Some(100), 16), Ok(16));
    assert_eq!(output_len(Some(2), 4), Ok(2));
    assert_eq!(output_len(Some(-1), 4), Err(EINVAL));
    assert_eq!(output_len(None, 4), Err(EFAULT));
}
