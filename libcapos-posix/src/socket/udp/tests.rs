use super::*;

const STACK: [u8; 4] = [10, 0, 2, 15];
const NS: V4 = V4 {
    ip: [10, 0, 2, 2],
    port: 53,
};

fn at(ip: [u8; 4], port: u16) -> V4 {
    V4 { ip, port }
}

#[test]
fn a_new_socket_has_no_port_and_no_peer() {
    let u = Udp::default();
    assert!(!u.has_port());
    assert_eq!(u.local(), V4::UNSPECIFIED);
    assert_eq!(u.peer(), Err(ENOTCONN));
    assert_eq!(u.connected(), None);
}

#[test]
fn bind_takes_the_any_address_or_the_stacks() {
    let u = Udp::default();
    assert_eq!(u.bind(at([0; 4], 4000), STACK), Ok(4000));
    assert_eq!(u.bind(at(STACK, 0), STACK), Ok(0));
    assert_eq!(u.bind(at([127, 0, 0, 1], 4000), STACK), Err(EADDRNOTAVAIL));
    assert_eq!(u.bind(at([10, 0, 2, 16], 4000), STACK), Err(EADDRNOTAVAIL));
}

#[test]
fn a_socket_binds_once() {
    let mut u = Udp::default();
    u.bound(at([0; 4], 0), 49200);
    assert_eq!(u.local(), at([0; 4], 49200));
    assert_eq!(u.bind(at([0; 4], 4000), STACK), Err(EINVAL));
    // The address is checked first.
    assert_eq!(u.bind(at([127, 0, 0, 1], 4000), STACK), Err(EADDRNOTAVAIL));
    // An automatically bound socket is bound too.
    let mut u = Udp::default();
    u.autobound(50000);
    assert_eq!(u.bind(at([0; 4], 0), STACK), Err(EINVAL));
}

#[test]
fn connect_sets_the_peer_and_the_source_address() {
    let mut u = Udp::default();
    u.autobound(50000);
    assert_eq!(u.connect(Some(NS), STACK), Connect::Keep);
    assert_eq!(u.peer(), Ok(NS));
    assert_eq!(u.local(), at(STACK, 50000));
    // Connecting again moves the association.
    let other = at([10, 0, 2, 2], 5353);
    assert_eq!(u.connect(Some(other), STACK), Connect::Keep);
    assert_eq!(u.peer(), Ok(other));
}

#[test]
fn dissolving_lets_an_automatic_port_go() {
    let mut u = Udp::default();
    u.autobound(50000);
    u.connect(Some(NS), STACK);
    assert_eq!(u.connect(None, STACK), Connect::Release);
    assert!(!u.has_port());
    assert_eq!(u.peer(), Err(ENOTCONN));
    assert_eq!(u.local(), V4::UNSPECIFIED);
}

#[test]
fn dissolving_keeps_what_bind_named() {
    // A port named by bind stays; the address is forgotten unless named.
    let mut u = Udp::default();
    u.bound(at([0; 4], 4000), 4000);
    u.connect(Some(NS), STACK);
    assert_eq!(u.local(), at(STACK, 4000));
    assert_eq!(u.connect(None, STACK), Connect::Keep);
    assert_eq!(u.local(), at([0; 4], 4000));
    // An address named by bind stays, but a port the kernel chose goes.
    let mut u = Udp::default();
    u.bound(at(STACK, 0), 49999);
    u.connect(Some(NS), STACK);
    assert_eq!(u.connect(None, STACK), Connect::Release);
    assert!(!u.has_port());
    // Dissolving an association that never was changes nothing.
    let mut u = Udp::default();
    assert_eq!(u.connect(None, STACK), Connect::Keep);
    u.bound(at([0; 4], 4000), 4000);
    assert_eq!(u.connect(None, STACK), Connect::Keep);
    assert_eq!(u.local(), at([0; 4], 4000));
}

#[test]
fn sends_go_to_the_named_address_or_the_peer() {
    let mut u = Udp::default();
    assert_eq!(u.destination(None, 10), Err(EDESTADDRREQ));
    assert_eq!(u.destination(Some(NS), 10), Ok(NS));
    u.autobound(50000);
    u.connect(Some(NS), STACK);
    assert_eq!(u.destination(None, 10), Ok(NS));
    // A connected UDP socket may still name another destination.
    let other = at([10, 0, 2, 2], 9);
    assert_eq!(u.destination(Some(other), 10), Ok(other));
    assert_eq!(u.destination(None, LINUX_MAX_SEND), Ok(NS));
    assert_eq!(u.destination(None, LINUX_MAX_SEND + 1), Err(EMSGSIZE));
}

#[test]
fn the_length_is_checked_before_the_destination() {
    let u = Udp::default();
    assert_eq!(u.destination(None, 70000), Err(EMSGSIZE));
}

#[test]
fn shutdown_shuts_even_an_unconnected_socket() {
    let mut u = Udp::default();
    assert_eq!(u.shutdown(SHUT_WR), Err(ENOTCONN));
    assert_eq!(u.destination(Some(NS), 1), Err(EPIPE));
    assert!(!u.read_shut());
    assert_eq!(u.shutdown(3), Err(EINVAL));
    assert_eq!(u.shutdown(-1), Err(EINVAL));
    assert!(!u.hung_up());
    assert_eq!(u.shutdown(SHUT_RD), Err(ENOTCONN));
    assert!(u.read_shut() && u.hung_up());
}

#[test]
fn shutdown_of_a_connected_socket() {
    let mut u = Udp::default();
    u.autobound(50000);
    u.connect(Some(NS), STACK);
    assert_eq!(u.shutdown(SHUT_RD), Ok(()));
    assert!(u.read_shut() && !u.hung_up());
    // Sending still works after SHUT_RD; EDESTADDRREQ still comes first.
    assert_eq!(u.destination(None, 1), Ok(NS));
    assert_eq!(u.shutdown(SHUT_RDWR), Ok(()));
    assert!(u.hung_up());
    assert_eq!(u.destination(None, 1), Err(EPIPE));
    // `how` is an int: the high bits do not count.
    let mut v = Udp::default();
    assert_eq!(v.shutdown(1 << 32), Err(ENOTCONN));
    assert!(v.read_shut());
}

#[test]
fn receive_waits_follow_nonblock_and_the_timeout() {
    let mut u = Udp::default();
    assert_eq!(u.recv_wait(false), Wait::Forever);
    assert_eq!(u.recv_wait(true), Wait::No);
    u.set(Set::RcvTimeo(Timeout::Ns(2_000_000_000)));
    assert_eq!(u.recv_wait(false), Wait::For(2_000_000_000));
    assert_eq!(u.recv_wait(true), Wait::No);
    u.set(Set::RcvTimeo(Timeout::Ns(0)));
    assert_eq!(u.recv_wait(false), Wait::No);
    u.set(Set::RcvTimeo(Timeout::Forever));
    assert_eq!(u.recv_wait(false), Wait::Forever);
}

#[test]
fn options_are_reported_back() {
    let mut u = Udp::default();
    u.set(Set::ReuseAddr(true));
    u.set(Set::SndTimeo(Timeout::Ns(5)));
    assert!(u.reuseaddr());
    let f = u.facts(Some(1), None);
    assert!(f.reuseaddr);
    assert_eq!(f.sndtimeo, Timeout::Ns(5));
    assert_eq!(f.rcvtimeo, Timeout::Forever);
    assert_eq!((f.rcvbuf, f.sndbuf), (Some(1), None));
}

#[test]
fn loopback_multicast_and_broadcast_are_out_of_reach() {
    assert_eq!(reachable(NS), Ok(()));
    assert_eq!(reachable(at([192, 0, 2, 53], 53)), Ok(()));
    for ip in [
        [0, 0, 0, 0],
        [127, 0, 0, 1],
        [127, 9, 9, 9],
        [224, 0, 0, 251],
        [239, 1, 1, 1],
    ] {
        let r = reachable(at(ip, 53)).unwrap_err();
        assert_eq!(r.errno, ENETUNREACH, "{ip:?}");
        assert!(r.unsupported.is_some());
    }
    assert_eq!(
        reachable(at([255, 255, 255, 255], 67)),
        Err(Refusal::linux(EACCES))
    );
}

#[test]
fn a_datagram_goes_in_one_frame() {
    assert_eq!(fits_a_frame(0), Ok(()));
    assert_eq!(fits_a_frame(1472), Ok(()));
    let r = fits_a_frame(1473).unwrap_err();
    assert_eq!(r.errno, EMSGSIZE);
    assert!(r.unsupported.is_some());
}
