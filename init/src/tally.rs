//! Counting how the services ended, for init's last line and exit code.

use capos_rt::ExitStatus;
use core::fmt;

/// Services that exited 0, and all the others (non-zero exit, fault, or
/// never started).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    pub succeeded: usize,
    pub failed: usize,
}

impl Tally {
    pub fn ended(&mut self, status: &ExitStatus) {
        match status {
            ExitStatus::Exited(0) => self.succeeded += 1,
            _ => self.failed += 1,
        }
    }

    /// A service that could not be started, or whose end could not be
    /// learnt.
    pub fn lost(&mut self) {
        self.failed += 1;
    }

    /// init's exit code: 0 only if every service exited 0.
    pub fn exit_code(&self) -> i64 {
        if self.failed == 0 { 0 } else { 1 }
    }
}

impl fmt::Display for Tally {
    /// The summary line, without init's prefix.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "all services ended ({} exited 0, {} failed)",
            self.succeeded, self.failed
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;
    use capos_rt::{Fault, FaultKind};

    #[test]
    fn only_exit_zero_succeeds() {
        let mut t = Tally::default();
        t.ended(&ExitStatus::Exited(0));
        assert_eq!(t.exit_code(), 0);
        t.ended(&ExitStatus::Exited(0));
        t.ended(&ExitStatus::Exited(3));
        t.ended(&ExitStatus::Faulted(Fault {
            kind: FaultKind::PageFault,
            rip: 0,
            addr: 0,
        }));
        t.lost();
        assert_eq!(t.to_string(), "all services ended (2 exited 0, 3 failed)");
        assert_eq!(t.exit_code(), 1);
    }
}
