//! ProcessSpawner: starts processes from binaries in the boot manifest.

use super::{Client, ProcessHandle};
use crate::cap::Cap;
use crate::error::{DecodeError, Error};
use capos_schema::{interface_id, process_spawner};

/// Schema ordinal of `spawn`.
const SPAWN: u16 = 0;

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

super::client!(ProcessSpawner, interface_id::PROCESS_SPAWNER);

impl ProcessSpawner {
    /// Starts `binary` as a process called `name` with `grants`, and
    /// returns the handle to wait on it.
    pub fn spawn(
        &self,
        name: &str,
        binary: &str,
        grants: &[Grant<'_>],
    ) -> Result<ProcessHandle, Error> {
        let reply = self.cap.call::<process_spawner::spawn_params::Owned>(
            Self::INTERFACE_ID,
            SPAWN,
            |mut p| {
                p.set_name(name);
                p.set_binary(binary);
                let mut list = p.init_grants(grants.len() as u32);
                for (i, grant) in grants.iter().enumerate() {
                    let mut entry = list.reborrow().get(i as u32);
                    entry.set_name(grant.name);
                    entry.set_cap_id(grant.cap.id());
                }
            },
        )?;
        let (cap_id, interface) = reply.read::<process_spawner::spawn_results::Owned, _>(|r| {
            let handle = r.get_handle()?;
            Ok((handle.get_cap_id(), handle.get_interface_id()))
        })?;
        // Owned from here on, so it is released even if it is not a handle.
        let cap = Cap::new(cap_id, self.cap.ring().clone());
        if interface != interface_id::PROCESS_HANDLE {
            return Err(Error::Decode(DecodeError::Contract(
                "spawn returned a capability that is not a ProcessHandle",
            )));
        }
        Ok(ProcessHandle::from_cap(cap))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clients::{Console, ExitStatus, Fault};
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
}
