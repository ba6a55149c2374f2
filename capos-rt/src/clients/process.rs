//! ProcessHandle: waits for a spawned process and reports how it ended.

use super::Client;
use crate::error::Error;
use crate::pending::PendingCall;
use crate::reply::Reply;
use capos_schema::{FaultKind, exit_status, interface_id, process_handle};
use core::fmt;

/// Schema ordinal of `wait`.
const WAIT: u16 = 0;
const SIGNAL: u16 = 1;

/// A CPU exception that ended a process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fault {
    pub kind: FaultKind,
    /// User instruction pointer at the fault.
    pub rip: u64,
    /// Faulting address (page faults), else 0.
    pub addr: u64,
}

/// How a process ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// It called exit or returned from main with this code.
    Exited(i64),
    Faulted(Fault),
    /// The kernel ended it for this signal.
    Signaled(u8),
}

impl ExitStatus {
    /// Reads the status from the reply of a `wait` (see
    /// [`ProcessHandle::wait_async`]).
    pub fn from_reply(reply: &Reply) -> Result<Self, Error> {
        reply.read::<process_handle::wait_results::Owned, _>(|r| {
            Ok(match r.get_status()?.which()? {
                exit_status::Exited(code) => ExitStatus::Exited(code),
                exit_status::Faulted(fault) => {
                    let fault = fault?;
                    ExitStatus::Faulted(Fault {
                        kind: fault.get_kind()?,
                        rip: fault.get_rip(),
                        addr: fault.get_addr(),
                    })
                }
                exit_status::Signaled(sig) => ExitStatus::Signaled(sig),
            })
        })
    }
}

/// Human-readable name of a fault kind, as printed in exit reports.
fn fault_kind_name(kind: FaultKind) -> &'static str {
    match kind {
        FaultKind::PageFault => "page fault",
        FaultKind::GeneralProtection => "general protection fault",
        FaultKind::InvalidOpcode => "invalid opcode",
        FaultKind::DivideError => "divide error",
        FaultKind::Other => "other fault",
    }
}

impl fmt::Display for ExitStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExitStatus::Exited(code) => write!(f, "exited {code}"),
            ExitStatus::Signaled(sig) => write!(f, "killed by signal {sig}"),
            ExitStatus::Faulted(fault) => write!(
                f,
                "faulted: {} at rip={:#x} addr={:#x}",
                fault_kind_name(fault.kind),
                fault.rip,
                fault.addr
            ),
        }
    }
}

super::client!(ProcessHandle, interface_id::PROCESS_HANDLE);

impl ProcessHandle {
    /// Waits until the process has ended.
    pub fn wait(&self) -> Result<ExitStatus, Error> {
        let reply = self.wait_async()?.wait()?;
        ExitStatus::from_reply(&reply)
    }

    /// Starts waiting and returns at once; the call completes when the
    /// process has ended, and [`ExitStatus::from_reply`] reads its reply.
    /// Waits on several processes can be in flight together.
    pub fn wait_async(&self) -> Result<PendingCall, Error> {
        self.cap
            .submit::<process_handle::wait_params::Owned>(Self::INTERFACE_ID, WAIT, |_| {})
    }

    /// Posts signal `sig` (1 to 64) to the process; an ended one ignores it.
    pub fn signal(&self, sig: u8) -> Result<(), Error> {
        self.cap
            .call::<process_handle::signal_params::Owned>(Self::INTERFACE_ID, SIGNAL, |mut p| {
                p.set_signal(sig)
            })
            .map(drop)
    }
}
