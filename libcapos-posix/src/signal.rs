//! The per-process signal table: dispositions, the mask, and signals
//! held while blocked. Signals come from the kernel (kill through a
//! ProcessHandle, SIGCHLD, the alarm: interrupt.rs), from a terminal's
//! signal characters, or from the process itself (`raise`, `abort`,
//! `kill(getpid())`), and are acted on here as Linux does: discarded
//! when ignored, held while blocked, a handler run with sa_mask applied
//! (sigcall.rs), or the process ended "killed by" the signal. Stopping
//! (job control) is not done.
//!
//! Errors are positive Linux errno values.

use crate::linux::errno::{EINVAL, ENOSYS};

/// Signals 1..=64, as Linux.
pub const NSIG: i64 = 64;
pub const SIG_DFL: usize = 0;
pub const SIG_IGN: usize = 1;
pub const SIGKILL: i64 = 9;
pub const SIGPIPE: i64 = 13;
pub const SIGSTOP: i64 = 19;
pub const SIG_BLOCK: i64 = 0;
pub const SIG_UNBLOCK: i64 = 1;
pub const SIG_SETMASK: i64 = 2;
/// The kernel's sigset size (`_NSIG / 8`), the only one accepted.
pub const SIGSET_SIZE: i64 = 8;

/// musl's `struct k_sigaction`, as the Linux call reads and writes it.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Action {
    pub handler: usize,
    pub flags: u64,
    pub restorer: usize,
    pub mask: u64,
}

impl Action {
    /// Whether the action is a function of the program's.
    pub fn is_handler(&self) -> bool {
        self.handler != SIG_DFL && self.handler != SIG_IGN
    }
}

/// What sending a signal to oneself did.
#[derive(Debug, PartialEq, Eq)]
pub enum Sent {
    /// Signal 0 (a permission probe) or an ignored signal: nothing happens.
    Discarded,
    /// Blocked: held until the mask lets it through.
    Pending,
    /// Its default action ends the process now.
    Terminate,
    /// Its action is a handler: it arrives ([`Signals::arrive`]).
    Handler,
}

#[derive(PartialEq, Eq)]
enum DefaultAction {
    Terminate,
    Ignore,
    Stop,
}

fn default_action(sig: i64) -> DefaultAction {
    match sig {
        // SIGCHLD, SIGCONT (continuing a running process), SIGURG, SIGWINCH.
        17 | 18 | 23 | 28 => DefaultAction::Ignore,
        // SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU.
        19..=22 => DefaultAction::Stop,
        _ => DefaultAction::Terminate,
    }
}

fn bit(sig: i64) -> u64 {
    1 << (sig - 1)
}

/// The bits no mask may hold.
const UNBLOCKABLE: u64 = (1 << (SIGKILL - 1)) | (1 << (SIGSTOP - 1));

fn valid(sig: i64) -> Result<usize, i64> {
    if (1..=NSIG).contains(&sig) {
        Ok(sig as usize - 1)
    } else {
        Err(EINVAL)
    }
}

#[derive(Clone)]
pub struct Signals {
    actions: [Action; NSIG as usize],
    mask: u64,
    pending: u64,
}

impl Signals {
    /// A forked child's copy: same actions and mask, nothing pending
    /// (POSIX: the child's set of pending signals starts empty).
    pub fn forked(&mut self) {
        self.pending = 0;
    }
}

impl Default for Signals {
    fn default() -> Self {
        Signals {
            actions: [Action::default(); NSIG as usize],
            mask: 0,
            pending: 0,
        }
    }
}

impl Signals {
    /// `rt_sigaction`: the action of `sig`, replaced by `new` if given.
    /// SIGKILL's and SIGSTOP's cannot be changed (EINVAL, as Linux).
    pub fn action(&mut self, sig: i64, new: Option<Action>) -> Result<Action, i64> {
        let i = valid(sig)?;
        let old = self.actions[i];
        if let Some(mut new) = new {
            if sig == SIGKILL || sig == SIGSTOP {
                return Err(EINVAL);
            }
            new.mask &= !UNBLOCKABLE;
            self.actions[i] = new;
        }
        Ok(old)
    }

    /// `rt_sigprocmask`: the old mask; `set` applied as `how` says.
    pub fn procmask(&mut self, how: i64, set: Option<u64>) -> Result<u64, i64> {
        let old = self.mask;
        if let Some(set) = set {
            self.mask = match how {
                SIG_BLOCK => old | set,
                SIG_UNBLOCK => old & !set,
                SIG_SETMASK => set,
                _ => return Err(EINVAL),
            } & !UNBLOCKABLE;
        }
        Ok(old)
    }

    /// `rt_sigpending`: signals held while blocked.
    pub fn pending(&self) -> u64 {
        self.pending & self.mask
    }

    /// A signal the process sends itself.
    pub fn send(&mut self, sig: i64) -> Result<Sent, i64> {
        if sig == 0 {
            return Ok(Sent::Discarded);
        }
        let action = self.actions[valid(sig)?];
        if action.is_handler() {
            if self.mask & bit(sig) != 0 {
                self.pending |= bit(sig);
                return Ok(Sent::Pending);
            }
            return Ok(Sent::Handler);
        }
        let default = default_action(sig);
        if action.handler == SIG_IGN || default == DefaultAction::Ignore {
            return Ok(Sent::Discarded);
        }
        if default == DefaultAction::Stop {
            return Err(ENOSYS);
        }
        if self.mask & bit(sig) != 0 {
            self.pending |= bit(sig);
            return Ok(Sent::Pending);
        }
        Ok(Sent::Terminate)
    }

    /// After the mask or an action changed: the lowest pending signal that
    /// is no longer blocked and now terminates the process or runs a
    /// handler, taken out of the pending set (it then [`arrive`]s).
    /// Pending signals that became ignored are dropped.
    ///
    /// [`arrive`]: Signals::arrive
    pub fn deliverable(&mut self) -> Option<i64> {
        for sig in 1..=NSIG {
            if self.pending & !self.mask & bit(sig) == 0 {
                continue;
            }
            let action = self.actions[sig as usize - 1];
            self.pending &= !bit(sig);
            if action.is_handler()
                || (action.handler == SIG_DFL && default_action(sig) == DefaultAction::Terminate)
            {
                return Some(sig);
            }
        }
        None
    }

    /// The signals the kernel must leave to this process (its caught set,
    /// Timer.signals): those with a handler, those ignored, and those
    /// blocked (held here until unblocked). Others get their default
    /// action from the kernel.
    pub fn caught(&self) -> u64 {
        let mut set = self.mask;
        for (i, action) in self.actions.iter().enumerate() {
            if action.handler != SIG_DFL {
                set |= 1 << i;
            }
        }
        set & !UNBLOCKABLE
    }

    /// The mask, for sigsuspend to put back.
    pub fn mask(&self) -> u64 {
        self.mask
    }
}

/// Whether call `n`, interrupted by a handler of an SA_RESTART action,
/// starts again, as on Linux: reads, writes, ioctl and waits for
/// children do; sleeps, poll and select never do (they fail with EINTR).
pub fn restartable(n: i64) -> bool {
    use crate::linux::nr;
    matches!(
        n,
        nr::READ
            | nr::READV
            | nr::WRITE
            | nr::WRITEV
            | nr::IOCTL
            | nr::WAIT4
            | nr::WAITID
            | nr::RECVFROM
            | nr::RECVMSG
            | nr::SENDTO
            | nr::SENDMSG
    )
}

/// What a signal arriving from outside does (a terminal's signal
/// character, reported by the read or poll it ended).
#[derive(Debug, PartialEq, Eq)]
pub enum Arrived {
    /// Ignored: the interrupted call goes on.
    Discarded,
    /// Blocked: held until the mask lets it through; the call goes on.
    Pending,
    /// Its default action ends the process.
    Terminate,
    /// Its default action stops the process, which capOS cannot do (no
    /// job control): discarded, the call goes on.
    Stop,
    /// Run this handler; the mask is already the handler's, `restore`
    /// is the one to put back after it.
    Handler(Handler),
}

/// A handler to run for a signal that arrived.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Handler {
    pub sig: i64,
    pub function: usize,
    pub flags: u64,
    pub restore: u64,
}

/// sa_flags bits the delivery acts on.
pub const SA_SIGINFO: u64 = 4;
pub const SA_RESTART: u64 = 0x1000_0000;
pub const SA_NODEFER: u64 = 0x4000_0000;
pub const SA_RESETHAND: u64 = 0x8000_0000;

impl Signals {
    /// Signal `sig` arrives: what its action says, with the mask set for
    /// a handler (sa_mask and the signal itself unless SA_NODEFER) and
    /// the action reset first under SA_RESETHAND, as POSIX says.
    pub fn arrive(&mut self, sig: i64) -> Result<Arrived, i64> {
        let i = valid(sig)?;
        if self.mask & bit(sig) != 0 {
            self.pending |= bit(sig);
            return Ok(Arrived::Pending);
        }
        let action = self.actions[i];
        if action.is_handler() {
            let restore = self.mask;
            let mut mask = self.mask | action.mask;
            if action.flags & SA_NODEFER == 0 {
                mask |= bit(sig);
            }
            self.mask = mask & !UNBLOCKABLE;
            if action.flags & SA_RESETHAND != 0 {
                self.actions[i] = Action::default();
            }
            return Ok(Arrived::Handler(Handler {
                sig,
                function: action.handler,
                flags: action.flags,
                restore,
            }));
        }
        if action.handler == SIG_IGN {
            return Ok(Arrived::Discarded);
        }
        Ok(match default_action(sig) {
            DefaultAction::Ignore => Arrived::Discarded,
            DefaultAction::Stop => Arrived::Stop,
            DefaultAction::Terminate => Arrived::Terminate,
        })
    }

    /// A handler returned: its mask goes back.
    pub fn end_handler(&mut self, handler: &Handler) {
        self.mask = handler.restore;
    }
}

/// The exit code of a process a signal terminates: "killed by" the
/// signal, which its waiter reads as WIFSIGNALED (wait.rs; a shell then
/// sets `$?` to 128 + the signal).
pub fn exit_code(sig: i64) -> i64 {
    crate::wait::KILLED_BY | sig
}

/// The name of `sig`, for report lines.
pub fn name(sig: i64) -> &'static str {
    const NAMES: [&str; 31] = [
        "SIGHUP",
        "SIGINT",
        "SIGQUIT",
        "SIGILL",
        "SIGTRAP",
        "SIGABRT",
        "SIGBUS",
        "SIGFPE",
        "SIGKILL",
        "SIGUSR1",
        "SIGSEGV",
        "SIGUSR2",
        "SIGPIPE",
        "SIGALRM",
        "SIGTERM",
        "SIGSTKFLT",
        "SIGCHLD",
        "SIGCONT",
        "SIGSTOP",
        "SIGTSTP",
        "SIGTTIN",
        "SIGTTOU",
        "SIGURG",
        "SIGXCPU",
        "SIGXFSZ",
        "SIGVTALRM",
        "SIGPROF",
        "SIGWINCH",
        "SIGIO",
        "SIGPWR",
        "SIGSYS",
    ];
    usize::try_from(sig - 1)
        .ok()
        .and_then(|i| NAMES.get(i))
        .copied()
        .unwrap_or("a real-time signal")
}

#[cfg(test)]
mod tests {
    use super::{Arrived, SA_NODEFER, SA_RESETHAND};

    fn handler_action(function: usize, flags: u64, mask: u64) -> Action {
        Action {
            handler: function,
            flags,
            restorer: 0,
            mask,
        }
    }

    #[test]
    fn sa_restart_restarts_reads_not_sleeps() {
        use crate::linux::nr;
        assert!(super::restartable(nr::READ));
        assert!(super::restartable(nr::WAIT4));
        assert!(!super::restartable(nr::NANOSLEEP));
        assert!(!super::restartable(nr::POLL));
        assert!(!super::restartable(nr::CLOCK_NANOSLEEP));
    }

    #[test]
    fn an_arriving_signal_follows_its_action() {
        let mut s = Signals::default();
        assert_eq!(s.arrive(2), Ok(Arrived::Terminate));
        assert_eq!(s.arrive(20), Ok(Arrived::Stop));
        assert_eq!(s.arrive(28), Ok(Arrived::Discarded));
        s.action(2, Some(handler_action(SIG_IGN, 0, 0))).unwrap();
        assert_eq!(s.arrive(2), Ok(Arrived::Discarded));
        s.procmask(SIG_BLOCK, Some(1 << 2)).unwrap();
        assert_eq!(s.arrive(3), Ok(Arrived::Pending));
        assert_eq!(s.pending(), 1 << 2);
        assert_eq!(s.arrive(0), Err(EINVAL));
    }

    #[test]
    fn a_handler_runs_with_its_mask_and_resethand_resets() {
        let mut s = Signals::default();
        s.action(2, Some(handler_action(0x1000, SA_RESETHAND, 1 << 14)))
            .unwrap();
        let Ok(Arrived::Handler(h)) = s.arrive(2) else {
            panic!("a handler");
        };
        assert_eq!((h.sig, h.function, h.restore), (2, 0x1000, 0));
        // sa_mask and the signal itself are blocked while it runs.
        assert_eq!(s.procmask(SIG_BLOCK, None), Ok((1 << 14) | (1 << 1)));
        s.end_handler(&h);
        assert_eq!(s.procmask(SIG_BLOCK, None), Ok(0));
        // SA_RESETHAND: the next one takes the default action.
        assert_eq!(s.arrive(2), Ok(Arrived::Terminate));
        // SA_NODEFER leaves the signal itself unblocked.
        s.action(2, Some(handler_action(0x1000, SA_NODEFER, 0)))
            .unwrap();
        let Ok(Arrived::Handler(h)) = s.arrive(2) else {
            panic!("a handler");
        };
        assert_eq!(s.procmask(SIG_BLOCK, None), Ok(0));
        s.end_handler(&h);
    }

    use super::*;

    const SIGABRT: i64 = 6;
    const SIGUSR1: i64 = 10;
    const SIGCHLD: i64 = 17;

    fn handler() -> Action {
        Action {
            handler: 0x40_1000,
            flags: 0x0400_0000,
            restorer: 0x40_2000,
            mask: u64::MAX,
        }
    }

    #[test]
    fn actions_are_recorded_and_returned() {
        let mut s = Signals::default();
        assert_eq!(s.action(SIGUSR1, Some(handler())), Ok(Action::default()));
        let old = s.action(SIGUSR1, None).unwrap();
        assert_eq!(old.handler, 0x40_1000);
        assert_eq!(
            old.mask & UNBLOCKABLE,
            0,
            "SIGKILL and SIGSTOP never blocked"
        );
        assert_eq!(s.action(SIGKILL, Some(handler())), Err(EINVAL));
        assert_eq!(s.action(SIGSTOP, None), Ok(Action::default()));
        assert_eq!(s.action(0, None), Err(EINVAL));
        assert_eq!(s.action(65, None), Err(EINVAL));
    }

    #[test]
    fn the_mask_follows_how() {
        let mut s = Signals::default();
        assert_eq!(s.procmask(SIG_BLOCK, Some(0b1010)), Ok(0));
        assert_eq!(s.procmask(SIG_UNBLOCK, Some(0b0010)), Ok(0b1010));
        assert_eq!(s.procmask(SIG_SETMASK, Some(u64::MAX)), Ok(0b1000));
        assert_eq!(s.procmask(SIG_BLOCK, None), Ok(!UNBLOCKABLE));
        assert_eq!(s.procmask(7, Some(0)), Err(EINVAL));
        assert_eq!(
            s.procmask(7, None),
            Ok(!UNBLOCKABLE),
            "how unused without a set"
        );
    }

    #[test]
    fn self_signals_act_without_handlers() {
        let mut s = Signals::default();
        assert_eq!(s.send(0), Ok(Sent::Discarded));
        assert_eq!(s.send(SIGCHLD), Ok(Sent::Discarded));
        assert_eq!(s.send(SIGABRT), Ok(Sent::Terminate));
        assert_eq!(s.send(20), Err(ENOSYS), "no job control");
        assert_eq!(s.send(99), Err(EINVAL));
        let ignore = Action {
            handler: SIG_IGN,
            ..Action::default()
        };
        s.action(SIGUSR1, Some(ignore)).unwrap();
        assert_eq!(s.send(SIGUSR1), Ok(Sent::Discarded));
        s.action(SIGUSR1, Some(handler())).unwrap();
        assert_eq!(s.send(SIGUSR1), Ok(Sent::Handler));
    }

    #[test]
    fn blocked_signals_wait_for_the_mask() {
        // musl's raise(): block everything, tkill, restore the mask.
        let mut s = Signals::default();
        let old = s.procmask(SIG_SETMASK, Some(u64::MAX)).unwrap();
        assert_eq!(s.send(SIGABRT), Ok(Sent::Pending));
        assert_eq!(s.pending(), bit(SIGABRT));
        assert_eq!(s.deliverable(), None);
        s.procmask(SIG_SETMASK, Some(old)).unwrap();
        assert_eq!(s.deliverable(), Some(SIGABRT));
        assert_eq!(exit_code(SIGABRT), crate::wait::KILLED_BY | SIGABRT);
        assert_eq!(s.deliverable(), None);

        s.procmask(SIG_BLOCK, Some(bit(SIGUSR1))).unwrap();
        assert_eq!(s.send(SIGUSR1), Ok(Sent::Pending));
        s.action(SIGUSR1, Some(handler())).unwrap();
        s.procmask(SIG_SETMASK, Some(0)).unwrap();
        assert_eq!(s.deliverable(), Some(SIGUSR1), "its handler runs on unmask");
        assert_eq!(s.deliverable(), None);
    }

    #[test]
    fn the_caught_set_is_handled_ignored_or_blocked() {
        let mut s = Signals::default();
        assert_eq!(s.caught(), 0);
        s.action(SIGUSR1, Some(handler())).unwrap();
        let ignore = Action {
            handler: SIG_IGN,
            ..Action::default()
        };
        s.action(2, Some(ignore)).unwrap();
        s.procmask(SIG_BLOCK, Some(bit(15))).unwrap();
        assert_eq!(s.caught(), bit(SIGUSR1) | bit(2) | bit(15));
        s.procmask(SIG_SETMASK, Some(u64::MAX)).unwrap();
        assert_eq!(s.caught() & UNBLOCKABLE, 0);
    }

    #[test]
    fn names() {
        assert_eq!(name(SIGABRT), "SIGABRT");
        assert_eq!(name(31), "SIGSYS");
        assert_eq!(name(40), "a real-time signal");
    }
}
