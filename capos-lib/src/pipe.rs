//! A pipe without the kernel: a bounded byte ring, whether each half is
//! still open, and the calls waiting on it.
//!
//! The kernel's Pipe capability (kernel/src/cap/pipe.rs) keeps one of these
//! under a lock. Each operation answers the caller at once when it can,
//! or says it must wait; the kernel then queues the caller's waiter here.
//! Whatever an operation settles for *other* callers (a queued read that
//! now has data, a queued write that now has room, end of file) comes out
//! as [`Event`]s, which the kernel delivers once the lock is released.
//!
//! The semantics are POSIX's: a read takes what is there (at least one
//! byte) or waits; end of file once the writer is gone and the ring is
//! empty; a write of up to [`ATOMIC`] bytes goes in whole and never
//! interleaves with another; a longer one may go in pieces; writing with
//! no reader left fails (EPIPE). Queued writes complete in order.

use alloc::boxed::Box;
use alloc::collections::VecDeque;
use alloc::vec::Vec;

pub use capos_abi::pipe::{ATOMIC, CAPACITY};

/// A call waiting on a pipe, as the kernel represents it.
pub trait Waiter {
    /// Who waits: at most one readiness waiter per owner and half.
    fn owner(&self) -> u64;
    /// Whether the caller still exists; a dead one's waits are dropped,
    /// so a dead reader never swallows data.
    fn alive(&self) -> bool;
}

/// The fixed-size byte ring.
pub struct ByteRing {
    buf: Box<[u8]>,
    head: usize,
    len: usize,
}

impl ByteRing {
    pub fn new(buf: Box<[u8]>) -> Self {
        ByteRing {
            buf,
            head: 0,
            len: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn room(&self) -> usize {
        self.buf.len() - self.len
    }

    /// Appends as much of `data` as fits; returns how much.
    pub fn push(&mut self, data: &[u8]) -> usize {
        let n = data.len().min(self.room());
        let cap = self.buf.len();
        let tail = (self.head + self.len) % cap.max(1);
        let first = n.min(cap - tail);
        self.buf[tail..tail + first].copy_from_slice(&data[..first]);
        self.buf[..n - first].copy_from_slice(&data[first..n]);
        self.len += n;
        n
    }

    /// Removes up to `max` bytes from the front.
    pub fn pop(&mut self, max: usize) -> Vec<u8> {
        let n = max.min(self.len);
        let cap = self.buf.len();
        let first = n.min(cap - self.head);
        let mut out = Vec::with_capacity(n);
        out.extend_from_slice(&self.buf[self.head..self.head + first]);
        out.extend_from_slice(&self.buf[..n - first]);
        self.head = (self.head + n) % cap.max(1);
        self.len -= n;
        out
    }
}

/// What a read can do now.
#[derive(Debug, PartialEq, Eq)]
pub enum ReadNow {
    /// Bytes, oldest first (at least one).
    Data(Vec<u8>),
    /// The writer is gone and everything it wrote has been read.
    Eof,
    /// Nothing to read yet.
    MustWait,
}

/// What a write can do now.
#[derive(Debug, PartialEq, Eq)]
pub enum WriteNow {
    /// This many bytes went in; for a call that may not wait, fewer than
    /// asked (0 when it would block).
    Written(usize),
    /// No reader is left.
    Broken,
    /// `taken` bytes went in; the rest must wait for room.
    MustWait { taken: usize },
}

/// Something settled for a queued caller.
#[derive(Debug, PartialEq, Eq)]
pub enum Event<R, W> {
    /// A queued read's data; empty means end of file.
    Read(R, Vec<u8>),
    /// A queued write is all in: its total length.
    Written(W, usize),
    /// A queued write's reader is gone.
    Broken(W),
    /// A readiness wait on the read half ended.
    ReadReady(R, Readiness),
    /// A readiness wait on the write half ended.
    WriteReady(W, Readiness),
}

/// How a readiness wait ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Readiness {
    /// For the read half, bytes are buffered; for the write half, a write
    /// of [`ATOMIC`] bytes would go in now.
    pub ready: bool,
    /// The other half is gone.
    pub hangup: bool,
}

impl Readiness {
    /// Whether the operation would not wait now: it has what it needs, or
    /// the other half is gone (end of file, EPIPE).
    pub fn settled(&self) -> bool {
        self.ready || self.hangup
    }
}

/// A newer readiness wait from the same owner replaced this one.
const SUPERSEDED: Readiness = Readiness {
    ready: false,
    hangup: false,
};

struct QueuedRead<R> {
    waiter: R,
    max: usize,
}

struct QueuedWrite<W> {
    waiter: W,
    /// What is still to go in.
    rest: Vec<u8>,
    /// The whole write's length.
    total: usize,
}

pub struct Pipe<R, W> {
    ring: ByteRing,
    reader_open: bool,
    writer_open: bool,
    reads: VecDeque<QueuedRead<R>>,
    writes: VecDeque<QueuedWrite<W>>,
    read_ready: Vec<R>,
    write_ready: Vec<W>,
}

impl<R: Waiter, W: Waiter> Pipe<R, W> {
    /// A pipe buffering `buf.len()` bytes, both halves open.
    pub fn new(buf: Box<[u8]>) -> Self {
        Pipe {
            ring: ByteRing::new(buf),
            reader_open: true,
            writer_open: true,
            reads: VecDeque::new(),
            writes: VecDeque::new(),
            read_ready: Vec::new(),
            write_ready: Vec::new(),
        }
    }

    pub fn buffered(&self) -> usize {
        self.ring.len()
    }

    /// Reads up to `max` bytes (`max` ≥ 1).
    pub fn read_now(&mut self, max: usize, events: &mut Vec<Event<R, W>>) -> ReadNow {
        if !self.ring.is_empty() {
            let data = self.ring.pop(max.max(1));
            self.settle(events);
            ReadNow::Data(data)
        } else if !self.writer_open {
            ReadNow::Eof
        } else {
            ReadNow::MustWait
        }
    }

    /// Queues a read that [`Pipe::read_now`] said must wait.
    pub fn queue_read(&mut self, waiter: R, max: usize) {
        self.reads.push_back(QueuedRead {
            waiter,
            max: max.max(1),
        });
    }

    /// Writes `data`; with `wait` false, never says [`WriteNow::MustWait`].
    pub fn write_now(
        &mut self,
        data: &[u8],
        wait: bool,
        events: &mut Vec<Event<R, W>>,
    ) -> WriteNow {
        if !self.reader_open {
            return WriteNow::Broken;
        }
        // Earlier writes still waiting go first.
        let taken = if !self.writes.is_empty() {
            0
        } else if data.len() <= ATOMIC {
            if self.ring.room() >= data.len() {
                self.ring.push(data)
            } else {
                0
            }
        } else {
            self.ring.push(data)
        };
        if taken > 0 {
            self.settle(events);
        }
        if taken == data.len() || !wait {
            WriteNow::Written(taken)
        } else {
            WriteNow::MustWait { taken }
        }
    }

    /// Queues the rest of a write that [`Pipe::write_now`] said must wait.
    /// A queued read may have emptied the ring since, so what now fits
    /// goes in at once; the write may even complete here (an event for
    /// `waiter` itself).
    pub fn queue_write(
        &mut self,
        waiter: W,
        data: &[u8],
        taken: usize,
        events: &mut Vec<Event<R, W>>,
    ) {
        self.writes.push_back(QueuedWrite {
            waiter,
            rest: data[taken..].to_vec(),
            total: data.len(),
        });
        self.settle(events);
    }

    /// Whether bytes are buffered, and whether the writer is gone.
    pub fn read_readiness(&self) -> Readiness {
        Readiness {
            ready: !self.ring.is_empty(),
            hangup: !self.writer_open,
        }
    }

    /// Whether a write of [`ATOMIC`] bytes would go in now, and whether
    /// the reader is gone.
    pub fn write_readiness(&self) -> Readiness {
        Readiness {
            ready: self.writes.is_empty() && self.ring.room() >= ATOMIC,
            hangup: !self.reader_open,
        }
    }

    /// Waits for the read half to be ready; a waiter of the same owner
    /// already waiting is answered, unready.
    pub fn wait_read_ready(&mut self, waiter: R, events: &mut Vec<Event<R, W>>) {
        if let Some(i) = self
            .read_ready
            .iter()
            .position(|w| w.owner() == waiter.owner())
        {
            events.push(Event::ReadReady(self.read_ready.swap_remove(i), SUPERSEDED));
        }
        self.read_ready.push(waiter);
    }

    /// As [`Pipe::wait_read_ready`], for the write half.
    pub fn wait_write_ready(&mut self, waiter: W, events: &mut Vec<Event<R, W>>) {
        if let Some(i) = self
            .write_ready
            .iter()
            .position(|w| w.owner() == waiter.owner())
        {
            events.push(Event::WriteReady(
                self.write_ready.swap_remove(i),
                SUPERSEDED,
            ));
        }
        self.write_ready.push(waiter);
    }

    /// The read half is gone: queued writes fail, write waiters hang up.
    pub fn close_reader(&mut self, events: &mut Vec<Event<R, W>>) {
        self.reader_open = false;
        for w in self.writes.drain(..) {
            events.push(Event::Broken(w.waiter));
        }
        self.wake_ready(events);
    }

    /// The write half is gone: queued reads reach end of file.
    pub fn close_writer(&mut self, events: &mut Vec<Event<R, W>>) {
        self.writer_open = false;
        self.settle(events);
    }

    /// Moves data between queued writes and queued reads until neither
    /// can progress, then answers the readiness waiters that are ready.
    fn settle(&mut self, events: &mut Vec<Event<R, W>>) {
        loop {
            let mut progress = false;
            while let Some(read) = self.reads.front() {
                if !read.waiter.alive() {
                    self.reads.pop_front();
                    continue;
                }
                if self.ring.is_empty() && self.writer_open {
                    break;
                }
                let read = self.reads.pop_front().expect("front exists");
                // Empty when the writer is gone: end of file.
                let data = self.ring.pop(read.max);
                progress |= !data.is_empty();
                events.push(Event::Read(read.waiter, data));
            }
            while let Some(write) = self.writes.front_mut() {
                if !write.waiter.alive() {
                    self.writes.pop_front();
                    continue;
                }
                let whole = write.total <= ATOMIC;
                if whole && self.ring.room() < write.rest.len() {
                    break;
                }
                let n = self.ring.push(&write.rest);
                if n == 0 {
                    break;
                }
                progress = true;
                write.rest.drain(..n);
                if !write.rest.is_empty() {
                    break;
                }
                let write = self.writes.pop_front().expect("front exists");
                events.push(Event::Written(write.waiter, write.total));
            }
            if !progress {
                break;
            }
        }
        self.wake_ready(events);
    }

    fn wake_ready(&mut self, events: &mut Vec<Event<R, W>>) {
        self.read_ready.retain(|w| w.alive());
        self.write_ready.retain(|w| w.alive());
        let readiness = self.read_readiness();
        if readiness.settled() {
            events.extend(
                self.read_ready
                    .drain(..)
                    .map(|w| Event::ReadReady(w, readiness)),
            );
        }
        let readiness = self.write_readiness();
        if readiness.settled() {
            events.extend(
                self.write_ready
                    .drain(..)
                    .map(|w| Event::WriteReady(w, readiness)),
            );
        }
    }
}

#[cfg(test)]
mod fuzz;
#[cfg(test)]
mod tests;
