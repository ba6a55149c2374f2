//! A simulated kernel for host tests: ring memory, a CapSet page and a
//! `cap_enter` that consumes SQEs and posts CQEs as the kernel's contract
//! says, with each test supplying what the methods do.

use crate::state::State;
use alloc::boxed::Box;
use alloc::rc::Rc;
use alloc::vec::Vec;
use capos_abi::capset::{
    CAPSET_MAGIC, CAPSET_VERSION, CapSetEntry, CapSetHeader, MAX_CAPSET_ENTRIES,
};
use capos_abi::error;
use capos_abi::ring::{
    CQ_ENTRIES, CQ_OFFSET, Cqe, RING_SIZE, RingHeader, SQ_ENTRIES, SQ_OFFSET, Sqe, op,
};
use capos_rt::{CapSet, Kernel, RingClient, RingView, Runtime};
use core::cell::RefCell;
use core::ptr::addr_of_mut;

/// What the simulated kernel does with one CALL.
pub enum Outcome {
    /// Completes at once with this result message.
    Reply(Vec<u8>),
    /// Completes after this many more kernel entries.
    Later(u32, Vec<u8>),
    /// Completes at once with APPLICATION_EXCEPTION and these bytes.
    Exception(Vec<u8>),
    /// Completes at once with this transport error.
    Error(i32),
}

/// What the simulated kernel saw.
#[derive(Default)]
pub struct Log {
    pub calls: Vec<Sqe>,
    pub released: Vec<u32>,
}

/// The bytes of a message made of `words`.
pub fn framed(words: &[u64]) -> Vec<u8> {
    words.iter().flat_map(|w| w.to_ne_bytes()).collect()
}

/// A ring region with a valid header, shared by the runtime and the
/// simulated kernel.
struct RingMemory {
    words: Box<[u64; RING_SIZE / 8]>,
}

impl RingMemory {
    fn new() -> Self {
        let mut mem = RingMemory {
            words: Box::new([0; RING_SIZE / 8]),
        };
        let header = mem.header();
        // SAFETY: the region starts with a header and is ours alone here.
        unsafe {
            (*header).sq_entries = SQ_ENTRIES;
            (*header).cq_entries = CQ_ENTRIES;
        }
        mem
    }

    fn base(&self) -> *mut u8 {
        self.words.as_ptr().cast_mut().cast()
    }

    fn header(&mut self) -> *mut RingHeader {
        self.base().cast()
    }

    /// The kernel's side of submission: every pending SQE, in order.
    fn take_sqes(&mut self) -> Vec<Sqe> {
        let h = self.header();
        let mut out = Vec::new();
        // SAFETY: indices and slots lie inside the region; volatile because
        // the runtime writes them through its own pointers.
        unsafe {
            let tail = addr_of_mut!((*h).sq_tail).read_volatile();
            let mut head = addr_of_mut!((*h).sq_head).read_volatile();
            while head != tail {
                let slot = SQ_OFFSET + (head % SQ_ENTRIES) as usize * size_of::<Sqe>();
                out.push(self.base().add(slot).cast::<Sqe>().read_volatile());
                head = head.wrapping_add(1);
            }
            addr_of_mut!((*h).sq_head).write_volatile(head);
        }
        out
    }

    /// The kernel's side of completion: posts one CQE.
    fn post(&mut self, cqe: Cqe) {
        let h = self.header();
        // SAFETY: as in `take_sqes`.
        unsafe {
            let tail = addr_of_mut!((*h).cq_tail).read_volatile();
            let slot = CQ_OFFSET + (tail % CQ_ENTRIES) as usize * size_of::<Cqe>();
            self.base().add(slot).cast::<Cqe>().write_volatile(cqe);
            addr_of_mut!((*h).cq_tail).write_volatile(tail.wrapping_add(1));
        }
    }

    fn available(&mut self) -> u32 {
        let h = self.header();
        // SAFETY: as in `take_sqes`.
        unsafe {
            let tail = addr_of_mut!((*h).cq_tail).read_volatile();
            tail.wrapping_sub(addr_of_mut!((*h).cq_head).read_volatile())
        }
    }
}

type Handler = Box<dyn FnMut(&Sqe, &[u8]) -> Outcome>;

struct FakeKernel {
    mem: Rc<RefCell<RingMemory>>,
    handler: Handler,
    /// Calls completing later: entries left, the SQE, the outcome.
    later: Vec<(u32, Sqe, Vec<u8>)>,
    log: Rc<RefCell<Log>>,
}

impl FakeKernel {
    /// Posts `sqe`'s completion with `result`, writing `message` into its
    /// result buffer (or failing with RESULT_TOO_SMALL).
    fn complete(&self, sqe: &Sqe, result: i32, message: &[u8]) {
        let mut cqe = Cqe {
            user_data: sqe.user_data,
            result,
            ..Cqe::default()
        };
        if message.len() > sqe.result_len as usize {
            cqe.result = error::RESULT_TOO_SMALL;
            cqe.aux = message.len() as u64;
        } else {
            // SAFETY: capos-rt keeps the result buffer alive and unaliased
            // until the CQE is reaped; its length was just checked.
            unsafe {
                let dest = sqe.result_addr as *mut u8;
                core::ptr::copy_nonoverlapping(message.as_ptr(), dest, message.len());
            }
        }
        self.mem.borrow_mut().post(cqe);
    }

    fn run(&mut self, sqe: Sqe) {
        match sqe.opcode {
            op::RELEASE => {
                self.log.borrow_mut().released.push(sqe.cap_id);
                self.complete(&sqe, 0, &[]);
            }
            op::CALL => {
                // SAFETY: capos-rt keeps the params alive until the CQE.
                let params = unsafe {
                    core::slice::from_raw_parts(
                        sqe.params_addr as *const u8,
                        sqe.params_len as usize,
                    )
                };
                self.log.borrow_mut().calls.push(sqe);
                match (self.handler)(&sqe, params) {
                    Outcome::Reply(m) => self.complete(&sqe, m.len() as i32, &m),
                    Outcome::Later(n, m) => self.later.push((n, sqe, m)),
                    Outcome::Exception(m) => self.complete(&sqe, error::APPLICATION_EXCEPTION, &m),
                    Outcome::Error(code) => self.complete(&sqe, code, &[]),
                }
            }
            _ => self.complete(&sqe, 0, &[]),
        }
    }

    /// One unit of time: deferred calls whose count runs out complete.
    fn tick(&mut self) {
        let mut still = Vec::new();
        for (n, sqe, message) in core::mem::take(&mut self.later) {
            if n <= 1 {
                self.complete(&sqe, message.len() as i32, &message);
            } else {
                still.push((n - 1, sqe, message));
            }
        }
        self.later = still;
    }
}

impl Kernel for FakeKernel {
    fn cap_enter(&mut self, min_complete: u32, _timeout_ns: u64) -> i64 {
        let sqes = self.mem.borrow_mut().take_sqes();
        for sqe in sqes {
            self.run(sqe);
        }
        self.tick();
        while self.mem.borrow_mut().available() < min_complete && !self.later.is_empty() {
            self.tick();
        }
        i64::from(self.mem.borrow_mut().available())
    }
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
        let mem = Rc::new(RefCell::new(RingMemory::new()));
        // SAFETY: the region is RING_SIZE bytes, kept alive by the kernel
        // below for as long as the ring client that owns both.
        let view = unsafe { RingView::new(mem.borrow().base()) }.unwrap();
        let log = Rc::new(RefCell::new(Log::default()));
        let kernel = FakeKernel {
            mem,
            handler: Box::new(handler),
            later: Vec::new(),
            log: log.clone(),
        };
        let ring = Rc::new(RefCell::new(RingClient::new(view, Box::new(kernel))));
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
