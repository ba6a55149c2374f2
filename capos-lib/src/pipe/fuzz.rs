//! Random interleavings of reads and writes, waiting and not, against a
//! model that is only a byte stream: whatever the order of calls, the
//! reader sees exactly the bytes writes put in, in order, and the pipe
//! never stalls (a queued read beside buffered bytes, or a queued write
//! beside an empty ring).

use super::*;
use alloc::rc::Rc;
use alloc::vec;
use alloc::vec::Vec;
use core::cell::Cell;
use proptest::collection;
use proptest::prelude::*;

#[derive(Debug, Clone, PartialEq, Eq)]
struct W(u64);

impl Waiter for W {
    fn owner(&self) -> u64 {
        self.0
    }
    fn alive(&self) -> bool {
        true
    }
}

#[derive(Debug, Clone)]
enum Op {
    /// A write of this many bytes; waiting if the flag says so.
    Write(usize, bool),
    /// A read of at most this many bytes; waiting if the flag says so.
    Read(usize, bool),
}

fn op() -> impl Strategy<Value = Op> {
    let len = prop_oneof![
        1..64usize,
        ATOMIC - 2..ATOMIC + 2,
        CAPACITY - 8..CAPACITY + 8,
        1..3 * CAPACITY,
    ];
    prop_oneof![
        (len.clone(), any::<bool>()).prop_map(|(n, w)| Op::Write(n, w)),
        (len, any::<bool>()).prop_map(|(n, w)| Op::Read(n, w)),
    ]
}

/// What the test has seen, against which the pipe is checked.
#[derive(Default)]
struct Model {
    /// Every byte a write put in or will put in, in order.
    written: Vec<u8>,
    /// Every byte a read got, in order.
    read: Vec<u8>,
    queued_reads: usize,
    queued_writes: usize,
    next: Rc<Cell<u8>>,
}

impl Model {
    fn bytes(&self, n: usize) -> Vec<u8> {
        (0..n)
            .map(|_| {
                let b = self.next.get();
                self.next.set(b.wrapping_add(1));
                b
            })
            .collect()
    }

    fn take(&mut self, events: &mut Vec<Event<W, W>>) {
        for e in events.drain(..) {
            match e {
                Event::Read(_, data) => {
                    self.read.extend_from_slice(&data);
                    self.queued_reads -= 1;
                }
                Event::Written(..) => self.queued_writes -= 1,
                other => panic!("unexpected {other:?}"),
            }
        }
    }
}

#[test]
fn every_byte_arrives_in_order_and_nothing_stalls() {
    capos_fuzz::check(256, collection::vec(op(), 1..80), |ops| {
        let mut p: Pipe<W, W> = Pipe::new(vec![0u8; CAPACITY].into_boxed_slice());
        let mut m = Model::default();
        let mut ev = Vec::new();
        for (i, op) in ops.into_iter().enumerate() {
            let id = i as u64;
            match op {
                Op::Write(n, wait) => {
                    let data = m.bytes(n);
                    match p.write_now(&data, wait, &mut ev) {
                        WriteNow::Written(k) => {
                            // A write that may not wait takes a prefix; one
                            // of up to ATOMIC bytes all or nothing.
                            prop_assert!(k == n || !wait);
                            prop_assert!(n > ATOMIC || k == 0 || k == n);
                            m.written.extend_from_slice(&data[..k]);
                            // What it did not take is never sent again.
                            m.next.set(data.get(k).copied().unwrap_or(m.next.get()));
                        }
                        WriteNow::MustWait { taken } => {
                            prop_assert!(wait);
                            m.written.extend_from_slice(&data);
                            m.queued_writes += 1;
                            p.queue_write(W(id), &data, taken, &mut ev);
                        }
                        WriteNow::Broken => prop_assert!(false, "the reader is open"),
                    }
                }
                Op::Read(n, wait) => match p.read_now(n, &mut ev) {
                    ReadNow::Data(d) => {
                        prop_assert!(!d.is_empty() && d.len() <= n);
                        m.read.extend_from_slice(&d);
                    }
                    ReadNow::Eof => prop_assert!(false, "the writer is open"),
                    ReadNow::MustWait => {
                        if wait {
                            m.queued_reads += 1;
                            p.queue_read(W(id), n);
                        }
                    }
                },
            }
            m.take(&mut ev);
            prop_assert!(
                !(m.queued_reads > 0 && p.buffered() > 0),
                "a read waits beside {} buffered bytes",
                p.buffered()
            );
            prop_assert!(
                !(m.queued_writes > 0 && p.buffered() == 0),
                "a write waits beside an empty ring"
            );
            prop_assert!(m.written.starts_with(&m.read));
        }
        // The writer goes; reading to the end gives everything written.
        p.close_writer(&mut ev);
        m.take(&mut ev);
        loop {
            match p.read_now(CAPACITY, &mut ev) {
                ReadNow::Data(d) => m.read.extend_from_slice(&d),
                ReadNow::Eof => break,
                ReadNow::MustWait => prop_assert!(false, "no end of file"),
            }
            m.take(&mut ev);
        }
        prop_assert_eq!(m.queued_writes, 0);
        prop_assert_eq!(m.read.len(), m.written.len());
        prop_assert!(m.read == m.written);
        Ok(())
    });
}
