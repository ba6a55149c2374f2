//! What a program's `main` receives: its identity, its CapSet and the ring.

use crate::cap::Cap;
use crate::capset::{CapSet, LookupError};
use crate::client::{RingClient, SharedRing};
use crate::clients::Client;
use core::cell::RefMut;

pub struct Runtime {
    pid: u64,
    capset: CapSet<'static>,
    /// Bit `i` set: CapSet entry `i` has been taken. The CapSet holds at
    /// most 63 entries, so one word is enough.
    taken: u64,
    ring: SharedRing,
}

impl Runtime {
    /// The runtime of the process `pid` (start-up builds it; host tests
    /// build one over a simulated kernel).
    pub fn new(pid: u64, capset: CapSet<'static>, ring: SharedRing) -> Self {
        Runtime {
            pid,
            capset,
            taken: 0,
            ring,
        }
    }

    pub fn pid(&self) -> u64 {
        self.pid
    }

    pub fn capset(&self) -> &CapSet<'static> {
        &self.capset
    }

    /// Takes ownership of the capability called `name`, as a typed client.
    /// Each capability can be taken once, because its owner releases it on
    /// drop; the interface must be the client's.
    pub fn take<C: Client>(&mut self, name: &str) -> Result<C, LookupError> {
        let (index, entry) = self.capset.lookup(name, C::INTERFACE_ID)?;
        let bit = 1u64 << index;
        if self.taken & bit != 0 {
            return Err(LookupError::AlreadyTaken);
        }
        self.taken |= bit;
        Ok(C::from_cap(Cap::new(entry.cap_id, self.ring.clone())))
    }

    /// The ring client, for requests no typed client makes (raw SQEs, NOP
    /// batches, explicit waits). Drop the borrow before using any client.
    pub fn ring(&self) -> RefMut<'_, RingClient> {
        self.ring.borrow_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clients::{Console, Timer};
    use crate::test_kernel::{Outcome, shared_ring};
    use alloc::boxed::Box;
    use capos_abi::capset::{CAPSET_MAGIC, CAPSET_VERSION, CapSetEntry, CapSetHeader};
    use capos_schema::interface_id;

    #[repr(C)]
    struct Page {
        header: CapSetHeader,
        entries: [CapSetEntry; 1],
    }

    #[test]
    fn capabilities_are_taken_once_with_their_interface() {
        let page = Box::leak(Box::new(Page {
            header: CapSetHeader {
                magic: CAPSET_MAGIC,
                version: CAPSET_VERSION,
                count: 1,
                ..CapSetHeader::default()
            },
            entries: [CapSetEntry::new("console", 0x1_0000, interface_id::CONSOLE).unwrap()],
        }));
        // SAFETY: the page is leaked, so it lives for 'static.
        let capset = unsafe { CapSet::from_ptr(&page.header) }.unwrap();
        let (ring, _log) = shared_ring(|_, _| Outcome::Reply(alloc::vec![]));
        let mut rt = Runtime::new(3, capset, ring);
        assert!(matches!(
            rt.take::<Timer>("console"),
            Err(LookupError::WrongInterface { .. })
        ));
        let console = rt.take::<Console>("console").unwrap();
        assert_eq!(console.cap().id(), 0x1_0000);
        assert!(matches!(
            rt.take::<Console>("console"),
            Err(LookupError::AlreadyTaken)
        ));
        assert!(matches!(
            rt.take::<Console>("log"),
            Err(LookupError::NotFound)
        ));
    }
}
