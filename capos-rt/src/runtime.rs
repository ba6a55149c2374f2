//! What a program's `main` receives: its identity, its CapSet, its launch
//! parameters and the ring.

use crate::any_cap::AnyCap;
use crate::cap::Cap;
use crate::capset::{CapSet, LookupError};
use crate::client::{RingClient, SharedRing};
use crate::clients::Client;
use capos_abi::capset::CapSetEntry;
use capos_lib::launch::{Launch, Strings};
use core::cell::RefMut;

pub struct Runtime {
    pid: u64,
    capset: CapSet<'static>,
    launch: Launch<'static>,
    /// Bit `i` set: CapSet entry `i` has been taken. The CapSet holds at
    /// most 63 entries, so one word is enough.
    taken: u64,
    ring: SharedRing,
}

impl Runtime {
    /// The runtime of the process `pid` (start-up builds it; host tests
    /// build one over a simulated kernel).
    pub fn new(
        pid: u64,
        capset: CapSet<'static>,
        launch: Launch<'static>,
        ring: SharedRing,
    ) -> Self {
        Runtime {
            pid,
            capset,
            launch,
            taken: 0,
            ring,
        }
    }

    pub fn pid(&self) -> u64 {
        self.pid
    }

    /// This is a forked child's copy of the runtime (ProcessForker.fork
    /// returned `Forked::Child`): takes its own pid from its CapSet and
    /// forgets the parent's requests still in flight, whose completions
    /// only the parent gets.
    pub fn forked(&mut self) {
        self.pid = self.capset.pid();
        self.ring().forget_in_flight();
    }

    /// The pid of the process that spawned this one (0 for init).
    pub fn ppid(&self) -> u64 {
        self.capset.ppid()
    }

    pub fn capset(&self) -> &CapSet<'static> {
        &self.capset
    }

    /// The launch parameters, as the kernel passed them.
    pub fn launch(&self) -> Launch<'static> {
        self.launch
    }

    /// The arguments the process was started with (bytes, not necessarily
    /// UTF-8); the first is conventionally the program's name.
    pub fn args(&self) -> Strings<'static> {
        self.launch.argv()
    }

    /// The environment, as `KEY=VALUE` entries.
    pub fn env(&self) -> Strings<'static> {
        self.launch.env()
    }

    /// The value of the environment variable `key`, if set.
    pub fn var(&self, key: &str) -> Option<&'static [u8]> {
        self.launch.var(key.as_bytes())
    }

    /// Takes ownership of the capability called `name`, as a typed client.
    /// Each capability can be taken once, because its owner releases it on
    /// drop; the interface must be the client's.
    pub fn take<C: Client>(&mut self, name: &str) -> Result<C, LookupError> {
        let (index, entry) = self.capset.lookup(name, C::INTERFACE_ID)?;
        Ok(C::from_cap(self.claim(index, entry)?))
    }

    /// Takes ownership of the capability called `name`, whatever its
    /// interface: for capabilities passed on without being used, such as
    /// init's grants to the services it starts.
    pub fn take_any(&mut self, name: &str) -> Result<AnyCap, LookupError> {
        let (index, entry) = self.capset.find(name)?;
        Ok(AnyCap::new(self.claim(index, entry)?, entry.interface_id))
    }

    /// Marks entry `index` taken and owns its capability.
    fn claim(&mut self, index: usize, entry: &CapSetEntry) -> Result<Cap, LookupError> {
        let bit = 1u64 << index;
        if self.taken & bit != 0 {
            return Err(LookupError::AlreadyTaken);
        }
        self.taken |= bit;
        Ok(Cap::new(entry.cap_id, self.ring.clone()))
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
    use capos_abi::capset::{CAPSET_MAGIC, CAPSET_VERSION, CapSetHeader};
    use capos_lib::launch;
    use capos_schema::interface_id;

    #[repr(C)]
    struct Page {
        header: CapSetHeader,
        entries: [CapSetEntry; 2],
    }

    /// A runtime with "console" and "timer", started as `echo -n` with
    /// HOME=/.
    fn runtime() -> Runtime {
        let page = Box::leak(Box::new(Page {
            header: CapSetHeader {
                magic: CAPSET_MAGIC,
                version: CAPSET_VERSION,
                count: 2,
                ..CapSetHeader::default()
            },
            entries: [
                CapSetEntry::new("console", 0x1_0000, interface_id::CONSOLE).unwrap(),
                CapSetEntry::new("timer", 0x1_0001, interface_id::TIMER).unwrap(),
            ],
        }));
        // SAFETY: the page is leaked, so it lives for 'static.
        let capset = unsafe { CapSet::from_ptr(&page.header) }.unwrap();
        let encoded = launch::encode(&[b"echo", b"-n"], &[b"HOME=/", b"EMPTY="]).unwrap();
        let launch = launch::decode(Box::leak(encoded.into_boxed_slice())).unwrap();
        let (ring, _log) = shared_ring(|_, _| Outcome::Reply(alloc::vec![]));
        Runtime::new(3, capset, launch, ring)
    }

    #[test]
    fn launch_parameters_are_read_back() {
        let rt = runtime();
        let args: alloc::vec::Vec<_> = rt.args().iter().collect();
        assert_eq!(args, [&b"echo"[..], b"-n"]);
        assert_eq!(rt.env().len(), 2);
        assert_eq!(rt.var("HOME"), Some(&b"/"[..]));
        assert_eq!(rt.var("EMPTY"), Some(&b""[..]));
        assert_eq!(rt.var("PATH"), None);
        assert_eq!(rt.launch().argv().len(), 2);
    }

    #[test]
    fn any_capability_is_taken_once_with_its_interface() {
        let mut rt = runtime();
        let timer = rt.take_any("timer").unwrap();
        assert_eq!(timer.interface_id(), interface_id::TIMER);
        assert_eq!(timer.cap().id(), 0x1_0001);
        assert!(matches!(
            rt.take::<Timer>("timer"),
            Err(LookupError::AlreadyTaken)
        ));
        assert!(matches!(rt.take_any("nic"), Err(LookupError::NotFound)));
    }

    #[test]
    fn capabilities_are_taken_once_with_their_interface() {
        let mut rt = runtime();
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
