//! ProcessForker: duplicates its caller (docs/interfaces/process-forker.md).
//! The kernel work is `Process::fork` (process/fork.rs); this object
//! checks the caller can be copied and answers both copies.

use alloc::format;
use alloc::sync::Arc;
use alloc::vec::Vec;

use capos_schema::ExceptionType;
use capos_schema::capos_capnp::process_forker;
use capos_schema::interface_id;

use super::process_handle::ProcessHandle;
use super::{
    CallCtx, CallError, CapObject, Params, Reply, check_cap_reply, encode, insert_cap_reply,
    new_message, set_result_cap,
};
use crate::process::{ExitCell, ForkError, Pid};

pub struct ProcessForker;

/// The results of a fork. The parent's carry the child's `pid` and the id
/// of its `handle`; the child's (`handle` None) carry its own pid.
fn encode_results(pid: Pid, handle: Option<u32>) -> Vec<u8> {
    let mut message = new_message();
    let mut results = message.init_root::<process_forker::fork_results::Builder>();
    results.set_pid(pid);
    results.set_in_child(handle.is_none());
    if let Some(id) = handle {
        set_result_cap(
            results.reborrow().init_handle(),
            id,
            interface_id::PROCESS_HANDLE,
        );
    }
    encode(&message)
}

fn refuse(reason: &str) -> CallError {
    CallError::Exception(ExceptionType::Failed, format!("fork refused: {reason}"))
}

impl ProcessForker {
    fn fork(&self, ctx: &mut CallCtx, params: &Params) -> Result<Reply, CallError> {
        let _: process_forker::fork_params::Reader = params.get_root()?;
        check_cap_reply(ctx, &|id| encode_results(u64::MAX, Some(id)))?;
        // The copy takes its registers and CPU state from the CPU: the
        // caller must be the process running (always so: the ring is only
        // drained in its own cap_enter).
        if ctx.kernel.current() != Some(ctx.caller) {
            return Err(refuse("the caller is not the running process"));
        }
        let caller = ctx.kernel.process(ctx.caller);
        // Both copies would see a call in flight complete, or an SQE
        // behind this one run: the child's copy of the runtime would wait
        // for completions that only the parent gets. Quiet waits (a
        // ProcessHandle's exit, readiness) are the exception: they change
        // nothing when they complete, so they stay the parent's, and the
        // child's runtime forgets them (capos-rt Runtime::forked).
        if caller.pending > 1 + caller.quiet_waits {
            return Err(refuse("the caller has other calls in flight"));
        }
        if crate::ring::sq_waiting(caller) != Ok(0) {
            return Err(refuse("submissions follow the fork in the ring"));
        }
        // The handle and the exit cell it shares with the child are the
        // parent's to pay for, as with spawn.
        let handle_charge =
            ctx.charge(size_of::<ProcessHandle>() + size_of::<ExitCell>() + 2 * 16)?;
        let (pid, exit) = ctx
            .kernel
            .fork(ctx.caller, ctx.call, |pid| encode_results(pid, None))
            .map_err(|e| match e {
                ForkError::Busy(why) => refuse(why),
                e => CallError::Exception(ExceptionType::Overloaded, format!("{e}")),
            })?;
        if ctx.kernel.manifest.audit_spawns {
            let parent = ctx.kernel.process(ctx.caller);
            crate::kprintln!(
                "kernel: audit: pid {} ({}) forked pid {pid}",
                parent.pid,
                parent.name
            );
        }
        insert_cap_reply(
            ctx,
            Arc::new(ProcessHandle {
                pid,
                exit,
                _charge: handle_charge,
            }),
            &|id| encode_results(pid, Some(id)),
        )
    }
}

impl CapObject for ProcessForker {
    fn interface_id(&self) -> u64 {
        interface_id::PROCESS_FORKER
    }

    fn call(&self, ctx: &mut CallCtx, method: u16, params: &Params) -> Result<Reply, CallError> {
        match method {
            0 => self.fork(ctx, params),
            _ => Err(CallError::InvalidMethod),
        }
    }
}
