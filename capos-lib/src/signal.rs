//! The kernel's per-process signal record (ProcessHandle.signal posts,
//! Timer.signals takes): what is pending, what the process catches
//! itself, and what a posted signal does when the process does not.

/// SIGKILL: never caught, always ends the process.
pub const SIGKILL: u8 = 9;
/// SIGSEGV: what ends a process whose signal upcall frame cannot be
/// written (kernel/src/upcall.rs), as Linux does.
pub const SIGSEGV: u8 = 11;
/// SIGALRM, posted by a process's own alarm.
pub const SIGALRM: u8 = 14;
/// SIGCHLD, posted to a parent when its child ends.
pub const SIGCHLD: u8 = 17;
/// SIGSTOP: never caught; capOS has no job control (see [`Posted`]).
pub const SIGSTOP: u8 = 19;

/// An exit code of the form `KILLED_BY | signal` (bit 32 and a signal
/// number 1 to 64) ends a process "killed by" that signal: how a process
/// that acts on signals itself (libcapos-posix) reports the default
/// action "terminate", so its waiter sees `signaled` as for one the
/// kernel ended. A C program's own codes are `code & 0xff`, a Rust
/// program's 32-bit, so no ordinary exit has this form.
pub const KILLED_BY: i64 = 1 << 32;

/// The signal an exit code of the form `KILLED_BY | signal` stands for.
pub fn killed_by(code: i64) -> Option<u8> {
    let sig = code ^ KILLED_BY;
    (1..=64).contains(&sig).then_some(sig as u8)
}

/// What posting a signal did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Posted {
    /// The process must end, "killed by" this signal.
    Terminate,
    /// Recorded as pending, for the process's signal wait.
    Pending,
    /// Its default action is to be ignored (or to stop or continue, which
    /// capOS does not do) and the process does not catch it.
    Discarded,
}

/// Why a signal number is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadSignal;

fn bit(sig: u8) -> u64 {
    1 << (sig - 1)
}

/// Signals whose default action is not to terminate: ignored (SIGCHLD,
/// SIGURG, SIGWINCH), continue (SIGCONT) and stop (SIGSTOP, SIGTSTP,
/// SIGTTIN, SIGTTOU), as Linux has them.
const NOT_TERMINATING: u64 = (1 << (17 - 1))
    | (1 << (18 - 1))
    | (1 << (19 - 1))
    | (1 << (20 - 1))
    | (1 << (21 - 1))
    | (1 << (22 - 1))
    | (1 << (23 - 1))
    | (1 << (28 - 1));

/// A process's signals, as the kernel keeps them.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SignalRecord {
    /// Posted and not yet taken by the process.
    pub pending: u64,
    /// Declared by the process: it handles or ignores these itself.
    pub caught: u64,
}

impl SignalRecord {
    /// Posts `sig` (1 to 64).
    pub fn post(&mut self, sig: u8) -> Result<Posted, BadSignal> {
        if !(1..=64).contains(&sig) {
            return Err(BadSignal);
        }
        let b = bit(sig);
        if sig == SIGKILL {
            return Ok(Posted::Terminate);
        }
        if sig == SIGSTOP || (self.caught & b == 0 && NOT_TERMINATING & b != 0) {
            return Ok(Posted::Discarded);
        }
        if self.caught & b == 0 {
            return Ok(Posted::Terminate);
        }
        self.pending |= b;
        Ok(Posted::Pending)
    }

    /// A new caught set; SIGKILL and SIGSTOP cannot be in it. Signals
    /// already pending stay so: the process takes them next and acts on
    /// them itself, whatever it catches by then.
    pub fn set_caught(&mut self, caught: u64) {
        self.caught = caught & !(bit(SIGKILL) | bit(SIGSTOP));
    }

    /// Takes every pending signal.
    pub fn take(&mut self) -> u64 {
        core::mem::take(&mut self.pending)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_without_catching() {
        let mut r = SignalRecord::default();
        assert_eq!(r.post(15), Ok(Posted::Terminate));
        assert_eq!(r.post(2), Ok(Posted::Terminate));
        assert_eq!(r.post(SIGALRM), Ok(Posted::Terminate));
        assert_eq!(r.post(17), Ok(Posted::Discarded)); // SIGCHLD
        assert_eq!(r.post(28), Ok(Posted::Discarded)); // SIGWINCH
        assert_eq!(r.post(20), Ok(Posted::Discarded)); // SIGTSTP: no job control
        assert_eq!(r.pending, 0);
    }

    #[test]
    fn caught_signals_wait_to_be_taken() {
        let mut r = SignalRecord::default();
        r.set_caught(bit(15) | bit(17));
        assert_eq!(r.post(15), Ok(Posted::Pending));
        assert_eq!(r.post(17), Ok(Posted::Pending));
        assert_eq!(r.post(15), Ok(Posted::Pending));
        assert_eq!(r.take(), bit(15) | bit(17));
        assert_eq!(r.take(), 0);
    }

    #[test]
    fn kill_and_stop_cannot_be_caught() {
        let mut r = SignalRecord::default();
        r.set_caught(u64::MAX);
        assert_eq!(r.post(SIGKILL), Ok(Posted::Terminate));
        assert_eq!(r.post(SIGSTOP), Ok(Posted::Discarded));
        assert_eq!(r.caught & (bit(SIGKILL) | bit(SIGSTOP)), 0);
    }

    #[test]
    fn pending_signals_outlive_a_new_caught_set() {
        let mut r = SignalRecord::default();
        r.set_caught(bit(15));
        r.post(15).unwrap();
        r.set_caught(0);
        assert_eq!(r.take(), bit(15));
        assert_eq!(r.post(15), Ok(Posted::Terminate));
    }

    #[test]
    fn killed_by_codes() {
        assert_eq!(killed_by(KILLED_BY | 15), Some(15));
        assert_eq!(killed_by(KILLED_BY | 64), Some(64));
        assert_eq!(killed_by(KILLED_BY), None);
        assert_eq!(killed_by(KILLED_BY | 65), None);
        assert_eq!(killed_by(143), None);
        assert_eq!(killed_by(-1), None);
    }

    #[test]
    fn bad_numbers_are_refused() {
        let mut r = SignalRecord::default();
        assert_eq!(r.post(0), Err(BadSignal));
        assert_eq!(r.post(65), Err(BadSignal));
        assert_eq!(r.post(64), Ok(Posted::Terminate));
    }
}
