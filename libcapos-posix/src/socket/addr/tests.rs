use super::*;
use alloc::vec::Vec;

/// A `sockaddr_in` as C lays it out.
fn sin(family: u16, port: u16, ip: [u8; 4]) -> Vec<u8> {
    let mut b = Vec::new();
    b.extend_from_slice(&family.to_ne_bytes());
    b.extend_from_slice(&port.to_be_bytes());
    b.extend_from_slice(&ip);
    b.extend_from_slice(&[0; 8]);
    b
}

/// A `sockaddr_in6` as C lays it out.
fn sin6(family: u16, port: u16, flowinfo: u32, ip: [u8; 16], scope: u32) -> Vec<u8> {
    let mut b = Vec::new();
    b.extend_from_slice(&family.to_ne_bytes());
    b.extend_from_slice(&port.to_be_bytes());
    b.extend_from_slice(&flowinfo.to_be_bytes());
    b.extend_from_slice(&ip);
    b.extend_from_slice(&scope.to_ne_bytes());
    b
}

const NS: [u8; 4] = [10, 0, 2, 2];
const DB8: [u8; 16] = [
    0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x53,
];

fn v4(ip: [u8; 4], port: u16) -> Option<SockAddr> {
    Some(SockAddr::V4(V4 { ip, port }))
}

#[test]
fn an_ipv4_address_is_read_for_every_call() {
    let a = sin(AF_INET, 53, NS);
    for purpose in [Purpose::Bind, Purpose::Connect, Purpose::Send] {
        assert_eq!(decode(Family::Inet, &a, purpose), Ok(v4(NS, 53)));
    }
    // Bytes past the structure are ignored, as Linux does.
    let mut long = a.clone();
    long.extend_from_slice(&[0xff; 12]);
    assert_eq!(decode(Family::Inet, &long, Purpose::Send), Ok(v4(NS, 53)));
    // The zero padding is not checked either.
    let mut dirty = a;
    dirty[10] = 7;
    assert_eq!(decode(Family::Inet, &dirty, Purpose::Bind), Ok(v4(NS, 53)));
}

#[test]
fn the_port_is_in_network_order() {
    let a = sin(AF_INET, 0x1234, NS);
    assert_eq!(&a[2..4], &[0x12, 0x34]);
    assert_eq!(decode(Family::Inet, &a, Purpose::Send), Ok(v4(NS, 0x1234)));
}

#[test]
fn a_short_ipv4_address_is_einval() {
    let a = sin(AF_INET, 53, NS);
    for len in 0..SOCKADDR_IN_LEN {
        assert_eq!(decode(Family::Inet, &a[..len], Purpose::Bind), Err(EINVAL));
        assert_eq!(decode(Family::Inet, &a[..len], Purpose::Send), Err(EINVAL));
        assert_eq!(
            decode(Family::Inet, &a[..len], Purpose::Connect),
            Err(EINVAL)
        );
    }
}

#[test]
fn another_family_is_eafnosupport() {
    let six = sin6(AF_INET6, 53, 0, DB8, 0);
    assert_eq!(decode(Family::Inet, &six, Purpose::Bind), Err(EAFNOSUPPORT));
    assert_eq!(
        decode(Family::Inet, &six, Purpose::Connect),
        Err(EAFNOSUPPORT)
    );
    assert_eq!(decode(Family::Inet, &six, Purpose::Send), Err(EAFNOSUPPORT));
    // AF_UNIX (1) with enough bytes.
    let unix = sin(1, 53, NS);
    assert_eq!(
        decode(Family::Inet, &unix, Purpose::Send),
        Err(EAFNOSUPPORT)
    );
    // The length is checked before the family: a short foreign address is EINVAL.
    assert_eq!(decode(Family::Inet, &unix[..8], Purpose::Send), Err(EINVAL));
}

#[test]
fn af_unspec_follows_linuxs_compatibility_rules() {
    // bind: AF_UNSPEC is AF_INET only with the any address.
    let any = sin(AF_UNSPEC, 4000, [0; 4]);
    assert_eq!(
        decode(Family::Inet, &any, Purpose::Bind),
        Ok(v4([0; 4], 4000))
    );
    let some = sin(AF_UNSPEC, 4000, NS);
    assert_eq!(
        decode(Family::Inet, &some, Purpose::Bind),
        Err(EAFNOSUPPORT)
    );
    // sendto: AF_UNSPEC is taken as AF_INET.
    assert_eq!(decode(Family::Inet, &some, Purpose::Send), Ok(v4(NS, 4000)));
    // connect: AF_UNSPEC dissolves the association; the family field is enough.
    assert_eq!(decode(Family::Inet, &some[..2], Purpose::Connect), Ok(None));
    assert_eq!(decode(Family::Inet, &some, Purpose::Connect), Ok(None));
    assert_eq!(
        decode(Family::Inet, &some[..1], Purpose::Connect),
        Err(EINVAL)
    );
    assert_eq!(decode(Family::Inet, &[], Purpose::Connect), Err(EINVAL));
}

#[test]
fn sending_to_port_zero_is_einval() {
    let a = sin(AF_INET, 0, NS);
    assert_eq!(decode(Family::Inet, &a, Purpose::Send), Err(EINVAL));
    // Binding to port 0 asks for any port; connecting to it is allowed.
    assert_eq!(decode(Family::Inet, &a, Purpose::Bind), Ok(v4(NS, 0)));
    assert_eq!(decode(Family::Inet, &a, Purpose::Connect), Ok(v4(NS, 0)));
}

#[test]
fn an_ipv6_address_is_read_in_both_lengths() {
    let a = sin6(AF_INET6, 53, 0x000a_bcde, DB8, 3);
    let full = SockAddr::V6(V6 {
        ip: DB8,
        port: 53,
        flowinfo: 0x000a_bcde,
        scope_id: 3,
    });
    assert_eq!(decode(Family::Inet6, &a, Purpose::Send), Ok(Some(full)));
    // RFC 2133's 24 bytes: no scope id.
    let short = SockAddr::V6(V6 {
        ip: DB8,
        port: 53,
        flowinfo: 0x000a_bcde,
        scope_id: 0,
    });
    assert_eq!(
        decode(Family::Inet6, &a[..SOCKADDR_IN6_MIN_LEN], Purpose::Bind),
        Ok(Some(short))
    );
    for len in 0..SOCKADDR_IN6_MIN_LEN {
        assert_eq!(decode(Family::Inet6, &a[..len], Purpose::Bind), Err(EINVAL));
    }
    let four = sin(AF_INET, 53, NS);
    let mut padded = four.clone();
    padded.resize(SOCKADDR_IN6_LEN, 0);
    assert_eq!(
        decode(Family::Inet6, &padded, Purpose::Bind),
        Err(EAFNOSUPPORT)
    );
    assert_eq!(decode(Family::Inet6, &four, Purpose::Bind), Err(EINVAL));
    let zero_port = sin6(AF_INET6, 0, 0, DB8, 0);
    assert_eq!(
        decode(Family::Inet6, &zero_port, Purpose::Send),
        Err(EINVAL)
    );
    let unspec = sin6(AF_UNSPEC, 0, 0, DB8, 0);
    assert_eq!(decode(Family::Inet6, &unspec, Purpose::Connect), Ok(None));
}

#[test]
fn encoding_gives_linuxs_layout() {
    let (bytes, len) = SockAddr::V4(V4 { ip: NS, port: 53 }).encode();
    assert_eq!(len, SOCKADDR_IN_LEN);
    assert_eq!(&bytes[..len], &sin(AF_INET, 53, NS)[..]);
    let six = V6 {
        ip: DB8,
        port: 5353,
        flowinfo: 7,
        scope_id: 9,
    };
    let (bytes, len) = SockAddr::V6(six).encode();
    assert_eq!(len, SOCKADDR_IN6_LEN);
    assert_eq!(&bytes[..len], &sin6(AF_INET6, 5353, 7, DB8, 9)[..]);
}

#[test]
fn encoding_and_decoding_agree() {
    for a in [
        SockAddr::V4(V4 {
            ip: [192, 0, 2, 53],
            port: 65535,
        }),
        SockAddr::V4(V4::UNSPECIFIED),
    ] {
        let (bytes, len) = a.encode();
        assert_eq!(
            decode(Family::Inet, &bytes[..len], Purpose::Bind),
            Ok(Some(a))
        );
    }
    let six = SockAddr::V6(V6 {
        ip: DB8,
        port: 1,
        flowinfo: u32::MAX,
        scope_id: u32::MAX,
    });
    let (bytes, len) = six.encode();
    assert_eq!(
        decode(Family::Inet6, &bytes[..len], Purpose::Send),
        Ok(Some(six))
    );
}

#[test]
fn input_lengths_are_checked_as_linux_reads_them() {
    assert_eq!(input_len(16, false), Ok(16));
    assert_eq!(input_len(0, true), Ok(0));
    assert_eq!(input_len(128, false), Ok(128));
    assert_eq!(input_len(129, false), Err(EINVAL));
    assert_eq!(input_len(-1, false), Err(EINVAL));
    // A socklen_t of 0xffffffff is -1 as Linux's int.
    assert_eq!(input_len(0xffff_ffff, false), Err(EINVAL));
    // Only the low 32 bits count.
    assert_eq!(input_len(0x1_0000_0010, false), Ok(16));
    assert_eq!(input_len(16, true), Err(EFAULT));
    // EINVAL before EFAULT, as Linux checks the length first.
    assert_eq!(input_len(200, true), Err(EINVAL));
}

#[test]
fn output_is_cut_to_the_room_given() {
    assert_eq!(output_len(Some(16), 16), Ok(16));
    assert_eq!(output_len(Some(128), 16), Ok(16));
    assert_eq!(output_len(Some(4), 16), Ok(4));
    assert_eq!(output_len(Some(0), 28), Ok(0));
    assert_eq!(output_len(Some(-1), 16), Err(EINVAL));
    assert_eq!(output_len(None, 16), Err(EFAULT));
}

#[test]
fn endpoints_hold_the_octets_big_endian() {
    let a = V4 { ip: NS, port: 53 };
    assert_eq!(a.endpoint_address(), 0x0a00_0202);
    assert_eq!(V4::from_endpoint(0x0a00_0202, 53), a);
}
