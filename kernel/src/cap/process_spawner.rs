//! ProcessSpawner: starts a process from a binary of the boot manifest with
//! capabilities copied from the caller's table, and hands back its handle.

use alloc::format;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;

use capnp::message::Builder;
use capos_abi::capset::{MAX_CAP_NAME, MAX_CAPSET_ENTRIES};
use capos_schema::capos_capnp::ExceptionType;
use capos_schema::capos_capnp::process_spawner;
use capos_schema::interface_id;

use super::process_handle::ProcessHandle;
use super::{CallCtx, CallError, CapObject, CapRef, Params, Reply, encode};
use crate::process::Grant;

pub struct ProcessSpawner;

fn refuse(reason: String) -> CallError {
    CallError::Exception(ExceptionType::Failed, reason)
}

impl CapObject for ProcessSpawner {
    fn interface_id(&self) -> u64 {
        interface_id::PROCESS_SPAWNER
    }

    fn call(&self, ctx: &mut CallCtx, method: u16, params: &Params) -> Result<Reply, CallError> {
        if method != 0 {
            return Err(CallError::InvalidMethod);
        }
        let p: process_spawner::spawn_params::Reader = params.get_root()?;
        let name = p.get_name()?.to_str()?;
        let binary = p.get_binary()?.to_str()?;
        let requested = p.get_grants()?;

        if name.is_empty() || name.len() > MAX_CAP_NAME {
            return Err(refuse(format!(
                "process name must be 1..={MAX_CAP_NAME} bytes"
            )));
        }
        let elf =
            ctx.kernel.manifest.binary(binary).ok_or_else(|| {
                refuse(format!("no binary named {binary:?} in the boot manifest"))
            })?;
        if requested.len() as usize > MAX_CAPSET_ENTRIES {
            return Err(refuse(format!("more than {MAX_CAPSET_ENTRIES} grants")));
        }
        let caller = ctx.kernel.process(ctx.caller);
        let mut grants: Vec<Grant> = Vec::new();
        for g in requested {
            let gname = g.get_name()?.to_str()?;
            if gname.is_empty() || gname.len() > MAX_CAP_NAME {
                return Err(refuse(format!(
                    "grant name {gname:?} must be 1..={MAX_CAP_NAME} bytes"
                )));
            }
            if grants.iter().any(|x| x.name == gname) {
                return Err(refuse(format!("grant name {gname:?} appears twice")));
            }
            let entry = caller.caps.get(g.get_cap_id()).map_err(|_| {
                refuse(format!(
                    "grant {gname:?}: capability {:#x} is not held",
                    g.get_cap_id()
                ))
            })?;
            if !entry.object.transferable() {
                return Err(refuse(format!(
                    "grant {gname:?}: capability is not transferable"
                )));
            }
            grants.push(Grant {
                name: gname.into(),
                object: entry.object.clone(),
                interface_id: entry.interface_id,
            });
        }
        if caller.caps.len() >= crate::process::CAP_TABLE_LIMIT {
            return Err(CallError::Exception(
                ExceptionType::Overloaded,
                "caller's capability table is full".into(),
            ));
        }

        // Refuse before the child exists: a result that cannot be delivered
        // would leave a running process whose handle the caller never learns.
        let needed = encode_handle(0).len();
        if needed > ctx.result_capacity as usize {
            return Err(CallError::ResultTooSmall(needed));
        }
        let child = ctx.kernel.spawn(name, elf, grants).map_err(|e| {
            CallError::Exception(ExceptionType::Overloaded, format!("spawn {name:?}: {e}"))
        })?;
        let handle: CapRef = Arc::new(ProcessHandle { exit: child });
        let cap_id = ctx
            .kernel
            .process(ctx.caller)
            .caps
            .insert(handle, interface_id::PROCESS_HANDLE)
            .map_err(|_| {
                CallError::Exception(ExceptionType::Overloaded, "capability table full".into())
            })?;

        Ok(Reply::Done(encode_handle(cap_id)))
    }
}

/// The spawn results naming the new handle. Its size does not depend on the id.
fn encode_handle(cap_id: u32) -> alloc::vec::Vec<u8> {
    let mut message = Builder::new_default();
    let mut h = message
        .init_root::<process_spawner::spawn_results::Builder>()
        .init_handle();
    h.set_cap_id(cap_id);
    h.set_interface_id(interface_id::PROCESS_HANDLE);
    encode(&message)
}
