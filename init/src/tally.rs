//! Counting how the services ended, for init's last line and exit code.

use capos_rt::ExitStatus;
use core::fmt;

/// How the manifest expects a service to end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expected {
    /// An exit with this code (`exitCode`, 0 unless set).
    Exit(u8),
    /// A CPU fault (`expectFault`).
    Fault,
}

/// Services that ended as the manifest expects (their `exitCode`, 0
/// unless set, or a fault where `expectFault` is set), and all the others
/// (never started included).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    pub succeeded: usize,
    pub failed: usize,
}

impl Tally {
    pub fn ended(&mut self, status: &ExitStatus, expected: Expected) {
        let as_expected = match (status, expected) {
            (ExitStatus::Exited(code), Expected::Exit(want)) => *code == i64::from(want),
            (ExitStatus::Faulted(_), Expected::Fault) => true,
            _ => false,
        };
        if as_expected {
            self.succeeded += 1;
        } else {
            self.failed += 1;
        }
    }

    /// A service that could not be started, or whose end could not be
    /// learnt.
    pub fn lost(&mut self) {
        self.failed += 1;
    }

    /// init's exit code: 0 only if every service ended as expected.
    pub fn exit_code(&self) -> i64 {
        if self.failed == 0 { 0 } else { 1 }
    }
}

impl fmt::Display for Tally {
    /// The summary line, without init's prefix.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "all services ended ({} as expected, {} failed)",
            self.succeeded, self.failed
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;
    use capos_rt::{Fault, FaultKind};

    const FAULT: ExitStatus = ExitStatus::Faulted(Fault {
        kind: FaultKind::PageFault,
        rip: 0,
        addr: 0,
    });

    #[test]
    fn exit_zero_succeeds_unless_a_fault_is_expected() {
        let mut t = Tally::default();
        t.ended(&ExitStatus::Exited(0), Expected::Exit(0));
        assert_eq!(t.exit_code(), 0);
        t.ended(&ExitStatus::Exited(0), Expected::Exit(0));
        t.ended(&ExitStatus::Exited(3), Expected::Exit(0));
        t.ended(&FAULT, Expected::Exit(0));
        t.lost();
        assert_eq!(
            t.to_string(),
            "all services ended (2 as expected, 3 failed)"
        );
        assert_eq!(t.exit_code(), 1);
    }

    #[test]
    fn an_expected_fault_succeeds_and_an_exit_then_fails() {
        let mut t = Tally::default();
        t.ended(&FAULT, Expected::Fault);
        assert_eq!((t.succeeded, t.failed), (1, 0));
        t.ended(&ExitStatus::Exited(0), Expected::Fault);
        assert_eq!((t.succeeded, t.failed), (1, 1));
    }

    #[test]
    fn an_expected_exit_code_succeeds_and_any_other_fails() {
        let mut t = Tally::default();
        t.ended(&ExitStatus::Exited(3), Expected::Exit(3));
        assert_eq!((t.succeeded, t.failed), (1, 0));
        t.ended(&ExitStatus::Exited(0), Expected::Exit(3));
        t.ended(&FAULT, Expected::Exit(3));
        assert_eq!((t.succeeded, t.failed), (1, 2));
    }
}
