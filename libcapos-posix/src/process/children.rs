//! The child table: every child this process started and has not reaped,
//! with its ProcessHandle, so wait4 and waitid can find it by pid. A
//! child's handle is released when it is reaped (or when this process
//! ends).

use crate::linux::errno::{ECHILD, EINTR, EIO};
use crate::state;
use crate::wait::{Options, Which};
use alloc::vec::Vec;
use capos_rt::{ExitStatus, PendingCall, ProcessHandle};

struct Child {
    pid: u64,
    handle: ProcessHandle,
    /// The ProcessHandle.wait in flight, started by the first wait that
    /// selected this child.
    wait: Option<PendingCall>,
    /// How it ended, once its wait completed (kept for WNOWAIT).
    ended: Option<ExitStatus>,
}

#[derive(Default)]
pub struct Children(Vec<Child>);

impl Children {
    pub fn add(&mut self, pid: u64, handle: ProcessHandle) {
        self.0.push(Child {
            pid,
            handle,
            wait: None,
            ended: None,
        });
    }

    /// The handle of child `pid`, while it is not reaped.
    pub fn handle(&self, pid: u64) -> Option<&ProcessHandle> {
        self.0.iter().find(|c| c.pid == pid).map(|c| &c.handle)
    }

    /// A selected child that has ended, with its status: removed from the
    /// table (its handle released) unless `options.nowait`. ECHILD if
    /// nothing is selected; None if none has ended and `options.nohang`.
    /// Otherwise blocks until one ends: a ProcessHandle.wait is in flight
    /// for every selected child, and the ring is entered until one
    /// completes.
    ///
    /// `interrupted` is asked after each wake-up with no child ended: if
    /// it says so, the wait ends with EINTR (a terminal's signal
    /// character, interrupt.rs).
    pub fn reap(
        &mut self,
        which: Which,
        options: Options,
        interrupted: &mut dyn FnMut() -> bool,
    ) -> Result<Option<(u64, ExitStatus)>, i64> {
        if !self.0.iter().any(|c| which.selects(c.pid)) {
            return Err(ECHILD);
        }
        for child in self.0.iter_mut().filter(|c| which.selects(c.pid)) {
            if child.ended.is_none() && child.wait.is_none() {
                child.wait = Some(child.handle.wait_async().map_err(|_| EIO)?);
            }
        }
        // Hands the waits to the kernel and collects what has completed.
        state::ring(|ring| ring.flush())?;
        loop {
            for child in self.0.iter_mut().filter(|c| which.selects(c.pid)) {
                if child.wait.as_ref().is_some_and(PendingCall::is_complete) {
                    let reply = child.wait.take().map(PendingCall::wait);
                    let reply = reply.ok_or(EIO)?.map_err(|_| EIO)?;
                    child.ended = Some(ExitStatus::from_reply(&reply).map_err(|_| EIO)?);
                }
            }
            if let Some(i) = self
                .0
                .iter()
                .position(|c| which.selects(c.pid) && c.ended.is_some())
            {
                let child = &self.0[i];
                let found = (child.pid, child.ended.ok_or(EIO)?);
                if !options.nowait {
                    self.0.remove(i);
                }
                return Ok(Some(found));
            }
            if options.nohang {
                return Ok(None);
            }
            if interrupted() {
                return Err(EINTR);
            }
            state::ring(|ring| ring.wait(1).map(drop))?;
        }
    }
}
