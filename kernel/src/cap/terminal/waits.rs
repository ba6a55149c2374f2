//! The calls a Terminal keeps and who hears a signal character: reads
//! in order, readiness and signal waits (one per process), and the
//! processes a signal character is owed to. The line discipline decides
//! what a read gets (capos_lib::terminal); this decides when and whom.

use alloc::collections::VecDeque;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicBool, Ordering};

use capos_lib::account::Charge;
use capos_lib::terminal::{Hearing, LineDiscipline, ReadNow, Timer, hearing, in_foreground};

use super::Listener;
use super::replies::{encode_signal, read_now_reply, read_reply, ready_reply};
use crate::process::{ExitCell, PendingCall, Pid};
use crate::ring::Completion;

/// Set while a waiting read has a VTIME deadline, so ticks skip the lock
/// otherwise.
pub(super) static TIMED: AtomicBool = AtomicBool::new(false);

pub(super) const NS_PER_TENTH: u64 = 100_000_000;

/// A call the terminal keeps until it can answer it.
pub(super) struct Waiting {
    pub(super) call: PendingCall,
    pub(super) exit: Arc<ExitCell>,
    pub(super) group: u32,
    /// The caller pays for its place in the queue.
    pub(super) _charge: Charge,
}

impl Waiting {
    pub(super) fn alive(&self) -> bool {
        self.exit.status().is_none()
    }
}

pub(super) struct Read {
    pub(super) waiting: Waiting,
    pub(super) max: usize,
    /// When its VTIME runs out (monotonic ns).
    pub(super) deadline: Option<u64>,
}

pub(super) struct State {
    pub(super) ld: LineDiscipline,
    /// Waiting reads, answered in order.
    pub(super) reads: VecDeque<Read>,
    /// Readiness waits (poll), at most one per process.
    pub(super) readies: Vec<Waiting>,
    /// Signal waits (a process blocked elsewhere), at most one per process.
    pub(super) signal_waits: Vec<Waiting>,
    /// The foreground process group (0: none set).
    pub(super) foreground: u32,
    /// The last signal character, for the processes of its group that were
    /// alive when it was typed but not waiting on the terminal: each gets
    /// it at its next call here.
    pub(super) pending: Option<Pending>,
    pub(super) window: (u16, u16),
    /// The echo of one interrupt's input, kept so its capacity is reused.
    pub(super) echo: Vec<u8>,
}

/// A signal character not yet heard by every process it was for.
pub(super) struct Pending {
    /// The foreground group when it was typed (0: any).
    pub(super) group: u32,
    pub(super) signal: u8,
    /// Processes alive then that recorded no group here and did not hear
    /// it yet (those of other groups among them never will).
    pub(super) owed: Vec<Pid>,
}

impl State {
    /// A signal character. Every waiting read of the foreground group
    /// ends with it. A process that recorded its group here
    /// (Terminal.setGroup) and is in the foreground hears it through the
    /// kernel's signal path (`posts`) unless a read ended, or it waits in
    /// cap_enter and a readiness or signal wait of its own here ends: a
    /// process running in user mode is reached that way, not by a wait
    /// that would tell it only at its next call. Its readiness and
    /// signal waits are left alone then. Any other process's waits of the
    /// foreground group end with it, and every other process alive now
    /// that recorded no group is owed it, should it be of that group (its
    /// next call here tells). Each process hears it once.
    pub(super) fn raise(
        &mut self,
        signal: u8,
        alive: &[Listener],
        answers: &mut Vec<(PendingCall, Completion)>,
        posts: &mut Vec<(Pid, u8)>,
    ) {
        let fg = self.foreground;
        // Whether a readiness or signal wait of `pid` tells it.
        let wait_tells = |pid: Pid| {
            alive
                .iter()
                .find(|l| l.pid == pid)
                .is_none_or(|l| hearing(fg, l.group, true, l.blocked) == Hearing::Wait)
        };
        let mut reached: Vec<Pid> = Vec::new();
        let mut kept = VecDeque::new();
        for r in self.reads.drain(..) {
            if r.waiting.alive() && in_foreground(fg, r.waiting.group) {
                reached.push(r.waiting.call.pid);
                answers.push((r.waiting.call, read_reply(&[], false, signal)));
            } else if r.waiting.alive() {
                kept.push_back(r);
            }
        }
        self.reads = kept;
        let mut kept = Vec::new();
        // One delivery per process: a process whose read heard it keeps
        // its other waits (a readiness or signal wait answered too would
        // hand it the same ^C a second time, at its next call).
        for w in self.readies.drain(..) {
            let pid = w.call.pid;
            if w.alive() && in_foreground(fg, w.group) && !reached.contains(&pid) && wait_tells(pid)
            {
                reached.push(pid);
                answers.push((w.call, ready_reply(false, signal)));
            } else if w.alive() {
                kept.push(w);
            }
        }
        self.readies = kept;
        let mut kept = Vec::new();
        for w in self.signal_waits.drain(..) {
            let pid = w.call.pid;
            if w.alive() && in_foreground(fg, w.group) && !reached.contains(&pid) && wait_tells(pid)
            {
                reached.push(pid);
                answers.push((w.call, Completion::reply(encode_signal(signal))));
            } else if w.alive() {
                kept.push(w);
            }
        }
        self.signal_waits = kept;
        let mut owed = Vec::new();
        for l in alive.iter().filter(|l| !reached.contains(&l.pid)) {
            match hearing(fg, l.group, false, l.blocked) {
                Hearing::Post => posts.push((l.pid, signal)),
                Hearing::Owed => owed.push(l.pid),
                Hearing::Wait | Hearing::Not => {}
            }
        }
        self.pending = Some(Pending {
            group: fg,
            signal,
            owed,
        });
    }

    /// The pending signal, if process `pid` of `group` is owed it.
    pub(super) fn take_signal(&mut self, pid: Pid, group: u32) -> Option<u8> {
        let pending = self.pending.as_mut()?;
        if !in_foreground(pending.group, group) {
            return None;
        }
        let i = pending.owed.iter().position(|&p| p == pid)?;
        pending.owed.swap_remove(i);
        let signal = pending.signal;
        if pending.owed.is_empty() {
            self.pending = None;
        }
        Some(signal)
    }

    /// Answers what the input now allows: reads in order, then readiness
    /// waits. `arrived`: bytes came in (restarting inter-byte timers).
    pub(super) fn settle(
        &mut self,
        now: u64,
        arrived: bool,
        answers: &mut Vec<(PendingCall, Completion)>,
    ) {
        self.reads.retain(|r| r.waiting.alive());
        while let Some(r) = self.reads.front_mut() {
            let timed_out = r.deadline.is_some_and(|d| d <= now);
            match self.ld.read_now(r.max, timed_out) {
                ReadNow::MustWait => {
                    if arrived && let Timer::Tenths(t) = self.ld.timer(true) {
                        r.deadline = Some(now + t as u64 * NS_PER_TENTH);
                    }
                    break;
                }
                got => {
                    let r = self.reads.pop_front().expect("front exists");
                    answers.push((r.waiting.call, read_now_reply(got)));
                }
            }
        }
        if self.ld.readable() {
            for w in self.readies.drain(..) {
                answers.push((w.call, ready_reply(true, 0)));
            }
        }
        TIMED.store(
            self.reads.iter().any(|r| r.deadline.is_some()),
            Ordering::Relaxed,
        );
    }
}

/// Takes out every waiting call of process `pid` in `waits`, answered
/// with `reply` (a newer wait of the process replaces its older one).
pub(super) fn replace_older(
    waits: &mut Vec<Waiting>,
    pid: crate::process::Pid,
    reply: impl Fn() -> Completion,
    answers: &mut Vec<(PendingCall, Completion)>,
) {
    let mut i = 0;
    while i < waits.len() {
        if waits[i].call.pid == pid {
            answers.push((waits.swap_remove(i).call, reply()));
        } else {
            i += 1;
        }
    }
}
