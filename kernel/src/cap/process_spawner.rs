//! ProcessSpawner: starts a process from a binary of the boot manifest with
//! capabilities copied from the caller's table, argv and environment, and
//! hands back its handle. A spawner may be narrowed to an allowlist of
//! binaries; a narrowed spawner can only narrow further.

use alloc::format;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt::Write;

use capnp::text_list;
use capos_abi::capset::{MAX_CAP_NAME, MAX_CAPSET_ENTRIES};
use capos_abi::layout::PAGE_SIZE;
use capos_abi::limits::{DEFAULT_KERNEL_BYTES, DEFAULT_MEMORY_BYTES};
use capos_lib::account::{Account, Charge, Resource};
use capos_schema::ExceptionType;
use capos_schema::capos_capnp::{QuotaShare, process_spawner};
use capos_schema::interface_id;

use super::process_handle::ProcessHandle;
use super::{
    ALLOC_SLACK, CallCtx, CallError, CapObject, CapRef, Params, Reply, check_cap_reply, encode,
    insert_cap_reply, new_message, set_result_cap,
};
use crate::process::{ExitCell, Grant};

pub struct ProcessSpawner {
    /// The binaries this spawner may start; `None` means all of them.
    allowed: Option<Vec<String>>,
    /// A narrowed spawner is paid for by whoever narrowed it.
    _charge: Option<Charge>,
}

impl ProcessSpawner {
    pub fn unrestricted() -> Self {
        ProcessSpawner {
            allowed: None,
            _charge: None,
        }
    }

    fn allows(&self, binary: &str) -> bool {
        self.allowed
            .as_ref()
            .is_none_or(|list| list.iter().any(|b| b == binary))
    }
}

fn refuse(reason: String) -> CallError {
    CallError::Exception(ExceptionType::Failed, reason)
}

/// "name=Interface, ..." for the audit line: what crosses into a child.
fn audit_grants(grants: &[Grant]) -> String {
    if grants.is_empty() {
        return "no capabilities".into();
    }
    let mut line = String::new();
    for (i, g) in grants.iter().enumerate() {
        let sep = if i == 0 { "" } else { ", " };
        let _ = write!(line, "{sep}{}=", g.name);
        // An Endpoint's client facet carries the interface its server speaks.
        if g.object.endpoint_client().is_some() {
            line.push_str("Endpoint client of ");
        }
        let _ = match interface_id::name(g.interface_id) {
            Some(iface) => write!(line, "{iface}"),
            None => write!(line, "{:#x}", g.interface_id),
        };
    }
    line
}

fn texts<'a>(list: text_list::Reader<'a>) -> Result<Vec<&'a [u8]>, CallError> {
    list.iter().map(|t| Ok(t?.as_bytes())).collect()
}

fn encode_handle(id: u32, pid: u64) -> Vec<u8> {
    let mut message = new_message();
    let mut results = message.init_root::<process_spawner::spawn_results::Builder>();
    results.set_pid(pid);
    set_result_cap(results.init_handle(), id, interface_id::PROCESS_HANDLE);
    encode(&message)
}

fn encode_spawner(id: u32) -> Vec<u8> {
    let mut message = new_message();
    let results = message.init_root::<process_spawner::restrict_results::Builder>();
    set_result_cap(results.init_spawner(), id, interface_id::PROCESS_SPAWNER);
    encode(&message)
}

/// The membership a spawn took in its caller's account
/// ([`QuotaShare::JoinCaller`]); given back if the spawn fails (a child
/// that starts closes it at exit).
struct Membership(Option<Arc<Account>>);

impl Drop for Membership {
    fn drop(&mut self) {
        if let Some(account) = self.0.take() {
            account.close();
        }
    }
}

impl ProcessSpawner {
    fn spawn(&self, ctx: &mut CallCtx, params: &Params) -> Result<Reply, CallError> {
        let p: process_spawner::spawn_params::Reader = params.get_root()?;
        let name = p.get_name()?.to_str()?;
        let binary = p.get_binary()?.to_str()?;
        let requested = p.get_grants()?;
        let argv = texts(p.get_argv()?)?;
        let env = texts(p.get_env()?)?;

        if name.is_empty() || name.len() > MAX_CAP_NAME {
            return Err(refuse(format!(
                "process name must be 1..={MAX_CAP_NAME} bytes"
            )));
        }
        let elf =
            ctx.kernel.manifest.binary(binary).ok_or_else(|| {
                refuse(format!("no binary named {binary:?} in the boot manifest"))
            })?;
        if !self.allows(binary) {
            return Err(refuse(format!(
                "binary {binary:?} is outside this spawner's allowlist"
            )));
        }
        let launch =
            capos_lib::launch::encode(&argv, &env).map_err(|e| refuse(format!("argv/env: {e}")))?;
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
        let limits = p.get_limits()?;
        let share = limits
            .get_share()
            .map_err(|_| refuse("limits: unknown quota share".into()))?;
        let sizes = (limits.get_kernel_bytes(), limits.get_memory_bytes());
        if share == QuotaShare::JoinCaller && sizes != (0, 0) {
            return Err(refuse(
                "limits: a child that joins the caller's account takes no sizes of its own".into(),
            ));
        }
        // The largest pid encodes no longer than any other.
        check_cap_reply(ctx, &|id| encode_handle(id, u64::MAX))?;
        // The handle, and the exit cell it shares with the child, are the
        // caller's to pay for; the child's quotas are carved from the
        // caller's (or, joining, are the caller's).
        let handle_charge =
            ctx.charge(size_of::<ProcessHandle>() + size_of::<ExitCell>() + 2 * 16)?;
        let overloaded = |e: &dyn core::fmt::Display| {
            CallError::Exception(ExceptionType::Overloaded, format!("spawn {name:?}: {e}"))
        };
        let caller_account = ctx.kernel.process(ctx.caller).account.clone();
        let account = match share {
            QuotaShare::JoinCaller => caller_account.join(),
            QuotaShare::Defaults | QuotaShare::Half => {
                let half = share == QuotaShare::Half;
                let kernel_bytes = match sizes.0 {
                    0 if half => caller_account.spare(Resource::KernelHeap) / 2,
                    0 => DEFAULT_KERNEL_BYTES,
                    n => n,
                };
                let memory_pages = match sizes.1 {
                    0 if half => caller_account.spare(Resource::Frames) / 2,
                    0 => DEFAULT_MEMORY_BYTES.div_ceil(PAGE_SIZE),
                    n => n.div_ceil(PAGE_SIZE),
                };
                Account::child(&caller_account, kernel_bytes, memory_pages).map_err(|e| {
                    overloaded(&format_args!(
                        "the caller's quotas cannot cover the child's: {e}"
                    ))
                })?
            }
        };
        // A joined account counts the child as a member from here on; a
        // spawn that fails gives the membership back.
        let mut membership = Membership((share == QuotaShare::JoinCaller).then(|| account.clone()));
        let audit = ctx
            .kernel
            .manifest
            .audit_spawns
            .then(|| audit_grants(&grants));
        let (pid, exit) = ctx
            .kernel
            .spawn(name, elf, grants, &launch, account, ctx.caller)
            .map_err(|e| overloaded(&e))?;
        // The child holds the membership now.
        membership.0 = None;
        if let Some(granted) = audit {
            let parent = ctx.kernel.process(ctx.caller);
            crate::kprintln!(
                "kernel: audit: pid {} ({}) spawned pid {pid} ({name}) from binary {binary:?} with {granted}",
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
            &|id| encode_handle(id, pid),
        )
    }

    fn restrict(&self, ctx: &mut CallCtx, params: &Params) -> Result<Reply, CallError> {
        let p: process_spawner::restrict_params::Reader = params.get_root()?;
        let mut allowed = Vec::new();
        for b in p.get_binaries()? {
            let b = b?.to_str()?;
            if ctx.kernel.manifest.binary(b).is_none() {
                return Err(refuse(format!(
                    "no binary named {b:?} in the boot manifest"
                )));
            }
            if !self.allows(b) {
                return Err(refuse(format!(
                    "binary {b:?} is outside this spawner's allowlist"
                )));
            }
            allowed.push(b.into());
        }
        check_cap_reply(ctx, &encode_spawner)?;
        let names: usize = allowed.iter().map(|b: &String| b.len() + ALLOC_SLACK).sum();
        let charge = ctx.charge(
            size_of::<ProcessSpawner>() + 16 + allowed.capacity() * size_of::<String>() + names,
        )?;
        let narrowed: CapRef = Arc::new(ProcessSpawner {
            allowed: Some(allowed),
            _charge: Some(charge),
        });
        insert_cap_reply(ctx, narrowed, &encode_spawner)
    }
}

impl CapObject for ProcessSpawner {
    fn interface_id(&self) -> u64 {
        interface_id::PROCESS_SPAWNER
    }

    fn call(&self, ctx: &mut CallCtx, method: u16, params: &Params) -> Result<Reply, CallError> {
        match method {
            0 => self.spawn(ctx, params),
            1 => self.restrict(ctx, params),
            _ => Err(CallError::InvalidMethod),
        }
    }
}
