//! Waits a signal can cut short. Two signal waits may be in flight:
//!
//! - the terminal's: a process whose descriptors 0 to 2 name a terminal
//!   keeps one Terminal.signal call in flight (`State::signal_wait`, made
//!   on its first interruptible wait and kept until it completes);
//! - the kernel's: while the process catches, ignores or blocks any
//!   signal, one Timer.signals call (`State::kernel_wait`) tells the
//!   kernel that set and completes with the signals posted to the process
//!   (kill through a ProcessHandle, SIGCHLD, its alarm). A signal outside
//!   the set gets its default action from the kernel, with no wait.
//!
//! A blocking call waits for its own completion or a signal, whichever
//! comes first. The abandoned call stays with the kernel and its
//! completion is dropped (a sleep's timer runs out unheard). Reads and
//! polls of the terminal itself need none of this for the terminal's
//! signals: their own completion carries them (tty.rs, poll_call.rs).

use crate::linux::errno::EIO;
use crate::sigcall;
use crate::state::{self, Object, State};
use capos_rt::{Error, PendingCall, Reply, SignalWait, Terminal, Timer};

/// How an interruptible wait ended.
pub enum Waited {
    /// The call completed.
    Done(Result<Reply, Error>),
    /// A signal came first.
    Signal(u8),
}

/// The signal waits, taken out of the state for a wait that holds another
/// part of it (wait4's child table), and put back after.
pub struct Watch {
    call: Option<PendingCall>,
    kernel: Option<PendingCall>,
    incoming: u64,
    /// The signal that came, or 0.
    pub signal: u8,
}

impl Watch {
    pub fn take(s: &mut State) -> Watch {
        arm(s);
        Watch {
            call: s.signal_wait.take(),
            kernel: s.kernel_wait.take(),
            incoming: core::mem::take(&mut s.incoming),
            signal: 0,
        }
    }

    /// True once a signal has come (its number in `signal`).
    pub fn fired(&mut self) -> bool {
        if self.signal != 0 {
            return true;
        }
        if self.call.as_ref().is_some_and(PendingCall::is_complete) {
            // A reply that cannot be read counts as none: the next wait
            // makes a new signal wait.
            self.signal = terminal_signal(self.call.take());
        }
        if self.signal == 0 {
            self.incoming |= kernel_signals(&mut self.kernel);
            self.signal = take_lowest(&mut self.incoming);
        }
        self.signal != 0
    }

    pub fn put_back(self, s: &mut State) {
        if self.call.is_some() {
            s.signal_wait = self.call;
        }
        if self.kernel.is_some() {
            s.kernel_wait = self.kernel;
        }
        s.incoming |= self.incoming;
    }
}

/// The signal a completed Terminal.signal call brought (0: none).
fn terminal_signal(call: Option<PendingCall>) -> u8 {
    call.and_then(|call| call.wait().ok())
        .and_then(|reply| Terminal::signal_of(&reply).ok())
        .unwrap_or(0)
}

/// The signals the kernel's wait brought, if it has completed (it is
/// then gone, and the next [`arm`] makes another).
fn kernel_signals(wait: &mut Option<PendingCall>) -> u64 {
    if !wait.as_ref().is_some_and(PendingCall::is_complete) {
        return 0;
    }
    wait.take()
        .and_then(|call| call.wait().ok())
        .and_then(|reply| Timer::signals_of(&reply).ok())
        .map_or(0, |signals| signals.pending)
}

/// The lowest signal of `set`, removed from it (0: empty).
fn take_lowest(set: &mut u64) -> u8 {
    if *set == 0 {
        return 0;
    }
    let sig = set.trailing_zeros() as u8 + 1;
    *set &= *set - 1;
    sig
}

/// The next signal that has come for this process, if any (0: none).
fn next_signal(s: &mut State) -> u8 {
    if s.signal_wait.as_ref().is_some_and(PendingCall::is_complete) {
        let sig = terminal_signal(s.signal_wait.take());
        if sig != 0 {
            return sig;
        }
    }
    s.incoming |= kernel_signals(&mut s.kernel_wait) | crate::upcall::take_stranded();
    take_lowest(&mut s.incoming)
}

/// The next signal the kernel's wait brought (0: none), renewing the
/// wait once it has completed.
pub fn kernel_signal(s: &mut State) -> u8 {
    let had = s.kernel_wait.is_some();
    s.incoming |= kernel_signals(&mut s.kernel_wait);
    if had && s.kernel_wait.is_none() {
        declare(s);
        let _ = state::ring(|ring| ring.flush());
    }
    take_lowest(&mut s.incoming)
}

/// Acts on signals that came while a call completed anyway: as Linux
/// delivers them on the way back to user mode, the action runs now (a
/// handler as the call returns), and the call's result stands. One
/// handler at a time: the others wait for the next call.
pub fn settle(s: &mut State) {
    while s.handler.is_none() && s.exit.is_none() {
        let sig = next_signal(s);
        if sig == 0 {
            return;
        }
        sigcall::arrive(s, i64::from(sig));
    }
}

/// Tells the kernel the caught set (the signals this process handles,
/// ignores or blocks) when it changed, and keeps a kernel signal wait in
/// flight while it is not empty.
pub fn declare(s: &mut State) {
    let caught = s.signals.caught();
    let told = s.declared.unwrap_or(0);
    if caught == told && (caught == 0 || s.kernel_wait.is_some()) {
        return;
    }
    let Some(timer) = s.timer.as_ref() else {
        return;
    };
    if caught != 0 {
        // A caught signal then reaches this process while it runs
        // without calls too (upcall.rs).
        crate::upcall::register(timer);
    }
    let wait = SignalWait {
        caught,
        ..SignalWait::default()
    };
    // The older wait, if any, completes with nothing; dropping it is safe.
    if let Ok(call) = timer.signals_async(wait) {
        s.kernel_wait = Some(call);
        s.declared = Some(caught);
    }
    if caught & !told != 0 {
        // The kernel must know a newly caught signal before the process
        // runs on without calls, or it would apply the default action.
        let _ = state::ring(|ring| ring.flush());
    }
}

/// Sets (`ns` nonzero) or cancels the alarm; the ns the previous one had
/// left (0: none). Signals the call brings are kept for the next wait.
pub fn set_alarm(s: &mut State, ns: u64) -> Result<u64, i64> {
    let timer = s.timer.as_ref().ok_or(EIO)?;
    let wait = SignalWait {
        caught: s.signals.caught(),
        alarm_ns: ns,
        cancel_alarm: ns == 0,
    };
    let reply = timer.signals_async(wait).map_err(|_| EIO)?.wait();
    let signals = Timer::signals_of(&reply.map_err(|_| EIO)?).map_err(|_| EIO)?;
    // It replaced the kernel wait, which completed with nothing.
    s.kernel_wait = None;
    s.declared = Some(wait.caught);
    s.incoming |= signals.pending;
    Ok(signals.alarm_left)
}

/// Makes sure the signal waits are in flight: the terminal's if a
/// descriptor 0 to 2 is a terminal, the kernel's if anything is caught.
/// A wait that completed unheard stays in place, for the waiter's
/// [`next_signal`] to take.
fn arm(s: &mut State) {
    declare(s);
    if s.signal_wait.is_some() {
        return;
    }
    let group = s.groups.pgid as u32;
    let call = (0..3)
        .filter_map(|fd| s.fds.get(fd).ok())
        .find_map(|open| match &open.object {
            Object::Terminal(t) => Some(t.signal_async(group)),
            _ => None,
        });
    s.signal_wait = call.and_then(Result::ok);
}

/// Waits for `call`, or for a signal.
pub fn wait(s: &mut State, call: PendingCall) -> Result<Waited, i64> {
    Ok(match wait_ref(s, &call)? {
        0 => Waited::Done(call.wait()),
        sig => Waited::Signal(sig),
    })
}

/// Waits for `call` to complete (0; the caller then takes its reply) or
/// for a signal (its number); the call stays the caller's, to wait on
/// again when the signal lets the wait go on.
pub fn wait_ref(s: &mut State, call: &PendingCall) -> Result<u8, i64> {
    arm(s);
    state::ring(|ring| ring.flush())?;
    loop {
        if call.is_complete() {
            settle(s);
            return Ok(0);
        }
        let armed = (s.signal_wait.is_some(), s.kernel_wait.is_some());
        let sig = next_signal(s);
        if sig != 0 {
            return Ok(sig);
        }
        if armed != (s.signal_wait.is_some(), s.kernel_wait.is_some()) {
            // A signal wait completed with nothing (replaced): renew it.
            arm(s);
            state::ring(|ring| ring.flush())?;
        }
        state::ring(|ring| ring.wait(1).map(drop))?;
    }
}

/// Waits for a signal only (sigsuspend, pause).
pub fn wait_signal(s: &mut State) -> Result<u8, i64> {
    loop {
        arm(s);
        let sig = next_signal(s);
        if sig != 0 {
            return Ok(sig);
        }
        if s.signal_wait.is_none() && s.kernel_wait.is_none() {
            // Nothing can ever come (no terminal, nothing caught, no
            // timer): Linux would wait forever; say so instead.
            return Err(crate::linux::errno::EINVAL);
        }
        state::ring(|ring| ring.flush())?;
        state::ring(|ring| ring.wait(1).map(drop))?;
    }
}
