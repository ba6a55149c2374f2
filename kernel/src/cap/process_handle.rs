//! ProcessHandle: waits for a spawned process to end. Not transferable: the
//! right to observe a child stays with whoever spawned it.

use alloc::sync::Arc;

use capos_lib::account::Charge;
use capos_schema::capos_capnp::process_handle;
use capos_schema::interface_id;

use super::{CallCtx, CallError, CapObject, Params, Reply, Wait, empty_reply, encode, new_message};
use crate::process::{ExitCell, ExitStatus, Pid};

pub struct ProcessHandle {
    /// The process it names (pids are never reused).
    pub pid: Pid,
    pub exit: Arc<ExitCell>,
    /// The spawner pays for the handle and the exit cell.
    pub _charge: Charge,
}

impl CapObject for ProcessHandle {
    fn interface_id(&self) -> u64 {
        interface_id::PROCESS_HANDLE
    }

    fn transferable(&self) -> bool {
        false
    }

    fn call(&self, ctx: &mut CallCtx, method: u16, params: &Params) -> Result<Reply, CallError> {
        match method {
            0 => {
                let _: process_handle::wait_params::Reader = params.get_root()?;
                Ok(match self.exit.status() {
                    Some(status) => Reply::Done(encode_status(status)),
                    None => Reply::Pending(Wait::Exit(self.exit.clone())),
                })
            }
            1 => {
                let p: process_handle::signal_params::Reader = params.get_root()?;
                let sig = p.get_signal();
                // An ended process takes no signals, and no error either
                // (Linux: kill to a zombie succeeds).
                if self.exit.status().is_some() {
                    return Ok(empty_reply());
                }
                // A handle never reaches its holder (it does not cross a
                // fork); were it to, ending the caller mid-call is refused.
                if self.pid == ctx.caller {
                    return Err(CallError::Exception(
                        capos_schema::ExceptionType::Failed,
                        "signal: a process cannot signal itself through a handle".into(),
                    ));
                }
                ctx.kernel.post_signal(self.pid, sig).map_err(|_| {
                    CallError::Exception(
                        capos_schema::ExceptionType::Failed,
                        alloc::format!("signal: {sig} is not a signal number (1 to 64)"),
                    )
                })?;
                Ok(empty_reply())
            }
            _ => Err(CallError::InvalidMethod),
        }
    }
}

/// The `wait` results for `status`.
pub fn encode_status(status: ExitStatus) -> alloc::vec::Vec<u8> {
    let mut message = new_message();
    let results = message.init_root::<process_handle::wait_results::Builder>();
    let mut s = results.init_status();
    match status {
        ExitStatus::Exited(code) => s.set_exited(code),
        ExitStatus::Faulted { kind, rip, addr } => {
            let mut f = s.init_faulted();
            f.set_kind(kind);
            f.set_rip(rip);
            f.set_addr(addr);
        }
        ExitStatus::Signaled(sig) => s.set_signaled(sig),
    }
    encode(&message)
}
