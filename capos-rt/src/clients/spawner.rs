//! ProcessSpawner: starts processes from binaries in the boot manifest.

use super::{Client, ProcessHandle};
use crate::any_cap::AnyCap;
use crate::cap::Cap;
use crate::error::Error;
use capos_schema::capos_capnp::QuotaShare;
use capos_schema::{interface_id, process_spawner};

/// Schema ordinals of ProcessSpawner's methods.
const SPAWN: u16 = 0;
const RESTRICT: u16 = 1;

/// One capability to hand to a child, under the name it will have in the
/// child's CapSet. The parent keeps its own copy.
pub struct Grant<'a> {
    pub name: &'a str,
    pub cap: &'a Cap,
}

impl<'a> Grant<'a> {
    pub fn new(name: &'a str, client: &'a impl Client) -> Self {
        Grant {
            name,
            cap: client.cap(),
        }
    }
}

/// A child's quotas (docs/architecture/resource-limits.md), carved out of
/// the spawner's own; a zero takes the kernel's default.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Limits {
    /// Kernel heap held on the child's behalf.
    pub kernel_bytes: u64,
    /// Physical memory: the child's pages and page tables.
    pub memory_bytes: u64,
}

/// How a spawn sizes the child's quotas ([`ProcessSpawner::spawn_shared`];
/// docs/architecture/resource-limits.md, "Sizing a child").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Share {
    /// Half of what the caller has not used, carved out of it: a child
    /// that runs beside its parent (posix_spawn).
    Half,
    /// No account of its own: the child shares the caller's, as a fork
    /// does. For a caller that only waits for the child (execve).
    JoinCaller,
}

/// A spawned process: the handle to wait on it, and its pid.
pub struct Child {
    pub handle: ProcessHandle,
    pub pid: u64,
}

super::client!(ProcessSpawner, interface_id::PROCESS_SPAWNER);

impl ProcessSpawner {
    /// Starts `binary` as a process called `name` with `grants` and no
    /// arguments or environment, and returns the handle to wait on it.
    pub fn spawn(
        &self,
        name: &str,
        binary: &str,
        grants: &[Grant<'_>],
    ) -> Result<ProcessHandle, Error> {
        self.spawn_with(name, binary, grants, &[], &[])
    }

    /// [`ProcessSpawner::spawn`] with `argv` and `env` (`KEY=VALUE`
    /// entries), which the child finds in its launch region.
    pub fn spawn_with(
        &self,
        name: &str,
        binary: &str,
        grants: &[Grant<'_>],
        argv: &[&str],
        env: &[&str],
    ) -> Result<ProcessHandle, Error> {
        self.spawn_limited(name, binary, grants, argv, env, Limits::default())
    }

    /// [`ProcessSpawner::spawn_with`] with the child's quotas.
    pub fn spawn_limited(
        &self,
        name: &str,
        binary: &str,
        grants: &[Grant<'_>],
        argv: &[&str],
        env: &[&str],
        limits: Limits,
    ) -> Result<ProcessHandle, Error> {
        self.spawn_child(name, binary, grants, argv, env, limits)
            .map(|child| child.handle)
    }

    /// [`ProcessSpawner::spawn_limited`], returning the child's pid too.
    pub fn spawn_child(
        &self,
        name: &str,
        binary: &str,
        grants: &[Grant<'_>],
        argv: &[&str],
        env: &[&str],
        limits: Limits,
    ) -> Result<Child, Error> {
        self.spawn_call(
            name,
            binary,
            grants,
            argv,
            env,
            limits,
            QuotaShare::Defaults,
        )
    }

    /// [`ProcessSpawner::spawn_child`] with quotas sized by `share`
    /// rather than given.
    pub fn spawn_shared(
        &self,
        name: &str,
        binary: &str,
        grants: &[Grant<'_>],
        argv: &[&str],
        env: &[&str],
        share: Share,
    ) -> Result<Child, Error> {
        let share = match share {
            Share::Half => QuotaShare::Half,
            Share::JoinCaller => QuotaShare::JoinCaller,
        };
        self.spawn_call(name, binary, grants, argv, env, Limits::default(), share)
    }

    #[allow(clippy::too_many_arguments)]
    fn spawn_call(
        &self,
        name: &str,
        binary: &str,
        grants: &[Grant<'_>],
        argv: &[&str],
        env: &[&str],
        limits: Limits,
        share: QuotaShare,
    ) -> Result<Child, Error> {
        let ring = self.cap.ring();
        self.cap
            .call::<process_spawner::spawn_params::Owned>(Self::INTERFACE_ID, SPAWN, |mut p| {
                p.set_name(name);
                p.set_binary(binary);
                let mut list = p.reborrow().init_grants(grants.len() as u32);
                for (i, grant) in grants.iter().enumerate() {
                    let mut entry = list.reborrow().get(i as u32);
                    entry.set_name(grant.name);
                    entry.set_cap_id(grant.cap.id());
                }
                let mut list = p.reborrow().init_argv(argv.len() as u32);
                for (i, arg) in argv.iter().enumerate() {
                    list.set(i as u32, *arg);
                }
                let mut list = p.reborrow().init_env(env.len() as u32);
                for (i, entry) in env.iter().enumerate() {
                    list.set(i as u32, *entry);
                }
                let mut quotas = p.init_limits();
                quotas.set_kernel_bytes(limits.kernel_bytes);
                quotas.set_memory_bytes(limits.memory_bytes);
                quotas.set_share(share);
            })?
            .read::<process_spawner::spawn_results::Owned, _>(|r| {
                Ok((AnyCap::from_result(ring, r.get_handle()?), r.get_pid()))
            })
            .and_then(|(handle, pid)| {
                Ok(Child {
                    handle: handle
                        .expect("spawn returned a capability that is not a ProcessHandle")?,
                    pid,
                })
            })
    }

    /// A spawner that can start only `binaries` (and only those this one
    /// can start), to hand to a process that must not start anything else.
    pub fn restrict(&self, binaries: &[&str]) -> Result<ProcessSpawner, Error> {
        let ring = self.cap.ring();
        self.cap
            .call::<process_spawner::restrict_params::Owned>(Self::INTERFACE_ID, RESTRICT, |p| {
                let mut list = p.init_binaries(binaries.len() as u32);
                for (i, binary) in binaries.iter().enumerate() {
                    list.set(i as u32, *binary);
                }
            })?
            .read::<process_spawner::restrict_results::Owned, _>(|r| {
                Ok(AnyCap::from_result(ring, r.get_spawner()?))
            })?
            .expect("restrict returned a capability that is not a ProcessSpawner")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clients::{Console, ExitStatus, Fault};
    use crate::error::DecodeError;
    use crate::message;
    use crate::test_kernel::{Outcome, shared_ring};
    use capos_abi::ring::Sqe;
    use capos_schema::{ExceptionType, FaultKind, cap_exception, process_handle};

    const HANDLE_ID: u32 = 0x1_0009;

    /// Spawns "worker" only; its handle reports a page fault.
    fn kernel(handle_interface: u64) -> impl FnMut(&Sqe, &[u8]) -> Outcome {
        move |sqe, params| {
            if sqe.interface_id == interface_id::PROCESS_HANDLE {
                let words = message::build::<process_handle::wait_results::Owned>(|r| {
                    let mut fault = r.init_status().init_faulted();
                    fault.set_kind(FaultKind::PageFault);
                    fault.set_rip(0x40_1000);
                    fault.set_addr(0x10);
                });
                return Outcome::Later(1, message::as_bytes(&words).to_vec());
            }
            let msg = message::read(params).unwrap();
            let p: process_spawner::spawn_params::Reader = msg.get_root().unwrap();
            if p.get_binary().unwrap() != "worker" {
                let words = message::build::<cap_exception::Owned>(|mut e| {
                    e.set_type(ExceptionType::Failed);
                    e.set_reason("no such binary");
                });
                return Outcome::Exception(message::as_bytes(&words).to_vec());
            }
            let grants = p.get_grants().unwrap();
            assert_eq!(grants.len(), 1);
            assert_eq!(grants.get(0).get_name().unwrap(), "log");
            assert_eq!(grants.get(0).get_cap_id(), 0x1_0000);
            let words = message::build::<process_spawner::spawn_results::Owned>(|r| {
                let mut handle = r.init_handle();
                handle.set_cap_id(HANDLE_ID);
                handle.set_interface_id(handle_interface);
            });
            Outcome::Reply(message::as_bytes(&words).to_vec())
        }
    }

    #[test]
    fn spawn_passes_grants_and_wait_reports_the_fault() {
        let (ring, _log) = shared_ring(kernel(interface_id::PROCESS_HANDLE));
        let console = Console::from_cap(Cap::new(0x1_0000, ring.clone()));
        let spawner = ProcessSpawner::from_cap(Cap::new(0x1_0002, ring));
        let grants = [Grant::new("log", &console)];
        let handle = spawner.spawn("w", "worker", &grants).unwrap();
        assert_eq!(handle.cap().id(), HANDLE_ID);
        let status = handle.wait().unwrap();
        let fault = Fault {
            kind: FaultKind::PageFault,
            rip: 0x40_1000,
            addr: 0x10,
        };
        assert_eq!(status, ExitStatus::Faulted(fault));
        assert_eq!(
            alloc::format!("{status}"),
            "faulted: page fault at rip=0x401000 addr=0x10"
        );
        assert_eq!(alloc::format!("{}", ExitStatus::Exited(0)), "exited 0");
        let pending = handle.wait_async().unwrap();
        assert!(!pending.is_complete());
        let reply = pending.wait().unwrap();
        assert_eq!(
            ExitStatus::from_reply(&reply),
            Ok(ExitStatus::Faulted(fault))
        );
    }

    #[test]
    fn refused_spawns_and_foreign_caps_are_errors() {
        let (ring, log) = shared_ring(kernel(interface_id::TIMER));
        let spawner = ProcessSpawner::from_cap(Cap::new(0x1_0002, ring.clone()));
        let err = spawner.spawn("m", "missing", &[]).err().unwrap();
        assert!(matches!(
            err,
            Error::Application {
                kind: ExceptionType::Failed,
                ..
            }
        ));
        let console = Console::from_cap(Cap::new(0x1_0000, ring.clone()));
        let err = spawner.spawn("w", "worker", &[Grant::new("log", &console)]);
        assert!(matches!(err, Err(Error::Decode(DecodeError::Contract(_)))));
        // The unexpected capability is released, not leaked.
        ring.borrow_mut().flush().unwrap();
        assert_eq!(log.borrow().released, [HANDLE_ID]);
    }

    #[test]
    fn argv_env_and_allowlists_reach_the_kernel() {
        let (ring, log) = shared_ring(|sqe, params| {
            let msg = message::read(params).unwrap();
            let words = if sqe.method_id == RESTRICT {
                let p: process_spawner::restrict_params::Reader = msg.get_root().unwrap();
                let binaries = p.get_binaries().unwrap();
                assert_eq!(binaries.len(), 2);
                assert_eq!(binaries.get(1).unwrap(), "echo");
                message::build::<process_spawner::restrict_results::Owned>(|r| {
                    let mut spawner = r.init_spawner();
                    spawner.set_cap_id(0x1_000a);
                    spawner.set_interface_id(interface_id::PROCESS_SPAWNER);
                })
            } else {
                let p: process_spawner::spawn_params::Reader = msg.get_root().unwrap();
                let argv = p.get_argv().unwrap();
                let env = p.get_env().unwrap();
                assert_eq!((argv.len(), env.len()), (2, 1));
                assert_eq!(argv.get(1).unwrap(), "--verbose");
                assert_eq!(env.get(0).unwrap(), "HOME=/");
                message::build::<process_spawner::spawn_results::Owned>(|r| {
                    let mut handle = r.init_handle();
                    handle.set_cap_id(HANDLE_ID);
                    handle.set_interface_id(interface_id::PROCESS_HANDLE);
                })
            };
            Outcome::Reply(message::as_bytes(&words).to_vec())
        });
        let spawner = ProcessSpawner::from_cap(Cap::new(0x1_0002, ring));
        let narrow = spawner.restrict(&["worker", "echo"]).unwrap();
        assert_eq!(narrow.cap().id(), 0x1_000a);
        let handle = narrow
            .spawn_with("w", "worker", &[], &["worker", "--verbose"], &["HOME=/"])
            .unwrap();
        assert_eq!(handle.cap().id(), HANDLE_ID);
        assert_eq!(log.borrow().calls[1].0.cap_id, 0x1_000a);
    }
}
