//! fork for a process granted "fork": a real duplicate through
//! ProcessForker (docs/interfaces/process-forker.md). Both copies return
//! from the same call; the child, with a copy of everything (memory,
//! descriptors: the same capability ids, signal actions), fixes up what
//! is per process: its pid (the runtime's), an empty child table and no
//! pending signals. Without "fork", the recording shim runs instead
//! (fork_call.rs).

use super::children::Children;
use crate::dispatch::refuse;
use crate::fork::real_fork_errno;
use crate::linux::nr;
use crate::state::State;
use alloc::format;
use capos_rt::Forked;
use libcapos::runtime;

/// `fork()` when the process holds "fork" (None otherwise): the child's
/// pid in the parent, 0 in the child, or an errno (EAGAIN, ENOMEM).
///
/// The kernel refuses a fork while other calls are in flight, except
/// quiet waits (a ProcessHandle's exit, readiness), which stay the
/// parent's; those are the only calls the adapter leaves in flight
/// between POSIX calls (after waitpid with WNOHANG, or a poll that
/// returned before every descriptor was ready).
pub fn fork(s: &mut State) -> Option<Result<i64, i64>> {
    let forker = s.forker.as_ref()?;
    Some(match forker.fork() {
        Ok(Forked::Parent { pid, handle }) => {
            s.children.add(pid, handle);
            Ok(pid as i64)
        }
        Ok(Forked::Child { .. }) => {
            become_child(s);
            Ok(0)
        }
        Err(e) => {
            let errno = real_fork_errno(&e);
            refuse(s, nr::FORK, errno, &format!("ProcessForker.fork: {e}")).map(|_| 0)
        }
    })
}

/// The per-process state of the copy that is the child.
fn become_child(s: &mut State) {
    // Its own pid; the parent's waits in flight forgotten first, so that
    // what is queued below is tracked as this process's own.
    runtime::with_runtime(|rt| rt.forked());
    // The parent's children are not this process's: their handles did
    // not cross (not transferable), and their waits stay the parent's.
    // Dropping them queues releases of ids that are stale here, which the
    // kernel answers with an error nobody waits for.
    s.children = Children::default();
    s.signals.forked();
    // The parent's signal waits are not this process's: the next wait
    // makes its own (the kernel copied the caught set, `declared`).
    s.signal_wait = None;
    s.kernel_wait = None;
    s.incoming = 0;
    s.parked_ready = None;
}
