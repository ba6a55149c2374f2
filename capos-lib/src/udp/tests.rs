use super::*;
use alloc::vec;
use core::cell::Cell;
use std::rc::Rc;

use crate::test_waiter::{W, waiter};

const GUEST: u32 = 0x0a00_020f;
const HOST: Endpoint = Endpoint {
    addr: 0x0a00_0202,
    port: 5353,
};
const OTHER: Endpoint = Endpoint {
    addr: 0x0a00_0202,
    port: 9999,
};

fn packet(from: Endpoint, port: u16, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let to = Endpoint { addr: GUEST, port };
    wire::build(from, to, 7, payload, &mut out);
    out
}

fn table() -> Table<W> {
    Table::new()
}

#[test]
fn bind_takes_a_port_once_and_any_picks_ephemeral_ones() {
    let mut t = table();
    let (a, port) = t.bind(53, None).unwrap();
    assert_eq!(port, 53);
    assert_eq!(t.bind(53, None), Err(BindError::InUse(53)));
    let (_, e1) = t.bind(0, None).unwrap();
    let (_, e2) = t.bind(0, None).unwrap();
    assert_eq!((e1, e2), (EPHEMERAL_FIRST, EPHEMERAL_FIRST + 1));
    // A port bound explicitly is skipped by the ephemeral picker.
    t.bind(EPHEMERAL_FIRST + 2, None).unwrap();
    assert_eq!(t.bind(0, None).unwrap().1, EPHEMERAL_FIRST + 3);
    let mut ev = Vec::new();
    t.close(a, &mut ev);
    assert_eq!(t.port(a), None);
    // The port is free again, under a new id.
    let (b, _) = t.bind(53, None).unwrap();
    assert_ne!(a, b);
}

#[test]
fn the_ephemeral_range_runs_out_and_wraps() {
    let mut t = table();
    let span = (u16::MAX - EPHEMERAL_FIRST) as usize + 1;
    let ids: Vec<_> = (0..span).map(|_| t.bind(0, None).unwrap().0).collect();
    assert_eq!(t.bind(0, None), Err(BindError::NoFreePort));
    let mut ev = Vec::new();
    t.close(ids[5], &mut ev);
    assert_eq!(t.bind(0, None).unwrap().1, EPHEMERAL_FIRST + 5);
}

#[test]
fn datagrams_queue_in_order_and_are_taken_oldest_first() {
    let mut t = table();
    let (s, port) = t.bind(1000, None).unwrap();
    let mut ev = Vec::new();
    assert_eq!(t.recv_now(s, 100), Some(None));
    assert_eq!(
        t.deliver(&packet(HOST, port, b"one"), &mut ev),
        Delivery::Queued
    );
    assert_eq!(
        t.deliver(&packet(OTHER, port, b"two"), &mut ev),
        Delivery::Queued
    );
    assert!(ev.is_empty());
    assert!(t.readiness(s).ready);
    let got = t.recv_now(s, 100).unwrap().unwrap();
    assert_eq!(
        (got.from, &got.data[..], got.truncated),
        (HOST, &b"one"[..], false)
    );
    // A short max truncates, and the rest of that datagram is gone.
    let got = t.recv_now(s, 2).unwrap().unwrap();
    assert_eq!(
        (got.from, &got.data[..], got.truncated),
        (OTHER, &b"tw"[..], true)
    );
    assert_eq!(t.recv_now(s, 100), Some(None));
    assert_eq!(t.stats.delivered, 2);
}

#[test]
fn unbound_ports_and_malformed_packets_are_dropped_and_counted() {
    let mut t = table();
    let (s, port) = t.bind(1000, None).unwrap();
    let mut ev = Vec::new();
    for _ in 0..3 {
        assert_eq!(
            t.deliver(&packet(HOST, 2000, b"x"), &mut ev),
            Delivery::NoPort
        );
    }
    let mut bad = packet(HOST, port, b"payload");
    bad[30] ^= 1;
    assert_eq!(
        t.deliver(&bad, &mut ev),
        Delivery::Malformed(wire::WireError::BadChecksum)
    );
    assert_eq!(
        t.deliver(&[0x45, 0, 0], &mut ev),
        Delivery::Malformed(wire::WireError::Truncated)
    );
    assert_eq!(t.stats.no_port, 3);
    assert_eq!(t.stats.malformed, 2);
    assert_eq!(t.stats.delivered, 0);
    assert_eq!(t.socket_stats(s).unwrap().queued, 0);
    assert!(ev.is_empty());
}

#[test]
fn the_queue_is_bounded_by_count_and_by_bytes() {
    let mut t = table();
    let (s, port) = t.bind(1000, None).unwrap();
    let mut ev = Vec::new();
    for _ in 0..QUEUE_DATAGRAMS {
        assert_eq!(
            t.deliver(&packet(HOST, port, b"x"), &mut ev),
            Delivery::Queued
        );
    }
    assert_eq!(
        t.deliver(&packet(HOST, port, b"x"), &mut ev),
        Delivery::QueueFull
    );
    t.recv_now(s, 10);
    assert_eq!(
        t.deliver(&packet(HOST, port, b"x"), &mut ev),
        Delivery::Queued
    );

    let (s2, port2) = t.bind(1001, None).unwrap();
    let big = vec![7u8; MAX_PAYLOAD];
    let fit = QUEUE_BYTES / MAX_PAYLOAD;
    for _ in 0..fit {
        assert_eq!(
            t.deliver(&packet(HOST, port2, &big), &mut ev),
            Delivery::Queued
        );
    }
    assert_eq!(
        t.deliver(&packet(HOST, port2, &big), &mut ev),
        Delivery::QueueFull
    );
    let stats = t.socket_stats(s2).unwrap();
    assert_eq!(
        (stats.received, stats.queue_full, stats.queued),
        (fit as u64, 1, fit as u32)
    );
    assert_eq!(t.stats.queue_full, 2);
    // Taking one makes room for one more.
    t.recv_now(s2, MAX_PAYLOAD);
    assert_eq!(
        t.deliver(&packet(HOST, port2, &big), &mut ev),
        Delivery::Queued
    );
}

#[test]
fn a_waiting_receive_gets_the_next_datagram_directly() {
    let mut t = table();
    let (s, port) = t.bind(1000, None).unwrap();
    let mut ev = Vec::new();
    t.queue_recv(s, waiter(1), 3, None, &mut ev);
    t.queue_recv(s, waiter(2), 100, None, &mut ev);
    assert_eq!(
        t.deliver(&packet(HOST, port, b"hello"), &mut ev),
        Delivery::Given
    );
    assert_eq!(
        t.deliver(&packet(OTHER, port, b"again"), &mut ev),
        Delivery::Given
    );
    assert_eq!(
        ev,
        vec![
            Event::Received(
                waiter(1),
                Received {
                    from: HOST,
                    data: b"hel".to_vec(),
                    truncated: true
                }
            ),
            Event::Received(
                waiter(2),
                Received {
                    from: OTHER,
                    data: b"again".to_vec(),
                    truncated: false
                }
            ),
        ]
    );
    assert!(!t.readiness(s).ready);
}

#[test]
fn a_dead_receivers_wait_is_skipped() {
    let mut t = table();
    let (s, port) = t.bind(1000, None).unwrap();
    let mut ev = Vec::new();
    let dead = waiter(1);
    t.queue_recv(s, dead.clone(), 100, None, &mut ev);
    t.queue_recv(s, waiter(2), 100, None, &mut ev);
    dead.alive.set(false);
    t.deliver(&packet(HOST, port, b"x"), &mut ev);
    assert!(matches!(&ev[..], [Event::Received(w, _)] if w.id == 2));
}

#[test]
fn receives_time_out_at_their_deadline_in_order() {
    let mut t = table();
    let (s, port) = t.bind(1000, None).unwrap();
    let mut ev = Vec::new();
    t.queue_recv(s, waiter(1), 10, Some(500), &mut ev);
    t.queue_recv(s, waiter(2), 10, None, &mut ev);
    t.queue_recv(s, waiter(3), 10, Some(300), &mut ev);
    assert_eq!(t.next_deadline(), Some(300));
    t.expire(299, &mut ev);
    assert!(ev.is_empty());
    t.expire(300, &mut ev);
    assert_eq!(ev, vec![Event::TimedOut(waiter(3))]);
    assert_eq!(t.next_deadline(), Some(500));
    ev.clear();
    t.expire(1000, &mut ev);
    assert_eq!(ev, vec![Event::TimedOut(waiter(1))]);
    assert_eq!(t.next_deadline(), None);
    ev.clear();
    // The one without a deadline still waits, and gets the next datagram.
    t.deliver(&packet(HOST, port, b"late"), &mut ev);
    assert!(matches!(&ev[..], [Event::Received(w, _)] if w.id == 2));
}

#[test]
fn close_answers_every_waiter_and_later_calls_see_it() {
    let mut t = table();
    let (s, port) = t.bind(1000, None).unwrap();
    let mut ev = Vec::new();
    t.deliver(&packet(HOST, port, b"queued"), &mut ev);
    t.recv_now(s, 100);
    t.queue_recv(s, waiter(1), 10, Some(100), &mut ev);
    t.wait_ready(s, waiter(2), &mut ev);
    assert!(ev.is_empty());
    t.close(s, &mut ev);
    let hangup = Readiness {
        ready: false,
        hangup: true,
    };
    assert_eq!(
        ev,
        vec![Event::Closed(waiter(1)), Event::Ready(waiter(2), hangup)]
    );
    assert_eq!(t.recv_now(s, 10), None);
    assert_eq!(t.readiness(s), hangup);
    assert_eq!(t.send(s, HOST, 1), Err(SendError::Closed));
    ev.clear();
    t.queue_recv(s, waiter(3), 10, None, &mut ev);
    t.wait_ready(s, waiter(4), &mut ev);
    assert_eq!(
        ev,
        vec![Event::Closed(waiter(3)), Event::Ready(waiter(4), hangup)]
    );
    // The port is unbound: datagrams to it are dropped and counted.
    ev.clear();
    assert_eq!(
        t.deliver(&packet(HOST, port, b"x"), &mut ev),
        Delivery::NoPort
    );
    assert!(t.is_empty());
}

#[test]
fn readiness_waits_end_on_data_and_a_newer_one_supersedes() {
    let mut t = table();
    let (s, port) = t.bind(1000, None).unwrap();
    let mut ev = Vec::new();
    let first = W {
        id: 1,
        owner: 9,
        alive: Rc::new(Cell::new(true)),
    };
    let second = W {
        id: 2,
        ..first.clone()
    };
    t.wait_ready(s, first.clone(), &mut ev);
    t.wait_ready(s, second.clone(), &mut ev);
    assert_eq!(ev, vec![Event::Ready(first, SUPERSEDED)]);
    ev.clear();
    t.wait_ready(s, waiter(3), &mut ev);
    t.deliver(&packet(HOST, port, b"x"), &mut ev);
    let ready = Readiness {
        ready: true,
        hangup: false,
    };
    assert_eq!(
        ev,
        vec![Event::Ready(second, ready), Event::Ready(waiter(3), ready)]
    );
    // Ready now: a new wait completes at once.
    ev.clear();
    t.wait_ready(s, waiter(4), &mut ev);
    assert_eq!(ev, vec![Event::Ready(waiter(4), ready)]);
}

#[test]
fn a_narrowed_socket_reaches_and_hears_only_its_set() {
    let mut t = table();
    let (s, port) = t.bind(0, Some(vec![HOST].into_boxed_slice())).unwrap();
    assert_eq!(t.send(s, HOST, 10), Ok(()));
    assert_eq!(t.send(s, OTHER, 10), Err(SendError::NotAllowed(OTHER)));
    let mut ev = Vec::new();
    assert_eq!(
        t.deliver(&packet(OTHER, port, b"spoof"), &mut ev),
        Delivery::Filtered
    );
    assert_eq!(
        t.deliver(&packet(HOST, port, b"answer"), &mut ev),
        Delivery::Queued
    );
    assert_eq!(t.socket_stats(s).unwrap().filtered, 1);
    assert_eq!(t.stats.filtered, 1);
    assert_eq!(t.stats.sent, 1);
}

#[test]
fn sends_are_checked_before_anything_goes_out() {
    let mut t = table();
    let (s, _) = t.bind(0, None).unwrap();
    assert_eq!(t.send(s, HOST, MAX_PAYLOAD), Ok(()));
    assert_eq!(
        t.send(s, HOST, MAX_PAYLOAD + 1),
        Err(SendError::TooLarge(MAX_PAYLOAD + 1))
    );
    let zero = Endpoint {
        addr: HOST.addr,
        port: 0,
    };
    assert_eq!(t.send(s, zero, 1), Err(SendError::BadDestination(zero)));
    assert_eq!(t.stats.sent, 1);
}

/// Random operations against a model of the bounds: whatever the order,
/// no queue exceeds its limits, every datagram is accounted for exactly
/// once (delivered or dropped with a reason), and every waiter is
/// answered at most once.
#[test]
fn fuzz_the_bounds_hold_under_random_traffic() {
    use proptest::prelude::*;
    #[derive(Debug, Clone)]
    enum Op {
        Bind(u16),
        Close(usize),
        Deliver(u16, usize),
        Recv(usize, usize),
        Wait(usize, Option<u64>),
        Ready(usize),
        Expire(u64),
        Junk(Vec<u8>),
    }
    let op = prop_oneof![
        (0u16..4).prop_map(Op::Bind),
        (0usize..8).prop_map(Op::Close),
        (0u16..4, 0usize..2000).prop_map(|(p, n)| Op::Deliver(p, n)),
        (0usize..8, 0usize..2000).prop_map(|(s, m)| Op::Recv(s, m)),
        (0usize..8, proptest::option::of(0u64..100)).prop_map(|(s, d)| Op::Wait(s, d)),
        (0usize..8).prop_map(Op::Ready),
        (0u64..120).prop_map(Op::Expire),
        proptest::collection::vec(any::<u8>(), 0..40).prop_map(Op::Junk),
    ];
    capos_fuzz::check(256, proptest::collection::vec(op, 0..80), |ops| {
        let mut t = table();
        let mut ids = Vec::new();
        let mut ev = Vec::new();
        let mut sent = 0u64;
        let mut next_waiter = 0u64;
        let mut answered = std::collections::BTreeSet::new();
        for op in ops {
            match op {
                Op::Bind(p) => {
                    if let Ok((id, _)) = t.bind(1000 + p, None) {
                        ids.push(id);
                    }
                }
                Op::Close(i) if !ids.is_empty() => t.close(ids[i % ids.len()], &mut ev),
                Op::Deliver(p, n) => {
                    sent += 1;
                    let data = vec![1u8; n.min(MAX_PAYLOAD)];
                    t.deliver(&packet(HOST, 1000 + p, &data), &mut ev);
                }
                Op::Recv(i, m) if !ids.is_empty() => {
                    if let Some(Some(r)) = t.recv_now(ids[i % ids.len()], m) {
                        prop_assert!(r.data.len() <= m);
                    }
                }
                Op::Wait(i, d) if !ids.is_empty() => {
                    next_waiter += 1;
                    t.queue_recv(ids[i % ids.len()], waiter(next_waiter), 64, d, &mut ev);
                }
                Op::Ready(i) if !ids.is_empty() => {
                    next_waiter += 1;
                    t.wait_ready(ids[i % ids.len()], waiter(next_waiter), &mut ev);
                }
                Op::Expire(now) => t.expire(now, &mut ev),
                Op::Junk(bytes) => {
                    sent += 1;
                    t.deliver(&bytes, &mut ev);
                }
                _ => {}
            }
            for e in ev.drain(..) {
                let w = match e {
                    Event::Received(w, _) | Event::TimedOut(w) | Event::Closed(w) => w,
                    Event::Ready(w, _) => w,
                };
                prop_assert!(answered.insert(w.id), "waiter {} answered twice", w.id);
            }
            for &id in &ids {
                if let Some(s) = t.socket_stats(id) {
                    prop_assert!(s.queued as usize <= QUEUE_DATAGRAMS);
                }
            }
        }
        let st = t.stats;
        prop_assert_eq!(
            st.delivered + st.no_port + st.malformed + st.queue_full + st.filtered,
            sent
        );
        Ok(())
    });
}
