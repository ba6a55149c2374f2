//! A simulated process for host tests: capos-rt's simulated kernel (ring
//! memory and a `cap_enter` that follows the kernel's contract, each test
//! supplying what the methods do) plus a CapSet page and launch region.

use crate::state::State;
use alloc::boxed::Box;
use alloc::rc::Rc;
use alloc::vec::Vec;
use capos_abi::capset::{
    CAPSET_MAGIC, CAPSET_VERSION, CapSetEntry, CapSetHeader, MAX_CAPSET_ENTRIES,
};
use capos_abi::ring::Sqe;
use capos_rt::test_kernel::{FakeKernel, RingMemory};
pub use capos_rt::test_kernel::{Log, Outcome};
use capos_rt::{CapSet, RingClient, Runtime};
use core::cell::RefCell;

/// The bytes of a message made of `words`.
pub fn framed(words: &[u64]) -> Vec<u8> {
    words.iter().flat_map(|w| w.to_ne_bytes()).collect()
}

#[repr(C)]
struct CapSetPage {
    header: CapSetHeader,
    entries: [CapSetEntry; MAX_CAPSET_ENTRIES],
}

/// A process as the simulated kernel sets it up.
pub struct TestEnv {
    pub log: Rc<RefCell<Log>>,
    state: Option<State>,
}

impl TestEnv {
    /// A process whose CapSet holds `caps` (name, id, interface id), whose
    /// argv is "test" and environment "CAPOS_TEST=yes", and whose calls
    /// `handler` answers.
    pub fn new(
        caps: &[(&str, u32, u64)],
        handler: impl FnMut(&Sqe, &[u8]) -> Outcome + 'static,
    ) -> Self {
        let filler = CapSetEntry::new("unused", 0, 0).unwrap();
        let page = Box::leak(Box::new(CapSetPage {
            header: CapSetHeader {
                magic: CAPSET_MAGIC,
                version: CAPSET_VERSION,
                count: caps.len() as u32,
                pid: 5,
                ..CapSetHeader::default()
            },
            entries: [filler; MAX_CAPSET_ENTRIES],
        }));
        for (slot, (name, id, iface)) in page.entries.iter_mut().zip(caps) {
            *slot = CapSetEntry::new(name, *id, *iface).unwrap();
        }
        // SAFETY: the page is leaked, so it lives and stays unchanged for
        // the rest of the test process.
        let capset = unsafe { CapSet::from_ptr(&page.header) }.unwrap();
        let mem = RingMemory::new();
        let (kernel, log) = FakeKernel::new(mem.clone(), handler);
        let ring = Rc::new(RefCell::new(RingClient::new(mem.view(), Box::new(kernel))));
        let launch = capos_lib::launch::encode(&[b"test"], &[b"CAPOS_TEST=yes"]).unwrap();
        let launch = Box::leak(launch.into_boxed_slice());
        let launch = capos_lib::launch::decode(launch).unwrap();
        let state = State::new(Runtime::new(5, capset, launch, ring));
        TestEnv {
            log,
            state: Some(state),
        }
    }

    /// The libcapos state of the process (once).
    pub fn state(&mut self) -> State {
        self.state.take().expect("state taken twice")
    }
}
