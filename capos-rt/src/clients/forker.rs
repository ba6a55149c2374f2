//! ProcessForker: duplicates the calling process
//! (docs/interfaces/process-forker.md).

use super::{Client, ProcessHandle};
use crate::any_cap::AnyCap;
use crate::error::Error;
use capos_schema::{interface_id, process_forker};

/// Schema ordinal of `fork`.
const FORK: u16 = 0;

/// Which copy a [`ProcessForker::fork`] returned in.
pub enum Forked {
    /// The original: the child's pid and the handle to wait on it.
    Parent { pid: u64, handle: ProcessHandle },
    /// The copy, with its own pid.
    Child { pid: u64 },
}

super::client!(ProcessForker, interface_id::PROCESS_FORKER);

impl ProcessForker {
    /// Duplicates this process; returns in both copies. The kernel refuses
    /// while any other call of this process is in flight (waits that only
    /// report, for an exit or readiness, excepted), so complete them
    /// first. The child holds the same capabilities under the same ids,
    /// except those a fork does not copy (ProcessHandles, Endpoint owner
    /// facets); a `Cap` of those is stale in the child. The child must
    /// call [`crate::Runtime::forked`] before anything else that uses the
    /// ring.
    pub fn fork(&self) -> Result<Forked, Error> {
        let ring = self.cap.ring();
        self.cap
            .call::<process_forker::fork_params::Owned>(Self::INTERFACE_ID, FORK, |_| {})?
            .read::<process_forker::fork_results::Owned, _>(|r| {
                let pid = r.get_pid();
                if r.get_in_child() {
                    return Ok((pid, None));
                }
                Ok((pid, Some(AnyCap::from_result(ring, r.get_handle()?))))
            })
            .and_then(|(pid, handle)| match handle {
                None => Ok(Forked::Child { pid }),
                Some(handle) => Ok(Forked::Parent {
                    pid,
                    handle: handle
                        .expect("fork returned a capability that is not a ProcessHandle")?,
                }),
            })
    }
}
