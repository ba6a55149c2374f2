use super::*;
use alloc::vec;
use core::cell::Cell;
use std::rc::Rc;

use crate::test_waiter::{W, waiter};

type P = Pipe<W, W>;

fn pipe() -> P {
    Pipe::new(vec![0u8; CAPACITY].into_boxed_slice())
}

fn bytes(n: usize, seed: u8) -> Vec<u8> {
    (0..n)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

#[test]
fn ring_wraps_around_and_keeps_order() {
    let mut ring = ByteRing::new(vec![0u8; 8].into_boxed_slice());
    assert_eq!(ring.push(b"abcdef"), 6);
    assert_eq!(ring.pop(4), b"abcd");
    // 2 buffered at offset 4; these wrap past the end.
    assert_eq!(ring.push(b"ghijklmn"), 6);
    assert_eq!(ring.room(), 0);
    assert_eq!(ring.push(b"x"), 0);
    assert_eq!(ring.pop(100), b"efghijkl");
    assert!(ring.is_empty());
    assert_eq!(ring.push(b"op"), 2);
    assert_eq!(ring.pop(1), b"o");
    assert_eq!(ring.pop(1), b"p");
}

#[test]
fn a_read_takes_what_is_there() {
    let mut p = pipe();
    let mut ev = Vec::new();
    assert_eq!(p.write_now(b"hello", true, &mut ev), WriteNow::Written(5));
    assert_eq!(p.read_now(3, &mut ev), ReadNow::Data(b"hel".to_vec()));
    assert_eq!(p.read_now(100, &mut ev), ReadNow::Data(b"lo".to_vec()));
    assert_eq!(p.read_now(100, &mut ev), ReadNow::MustWait);
    assert!(ev.is_empty());
}

#[test]
fn a_queued_read_gets_the_next_write() {
    let mut p = pipe();
    let mut ev = Vec::new();
    assert_eq!(p.read_now(10, &mut ev), ReadNow::MustWait);
    p.queue_read(waiter(1), 10);
    assert_eq!(
        p.write_now(b"0123456789abc", true, &mut ev),
        WriteNow::Written(13)
    );
    assert_eq!(ev, vec![Event::Read(waiter(1), b"0123456789".to_vec())]);
    assert_eq!(p.buffered(), 3);
}

#[test]
fn end_of_file_after_the_writer_goes_and_the_ring_drains() {
    let mut p = pipe();
    let mut ev = Vec::new();
    p.write_now(b"last", true, &mut ev);
    p.close_writer(&mut ev);
    assert!(ev.is_empty());
    assert_eq!(p.read_now(2, &mut ev), ReadNow::Data(b"la".to_vec()));
    assert_eq!(p.read_now(9, &mut ev), ReadNow::Data(b"st".to_vec()));
    assert_eq!(p.read_now(9, &mut ev), ReadNow::Eof);
}

#[test]
fn queued_reads_reach_end_of_file_when_the_writer_goes() {
    let mut p = pipe();
    let mut ev = Vec::new();
    p.queue_read(waiter(1), 5);
    p.queue_read(waiter(2), 5);
    p.close_writer(&mut ev);
    assert_eq!(
        ev,
        vec![
            Event::Read(waiter(1), Vec::new()),
            Event::Read(waiter(2), Vec::new())
        ]
    );
}

#[test]
fn a_full_ring_makes_writers_wait_and_a_read_lets_them_in() {
    let mut p = pipe();
    let mut ev = Vec::new();
    let big = bytes(CAPACITY + 5000, 7);
    // More than ATOMIC: what fits goes in, the rest waits.
    assert_eq!(
        p.write_now(&big, true, &mut ev),
        WriteNow::MustWait { taken: CAPACITY }
    );
    p.queue_write(waiter(1), &big, CAPACITY, &mut ev);
    // A small write queues behind it, even when room appears.
    assert_eq!(p.write_now(b"tail", false, &mut ev), WriteNow::Written(0));
    assert_eq!(
        p.write_now(b"tail", true, &mut ev),
        WriteNow::MustWait { taken: 0 }
    );
    p.queue_write(waiter(2), b"tail", 0, &mut ev);
    let mut got = Vec::new();
    while got.len() < big.len() + 4 {
        match p.read_now(3000, &mut ev) {
            ReadNow::Data(d) => got.extend_from_slice(&d),
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(&got[..big.len()], &big[..]);
    assert_eq!(&got[big.len()..], b"tail");
    assert_eq!(
        ev,
        vec![
            Event::Written(waiter(1), big.len()),
            Event::Written(waiter(2), 4)
        ]
    );
}

#[test]
fn writes_up_to_atomic_go_in_whole() {
    let mut p = pipe();
    let mut ev = Vec::new();
    let fill = bytes(CAPACITY - 100, 1);
    assert_eq!(
        p.write_now(&fill, true, &mut ev),
        WriteNow::Written(fill.len())
    );
    let chunk = bytes(ATOMIC, 2);
    // 100 bytes of room: an atomic write takes nothing, rather than 100.
    assert_eq!(p.write_now(&chunk, false, &mut ev), WriteNow::Written(0));
    assert_eq!(
        p.write_now(&chunk, true, &mut ev),
        WriteNow::MustWait { taken: 0 }
    );
    p.queue_write(waiter(1), &chunk, 0, &mut ev);
    // Freeing less than it needs does not let it in.
    assert!(matches!(
        p.read_now(ATOMIC - 200, &mut ev),
        ReadNow::Data(_)
    ));
    assert!(ev.is_empty());
    assert_eq!(p.buffered(), CAPACITY - 100 - (ATOMIC - 200));
    assert!(matches!(p.read_now(200, &mut ev), ReadNow::Data(_)));
    assert_eq!(ev, vec![Event::Written(waiter(1), ATOMIC)]);
    assert_eq!(p.buffered(), CAPACITY - 100 - ATOMIC + ATOMIC);
}

#[test]
fn a_non_waiting_long_write_takes_what_fits() {
    let mut p = pipe();
    let mut ev = Vec::new();
    let big = bytes(CAPACITY * 2, 3);
    assert_eq!(
        p.write_now(&big, false, &mut ev),
        WriteNow::Written(CAPACITY)
    );
    assert_eq!(p.write_now(&big, false, &mut ev), WriteNow::Written(0));
}

#[test]
fn writing_without_a_reader_is_broken() {
    let mut p = pipe();
    let mut ev = Vec::new();
    let big = bytes(CAPACITY + 1, 4);
    assert_eq!(
        p.write_now(&big, true, &mut ev),
        WriteNow::MustWait { taken: CAPACITY }
    );
    p.queue_write(waiter(1), &big, CAPACITY, &mut ev);
    p.close_reader(&mut ev);
    assert_eq!(ev, vec![Event::Broken(waiter(1))]);
    assert_eq!(p.write_now(b"x", true, &mut ev), WriteNow::Broken);
}

#[test]
fn a_dead_reader_does_not_swallow_data() {
    let mut p = pipe();
    let mut ev = Vec::new();
    let dead = waiter(1);
    p.queue_read(dead.clone(), 10);
    p.queue_read(waiter(2), 10);
    dead.alive.set(false);
    p.write_now(b"data", true, &mut ev);
    assert_eq!(ev, vec![Event::Read(waiter(2), b"data".to_vec())]);
}

#[test]
fn a_dead_writer_is_dropped_and_the_next_proceeds() {
    let mut p = pipe();
    let mut ev = Vec::new();
    let fill = bytes(CAPACITY, 5);
    p.write_now(&fill, true, &mut ev);
    let dead = waiter(1);
    p.queue_write(dead.clone(), b"never", 0, &mut ev);
    p.queue_write(waiter(2), b"next", 0, &mut ev);
    dead.alive.set(false);
    assert!(matches!(p.read_now(CAPACITY, &mut ev), ReadNow::Data(_)));
    assert_eq!(ev, vec![Event::Written(waiter(2), 4)]);
    assert_eq!(p.read_now(100, &mut ev), ReadNow::Data(b"next".to_vec()));
}

#[test]
fn readiness_follows_data_room_and_hangup() {
    let mut p = pipe();
    let mut ev = Vec::new();
    let not = Readiness {
        ready: false,
        hangup: false,
    };
    assert_eq!(p.read_readiness(), not);
    assert!(p.write_readiness().ready);
    p.wait_read_ready(waiter(1), &mut ev);
    assert!(ev.is_empty());
    p.write_now(b"x", true, &mut ev);
    assert_eq!(
        ev,
        vec![Event::ReadReady(
            waiter(1),
            Readiness {
                ready: true,
                hangup: false
            }
        )]
    );
    ev.clear();
    p.write_now(&bytes(CAPACITY - ATOMIC, 0), true, &mut ev);
    assert!(!p.write_readiness().ready);
    p.wait_write_ready(waiter(2), &mut ev);
    p.close_reader(&mut ev);
    assert_eq!(
        ev,
        vec![Event::WriteReady(
            waiter(2),
            Readiness {
                ready: false,
                hangup: true
            }
        )]
    );
}

#[test]
fn a_newer_readiness_wait_answers_the_older_one() {
    let mut p = pipe();
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
    p.wait_read_ready(first.clone(), &mut ev);
    p.wait_read_ready(second.clone(), &mut ev);
    assert_eq!(ev, vec![Event::ReadReady(first, SUPERSEDED)]);
    ev.clear();
    p.close_writer(&mut ev);
    assert_eq!(
        ev,
        vec![Event::ReadReady(
            second,
            Readiness {
                ready: false,
                hangup: true
            }
        )]
    );
}

#[test]
fn a_long_write_to_a_waiting_reader_does_not_stall() {
    // The reader waits; a write longer than the ring fills it, the reader
    // takes all of it while the write is being made, and the rest must go
    // in without waiting for another read.
    let mut p = pipe();
    let mut ev = Vec::new();
    p.queue_read(waiter(1), 2 * CAPACITY);
    let big = bytes(CAPACITY + 100, 6);
    let WriteNow::MustWait { taken } = p.write_now(&big, true, &mut ev) else {
        panic!("a write longer than the ring must wait");
    };
    assert_eq!(ev, vec![Event::Read(waiter(1), big[..CAPACITY].to_vec())]);
    ev.clear();
    p.queue_write(waiter(2), &big, taken, &mut ev);
    assert_eq!(ev, vec![Event::Written(waiter(2), big.len())]);
    assert_eq!(
        p.read_now(1000, &mut ev),
        ReadNow::Data(big[CAPACITY..].to_vec())
    );
}
