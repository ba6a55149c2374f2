//! Waits a terminal's signal character can cut short. A process whose
//! descriptors 0 to 2 name a terminal keeps one Terminal.signal call in
//! flight (State::signal_wait, made on its first interruptible wait and
//! kept across calls until it completes); a blocking call waits for its
//! own completion or that one, whichever comes first. The abandoned call
//! stays with the kernel and its completion is dropped (a sleep's timer
//! runs out unheard). Reads and polls of the terminal itself need none of
//! this: their own completion carries the signal (tty.rs, poll_call.rs).

use crate::linux::errno::EIO;
use crate::sigcall;
use crate::state::{self, Object, State};
use capos_rt::{Error, PendingCall, Reply, Terminal};

/// How an interruptible wait ended.
pub enum Waited {
    /// The call completed.
    Done(Result<Reply, Error>),
    /// A signal character for this process's group came first.
    Signal(u8),
}

/// The signal wait, taken out of the state for a wait that holds another
/// part of it (wait4's child table), and put back after.
pub struct Watch {
    call: Option<PendingCall>,
    /// The signal that came, or 0.
    pub signal: u8,
}

impl Watch {
    pub fn take(s: &mut State) -> Watch {
        arm(s);
        Watch {
            call: s.signal_wait.take(),
            signal: 0,
        }
    }

    /// True once a signal character for this process's group has come
    /// (its number in `signal`).
    pub fn fired(&mut self) -> bool {
        if self.call.as_ref().is_some_and(PendingCall::is_complete) {
            // A reply that cannot be read counts as none: the next wait
            // makes a new signal wait.
            self.signal = self
                .call
                .take()
                .and_then(|call| call.wait().ok())
                .and_then(|reply| Terminal::signal_of(&reply).ok())
                .unwrap_or(0);
        }
        self.signal != 0
    }

    pub fn put_back(self, s: &mut State) {
        if self.call.is_some() {
            s.signal_wait = self.call;
        }
    }
}

/// Acts on a signal the signal wait brought while a call completed
/// anyway: as Linux delivers it on the way back to user mode, the
/// action runs now (a handler as the call returns), and the call's
/// result stands.
pub fn settle(s: &mut State) {
    if !s.signal_wait.as_ref().is_some_and(PendingCall::is_complete) {
        return;
    }
    let sig = s
        .signal_wait
        .take()
        .and_then(|call| call.wait().ok())
        .and_then(|reply| Terminal::signal_of(&reply).ok())
        .unwrap_or(0);
    if sig != 0 {
        let _ = sigcall::arrive(s, i64::from(sig));
    }
}

/// Makes sure a signal wait is in flight, if a descriptor 0 to 2 is a
/// terminal.
fn arm(s: &mut State) {
    // One that completed unheard is acted on first.
    settle(s);
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

/// Waits for `call`, or for a signal character for this process's group.
pub fn wait(s: &mut State, call: PendingCall) -> Result<Waited, i64> {
    arm(s);
    state::ring(|ring| ring.flush())?;
    loop {
        if call.is_complete() {
            let done = call.wait();
            settle(s);
            return Ok(Waited::Done(done));
        }
        if s.signal_wait.as_ref().is_some_and(PendingCall::is_complete) {
            let reply = s.signal_wait.take().ok_or(EIO)?.wait().map_err(|_| EIO)?;
            let sig = Terminal::signal_of(&reply).map_err(|_| EIO)?;
            if sig != 0 {
                return Ok(Waited::Signal(sig));
            }
            // Replaced by a newer wait of ours: wait again.
            arm(s);
            state::ring(|ring| ring.flush())?;
            continue;
        }
        state::ring(|ring| ring.wait(1).map(drop))?;
    }
}
