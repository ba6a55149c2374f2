//! The rules of the fork-for-exec recording shim (§6 of the POSIX
//! adapter proposal). capOS cannot duplicate a process, so fork returns
//! 0 in the caller's own process and the code up to execve (the "child
//! branch") runs there. Each call the branch makes is classified here:
//!
//! - the allowlist — dup2, dup3, close, fcntl F_GETFD/F_SETFD/F_GETFL,
//!   rt_sigaction to SIG_DFL or SIG_IGN (or only reading), rt_sigprocmask,
//!   setpgid, getppid — acts on a [`Shadow`] copy of the descriptor table
//!   and signal state, never the parent's;
//! - execve turns the shadow into a spawn, and fork returns the child's
//!   pid to the parent;
//! - anything else, including exit and a nested fork, fails the fork: the
//!   shadow is discarded and fork returns -1 with ENOSYS.
//!
//! getpid is refused: the child's pid does not exist until execve, and
//! answering the parent's would be a lie. getppid is the parent's pid,
//! which is true. Errors are positive Linux errno values.
//!
//! A process granted "fork" (a ProcessForker) gets a real duplicate
//! instead (process/real_fork.rs); [`real_fork_errno`] is the errno of a
//! real fork the kernel refused.

use crate::fd::FdTable;
use crate::linux::errno::{EINVAL, ESRCH};
use crate::linux::{fcntl, nr};
use crate::signal::{Action, Signals};
use alloc::format;
use alloc::string::String;

/// What the child branch may do between fork and execve, for the report
/// line of a refusal.
pub const ALLOWED: &str = "only dup2, dup3, close, fcntl F_GETFD/F_SETFD/F_GETFL, \
sigaction to SIG_DFL/SIG_IGN, sigprocmask, setpgid and getppid may come between fork and execve";

/// A call the child branch made, as the shim handles it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// Acts on the shadow state; its result returns to the branch.
    Shadow(Op),
    /// execve: the shadow becomes the child.
    Exec,
    /// Off the allowlist: the fork fails.
    Refuse(Refusal),
}

/// The allowlisted operations, with their raw arguments (pointers are
/// read by the caller, which owns the unsafe code).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Dup2 {
        old: i64,
        new: i64,
    },
    Dup3 {
        old: i64,
        new: i64,
        flags: i64,
    },
    Close(i64),
    Fcntl {
        fd: i64,
        cmd: i64,
        arg: i64,
    },
    SigAction {
        sig: i64,
        act: usize,
        old: usize,
        size: i64,
    },
    SigProcMask {
        how: i64,
        set: usize,
        old: usize,
        size: i64,
    },
    SetPgid {
        pid: i64,
        pgid: i64,
    },
    GetPpid,
}

/// What the branch tried that the shim refuses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// A call off the allowlist (a Linux number).
    Call(i64),
    /// An fcntl command off the allowlist.
    Fcntl(i64),
    /// rt_sigaction installing a handler: it could never run in the
    /// child, which starts with default dispositions.
    Handler(i64),
    /// exit or exit_group before execve, with this status.
    Exit(i64),
    /// fork, vfork or posix_spawn inside the branch.
    Nested(&'static str),
}

impl Refusal {
    /// "what the child branch did", for the report line.
    pub fn describe(&self) -> String {
        let call = |n: i64| match crate::linux::name(n) {
            Some(name) => format!("{name} (Linux syscall {n})"),
            None => format!("Linux syscall {n}"),
        };
        match *self {
            Refusal::Call(nr::GETPID | nr::GETTID) => {
                String::from("getpid, but the child has no pid before execve")
            }
            Refusal::Call(n) => format!("called {}", call(n)),
            Refusal::Fcntl(cmd) => format!("called fcntl command {cmd}"),
            Refusal::Handler(sig) => format!("installed a handler for signal {sig}"),
            Refusal::Exit(code) => format!("exited with status {code} without a successful execve"),
            Refusal::Nested(what) => format!("called {what}"),
        }
    }
}

/// Classifies Linux call `n` with arguments `a` made in the child branch.
pub fn classify(n: i64, a: [i64; 6]) -> Step {
    let op = match n {
        nr::DUP2 => Op::Dup2 {
            old: a[0],
            new: a[1],
        },
        nr::DUP3 => Op::Dup3 {
            old: a[0],
            new: a[1],
            flags: a[2],
        },
        nr::CLOSE => Op::Close(a[0]),
        nr::FCNTL => match a[1] {
            fcntl::F_GETFD | fcntl::F_SETFD | fcntl::F_GETFL => Op::Fcntl {
                fd: a[0],
                cmd: a[1],
                arg: a[2],
            },
            cmd => return Step::Refuse(Refusal::Fcntl(cmd)),
        },
        nr::RT_SIGACTION => Op::SigAction {
            sig: a[0],
            act: a[1] as usize,
            old: a[2] as usize,
            size: a[3],
        },
        nr::RT_SIGPROCMASK => Op::SigProcMask {
            how: a[0],
            set: a[1] as usize,
            old: a[2] as usize,
            size: a[3],
        },
        nr::SETPGID => Op::SetPgid {
            pid: a[0],
            pgid: a[1],
        },
        nr::GETPPID => Op::GetPpid,
        nr::EXECVE => return Step::Exec,
        nr::EXIT | nr::EXIT_GROUP => return Step::Refuse(Refusal::Exit(a[0])),
        nr::FORK | nr::VFORK | nr::CLONE => return Step::Refuse(Refusal::Nested("fork")),
        _ => return Step::Refuse(Refusal::Call(n)),
    };
    Step::Shadow(op)
}

/// The child-to-be's state while the branch runs: a copy of the parent's
/// descriptor table (every descriptor, close-on-exec ones included, as a
/// forked child has them) and signal state, and the process group it
/// asked for.
pub struct Shadow<T> {
    pub fds: FdTable<T>,
    pub signals: Signals,
    /// setpgid(0, pgid): recorded; capOS has no process groups, so the
    /// child is not placed in one.
    pub pgid: Option<i64>,
}

impl<T> Shadow<T> {
    pub fn new(fds: &FdTable<T>, signals: &Signals) -> Self {
        Shadow {
            fds: fds.duplicate(),
            signals: signals.clone(),
            pgid: None,
        }
    }

    /// rt_sigaction on the shadow. `Err(Ok(refusal))` for a handler
    /// (the fork fails), `Err(Err(errno))` for what Linux refuses too.
    pub fn sigaction(
        &mut self,
        sig: i64,
        new: Option<Action>,
    ) -> Result<Action, Result<Refusal, i64>> {
        if new.is_some_and(|a| a.is_handler()) {
            return Err(Ok(Refusal::Handler(sig)));
        }
        self.signals.action(sig, new).map_err(Err)
    }

    /// setpgid in the child: only the child itself (pid 0) can be moved,
    /// to its own group (0) or an existing one; the request is recorded.
    pub fn setpgid(&mut self, pid: i64, pgid: i64) -> Result<i64, i64> {
        if pgid < 0 {
            return Err(EINVAL);
        }
        if pid != 0 {
            // The child's own pid is unknown before execve, and it has no
            // children of its own.
            return Err(ESRCH);
        }
        self.pgid = Some(pgid);
        Ok(0)
    }
}

/// The errno of a ProcessForker.fork that failed: EAGAIN when the
/// service's processes (their kernel memory) reach its quota, or when the
/// kernel refuses for calls in flight; ENOMEM when memory for the copy
/// runs out; EIO when the ring itself failed.
pub fn real_fork_errno(error: &capos_rt::Error) -> i64 {
    use crate::linux::errno::{EAGAIN, EIO, ENOMEM};
    match error {
        capos_rt::Error::Application { reason, .. } if reason.starts_with("memory:") => ENOMEM,
        capos_rt::Error::Application { .. } => EAGAIN,
        _ => EIO,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linux::errno::EBADF;
    use crate::signal::{SIG_DFL, SIG_IGN};
    use alloc::rc::Rc;
    use alloc::string::ToString;

    #[test]
    fn the_allowlist() {
        let a = |x: [i64; 3]| [x[0], x[1], x[2], 0, 0, 0];
        assert_eq!(
            classify(nr::DUP2, a([3, 1, 0])),
            Step::Shadow(Op::Dup2 { old: 3, new: 1 })
        );
        assert!(matches!(
            classify(nr::DUP3, a([3, 1, 0])),
            Step::Shadow(Op::Dup3 { .. })
        ));
        assert_eq!(
            classify(nr::CLOSE, a([4, 0, 0])),
            Step::Shadow(Op::Close(4))
        );
        for cmd in [fcntl::F_GETFD, fcntl::F_SETFD, fcntl::F_GETFL] {
            assert!(matches!(
                classify(nr::FCNTL, a([1, cmd, 1])),
                Step::Shadow(Op::Fcntl { .. })
            ));
        }
        for cmd in [fcntl::F_SETFL, fcntl::F_DUPFD, fcntl::F_DUPFD_CLOEXEC] {
            assert_eq!(
                classify(nr::FCNTL, a([1, cmd, 0])),
                Step::Refuse(Refusal::Fcntl(cmd))
            );
        }
        assert!(matches!(
            classify(nr::RT_SIGACTION, a([2, 0, 0])),
            Step::Shadow(Op::SigAction { .. })
        ));
        assert!(matches!(
            classify(nr::RT_SIGPROCMASK, a([2, 0, 0])),
            Step::Shadow(Op::SigProcMask { .. })
        ));
        assert_eq!(
            classify(nr::SETPGID, a([0, 0, 0])),
            Step::Shadow(Op::SetPgid { pid: 0, pgid: 0 })
        );
        assert_eq!(
            classify(nr::GETPPID, a([0, 0, 0])),
            Step::Shadow(Op::GetPpid)
        );
        assert_eq!(classify(nr::EXECVE, a([0, 0, 0])), Step::Exec);
    }

    #[test]
    fn everything_else_is_refused() {
        let none = [0; 6];
        for n in [
            nr::WRITE,
            nr::READ,
            nr::DUP,
            nr::MMAP,
            nr::GETPID,
            nr::KILL,
            nr::WAIT4,
            999,
        ] {
            assert_eq!(classify(n, none), Step::Refuse(Refusal::Call(n)));
        }
        assert_eq!(
            classify(nr::EXIT_GROUP, [127, 0, 0, 0, 0, 0]),
            Step::Refuse(Refusal::Exit(127))
        );
        assert_eq!(classify(nr::EXIT, none), Step::Refuse(Refusal::Exit(0)));
        for n in [nr::FORK, nr::VFORK, nr::CLONE] {
            assert_eq!(classify(n, none), Step::Refuse(Refusal::Nested("fork")));
        }
        assert_eq!(
            Refusal::Call(nr::WRITE).describe(),
            "called write (Linux syscall 1)"
        );
        assert_eq!(
            Refusal::Exit(127).describe(),
            "exited with status 127 without a successful execve"
        );
        assert!(Refusal::Call(nr::GETPID).describe().starts_with("getpid"));
    }

    fn parent() -> FdTable<String> {
        let mut t = FdTable::default();
        t.open(Rc::new("in".to_string()), false).unwrap();
        t.open(Rc::new("out".to_string()), false).unwrap();
        t.open(Rc::new("pipe".to_string()), true).unwrap();
        t
    }

    #[test]
    fn the_shadow_never_touches_the_parent() {
        let p = parent();
        let mut signals = Signals::default();
        let mut shadow = Shadow::new(&p, &signals);
        assert_eq!(shadow.fds.dup2(2, 1, false, false), Ok(1));
        assert_eq!(shadow.fds.close(0), Ok(()));
        assert_eq!(shadow.fds.close(0), Err(EBADF));
        assert_eq!(shadow.fds.cloexec(2), Ok(true), "close-on-exec copied");
        assert_eq!(p.get(1).map(|o| o.as_str()), Ok("out"));
        assert!(p.get(0).is_ok());
        let ignore = Action {
            handler: SIG_IGN,
            ..Action::default()
        };
        assert_eq!(shadow.sigaction(2, Some(ignore)), Ok(Action::default()));
        assert_eq!(
            signals.action(2, None),
            Ok(Action::default()),
            "parent's unchanged"
        );
        assert_eq!(shadow.sigaction(2, None), Ok(ignore));
        let handler = Action {
            handler: 0x40_1000,
            ..Action::default()
        };
        assert_eq!(
            shadow.sigaction(15, Some(handler)),
            Err(Ok(Refusal::Handler(15)))
        );
        let default = Action {
            handler: SIG_DFL,
            ..Action::default()
        };
        assert_eq!(shadow.sigaction(9, Some(default)), Err(Err(EINVAL)));
        assert_eq!(shadow.signals.procmask(2, Some(1 << 1)), Ok(0));
        assert_eq!(signals.procmask(0, None), Ok(0), "parent's mask unchanged");
    }

    #[test]
    fn setpgid_is_recorded_for_the_child_only() {
        let mut shadow = Shadow::new(&parent(), &Signals::default());
        assert_eq!(shadow.setpgid(0, -1), Err(EINVAL));
        assert_eq!(shadow.setpgid(5, 0), Err(ESRCH));
        assert_eq!(shadow.pgid, None);
        assert_eq!(shadow.setpgid(0, 0), Ok(0));
        assert_eq!(shadow.pgid, Some(0));
    }

    #[test]
    fn a_real_fork_past_the_process_quota_is_eagain_and_past_memory_enomem() {
        use crate::linux::errno::{EAGAIN, EIO, ENOMEM};
        use capos_rt::{Error, ExceptionType};
        let refused = |kind, reason: &str| Error::Application {
            kind,
            reason: reason.into(),
        };
        let processes = "processes: kernel memory quota exhausted: 40000 bytes asked";
        assert_eq!(
            real_fork_errno(&refused(ExceptionType::Overloaded, processes)),
            EAGAIN
        );
        let memory = "memory: memory quota exhausted: 1 page asked, 10 of 10 in use";
        assert_eq!(
            real_fork_errno(&refused(ExceptionType::Overloaded, memory)),
            ENOMEM
        );
        let busy = "fork refused: the caller has other calls in flight";
        assert_eq!(
            real_fork_errno(&refused(ExceptionType::Failed, busy)),
            EAGAIN
        );
        assert_eq!(real_fork_errno(&Error::Transport(-1)), EIO);
    }
}
