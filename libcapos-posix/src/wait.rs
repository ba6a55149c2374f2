//! The pure rules of wait4 and waitid: which children a request
//! selects, which options capOS honours, and how a ProcessHandle's exit
//! status reads as Linux's wait status and `siginfo_t`.
//!
//! capOS has no process groups and children never stop or continue:
//! pid 0 (the caller's group) selects every child, as every child is in
//! the group of the process that started it; a negative group id names
//! no group that holds children (ECHILD). WUNTRACED, WSTOPPED and
//! WCONTINUED are accepted and never report anything.
//!
//! Errors are positive Linux errno values.

use crate::linux::errno::{EBADF, ECHILD, EINVAL};
use capos_rt::{ExitStatus, FaultKind};

pub const WNOHANG: i64 = 1;
pub const WUNTRACED: i64 = 2;
pub const WEXITED: i64 = 4;
pub const WCONTINUED: i64 = 8;
pub const WNOWAIT: i64 = 0x0100_0000;
const WNOTHREAD: i64 = 0x2000_0000;
const WALL: i64 = 0x4000_0000;
const WCLONE: i64 = 0x8000_0000;

pub const SIGCHLD: i32 = 17;
const SIGILL: i32 = 4;
const SIGKILL: i32 = 9;
const SIGFPE: i32 = 8;
const SIGSEGV: i32 = 11;
/// `si_code` of a child that exited, and of one a signal killed.
const CLD_EXITED: i32 = 1;
const CLD_KILLED: i32 = 2;

/// waitid's id types.
const P_ALL: i64 = 0;
const P_PID: i64 = 1;
const P_PGID: i64 = 2;
const P_PIDFD: i64 = 3;

/// The children a wait selects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Which {
    Any,
    Pid(u64),
}

impl Which {
    pub fn selects(self, pid: u64) -> bool {
        match self {
            Which::Any => true,
            Which::Pid(p) => p == pid,
        }
    }
}

/// What the options of a wait ask for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// Return at once if no selected child has ended.
    pub nohang: bool,
    /// Report without reaping (waitid's WNOWAIT).
    pub nowait: bool,
}

/// wait4's `pid`: -1 any child, 0 any child in the caller's group
/// (every child), > 0 that child; below -1 a group, which holds no
/// children on capOS.
pub fn wait4_which(pid: i64) -> Result<Which, i64> {
    match pid {
        -1 | 0 => Ok(Which::Any),
        p if p > 0 => Ok(Which::Pid(p as u64)),
        _ => Err(ECHILD),
    }
}

/// wait4's options: WNOHANG, plus the ones that ask for stops and
/// continues (never reported) and the thread-selection flags (capOS
/// processes have one thread).
pub fn wait4_options(options: i64) -> Result<Options, i64> {
    if options & !(WNOHANG | WUNTRACED | WCONTINUED | WNOTHREAD | WALL | WCLONE) != 0 {
        return Err(EINVAL);
    }
    Ok(Options {
        nohang: options & WNOHANG != 0,
        nowait: false,
    })
}

/// waitid's `(idtype, id)`.
pub fn waitid_which(idtype: i64, id: i64) -> Result<Which, i64> {
    match idtype {
        P_ALL => Ok(Which::Any),
        P_PID if id > 0 => Ok(Which::Pid(id as u64)),
        P_PGID if id == 0 => Ok(Which::Any),
        P_PGID if id > 0 => Err(ECHILD),
        // No descriptor names a process on capOS.
        P_PIDFD if id >= 0 => Err(EBADF),
        _ => Err(EINVAL),
    }
}

/// waitid's options. WEXITED must be among them: exits are the only
/// event capOS reports, so a wait for stops or continues alone would
/// never end (EINVAL instead; Linux would wait).
pub fn waitid_options(options: i64) -> Result<Options, i64> {
    let known = WNOHANG | WUNTRACED | WEXITED | WCONTINUED | WNOWAIT | WNOTHREAD | WALL | WCLONE;
    if options & !known != 0 || options & WEXITED == 0 {
        return Err(EINVAL);
    }
    Ok(Options {
        nohang: options & WNOHANG != 0,
        nowait: options & WNOWAIT != 0,
    })
}

/// The signal Linux would have killed a process with for `kind`.
pub fn fault_signal(kind: FaultKind) -> i32 {
    match kind {
        FaultKind::PageFault | FaultKind::GeneralProtection => SIGSEGV,
        FaultKind::InvalidOpcode => SIGILL,
        FaultKind::DivideError => SIGFPE,
        FaultKind::Other => SIGKILL,
    }
}

/// The exit code of a process ended by a signal it acted on itself, or
/// whose execve'd program a signal ended: `KILLED_BY | signal`, which the
/// kernel reports to its waiter as `signaled` (capos-lib signal.rs). An
/// `exited` status of that form (from a kernel that did not map it) is
/// read the same way.
pub use capos_lib::signal::KILLED_BY;

/// The signal an exit code of the form `KILLED_BY | signal` stands for.
fn killed_by(code: i64) -> Option<i32> {
    capos_lib::signal::killed_by(code).map(i32::from)
}

/// The signal that ended a process, if one did: a fault's, or one an
/// execve'd program's end passed on.
fn ending_signal(exit: &ExitStatus) -> Option<i32> {
    match exit {
        ExitStatus::Exited(code) => killed_by(*code),
        ExitStatus::Faulted(fault) => Some(fault_signal(fault.kind)),
        ExitStatus::Signaled(sig) => Some(i32::from(*sig)),
    }
}

/// The wait status Linux reports: an exit as `(code & 0xff) << 8`
/// (WIFEXITED), a fault (or a passed-on signal) as the killing signal
/// (WIFSIGNALED, no core dump).
pub fn status(exit: &ExitStatus) -> i32 {
    match (exit, ending_signal(exit)) {
        (_, Some(signal)) => signal,
        (ExitStatus::Exited(code), None) => ((code & 0xff) as i32) << 8,
        (ExitStatus::Faulted(_) | ExitStatus::Signaled(_), None) => {
            unreachable!("a fault or a signal always has a signal")
        }
    }
}

/// waitid's view of an end: `si_code` and `si_status`.
pub fn siginfo_code(exit: &ExitStatus) -> (i32, i32) {
    match (exit, ending_signal(exit)) {
        (_, Some(signal)) => (CLD_KILLED, signal),
        (ExitStatus::Exited(code), None) => (CLD_EXITED, (code & 0xff) as i32),
        (ExitStatus::Faulted(_) | ExitStatus::Signaled(_), None) => {
            unreachable!("a fault or a signal always has a signal")
        }
    }
}

/// The exit code of a process that execve'd a program and waited for
/// it: the program's own, or `KILLED_BY | signal` when a signal ended it,
/// so that this process's waiter sees the program's end as Linux would.
pub fn exec_exit_code(exit: &ExitStatus) -> i64 {
    match ending_signal(exit) {
        Some(signal) => KILLED_BY | i64::from(signal),
        None => match exit {
            ExitStatus::Exited(code) => code & 0xff,
            ExitStatus::Faulted(_) | ExitStatus::Signaled(_) => {
                unreachable!("a fault or a signal always has a signal")
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use capos_rt::Fault;

    fn faulted(kind: FaultKind) -> ExitStatus {
        ExitStatus::Faulted(Fault {
            kind,
            rip: 0x40_1000,
            addr: 0,
        })
    }

    // What glibc's and musl's <sys/wait.h> macros compute.
    fn wifexited(s: i32) -> bool {
        s & 0x7f == 0
    }
    fn wexitstatus(s: i32) -> i32 {
        (s >> 8) & 0xff
    }
    fn wifsignaled(s: i32) -> bool {
        ((s & 0x7f) + 1) as i8 >= 2
    }
    fn wtermsig(s: i32) -> i32 {
        s & 0x7f
    }

    #[test]
    fn exits_and_faults_read_as_linux_statuses() {
        let s = status(&ExitStatus::Exited(7));
        assert!(wifexited(s) && !wifsignaled(s));
        assert_eq!(wexitstatus(s), 7);
        assert_eq!(status(&ExitStatus::Exited(0x1_02)), 2 << 8, "low 8 bits");
        assert_eq!(status(&ExitStatus::Exited(-1)), 0xff << 8);
        for (kind, sig) in [
            (FaultKind::PageFault, SIGSEGV),
            (FaultKind::GeneralProtection, SIGSEGV),
            (FaultKind::InvalidOpcode, SIGILL),
            (FaultKind::DivideError, SIGFPE),
            (FaultKind::Other, SIGKILL),
        ] {
            let s = status(&faulted(kind));
            assert!(wifsignaled(s) && !wifexited(s), "{kind:?}");
            assert_eq!(wtermsig(s), sig);
            assert_eq!(siginfo_code(&faulted(kind)), (CLD_KILLED, sig));
        }
        assert_eq!(siginfo_code(&ExitStatus::Exited(3)), (CLD_EXITED, 3));
        assert_eq!(exec_exit_code(&ExitStatus::Exited(300)), 44);
        assert_eq!(status(&ExitStatus::Signaled(15)), 15);
        assert_eq!(siginfo_code(&ExitStatus::Signaled(9)), (CLD_KILLED, 9));
        let passed_on = exec_exit_code(&faulted(FaultKind::PageFault));
        assert_eq!(passed_on, KILLED_BY | i64::from(SIGSEGV));
        // The waiter of the process that execve'd sees the fault's signal,
        // and so does the waiter above it.
        let s = status(&ExitStatus::Exited(passed_on));
        assert!(wifsignaled(s) && wtermsig(s) == SIGSEGV);
        assert_eq!(
            siginfo_code(&ExitStatus::Exited(passed_on)),
            (CLD_KILLED, SIGSEGV)
        );
        assert_eq!(exec_exit_code(&ExitStatus::Exited(passed_on)), passed_on);
        // Only signals 1 to 64 above KILLED_BY; other codes are exits.
        assert_eq!(status(&ExitStatus::Exited(KILLED_BY)), 0);
        assert_eq!(status(&ExitStatus::Exited(KILLED_BY | 65)), 65 << 8);
    }

    #[test]
    fn wait4_selection_and_options() {
        assert_eq!(wait4_which(-1), Ok(Which::Any));
        assert_eq!(wait4_which(0), Ok(Which::Any));
        assert_eq!(wait4_which(12), Ok(Which::Pid(12)));
        assert_eq!(wait4_which(-12), Err(ECHILD));
        assert!(Which::Pid(12).selects(12) && !Which::Pid(12).selects(13));
        assert!(Which::Any.selects(5));
        assert_eq!(
            wait4_options(WNOHANG | WUNTRACED),
            Ok(Options {
                nohang: true,
                nowait: false
            })
        );
        assert_eq!(wait4_options(WCONTINUED | WALL), Ok(Options::default()));
        assert_eq!(wait4_options(WEXITED), Err(EINVAL), "waitid's flag");
        assert_eq!(wait4_options(0x10), Err(EINVAL));
    }

    #[test]
    fn waitid_selection_and_options() {
        assert_eq!(waitid_which(P_ALL, 99), Ok(Which::Any));
        assert_eq!(waitid_which(P_PID, 4), Ok(Which::Pid(4)));
        assert_eq!(waitid_which(P_PID, 0), Err(EINVAL));
        assert_eq!(waitid_which(P_PGID, 0), Ok(Which::Any));
        assert_eq!(waitid_which(P_PGID, 4), Err(ECHILD));
        assert_eq!(waitid_which(P_PIDFD, 3), Err(EBADF));
        assert_eq!(waitid_which(9, 0), Err(EINVAL));
        assert_eq!(
            waitid_options(WEXITED | WNOWAIT | WNOHANG),
            Ok(Options {
                nohang: true,
                nowait: true
            })
        );
        assert_eq!(
            waitid_options(WUNTRACED),
            Err(EINVAL),
            "stops alone never end"
        );
        assert_eq!(waitid_options(WEXITED | 0x10), Err(EINVAL));
    }
}
