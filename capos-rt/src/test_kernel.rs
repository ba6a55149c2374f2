//! A simulated kernel for host tests: ring memory plus a `cap_enter` that
//! consumes SQEs and posts CQEs the way the real kernel's contract says,
//! with method behaviour supplied by each test.

use crate::client::{Kernel, RingClient, SharedRing};
use crate::ring::RingView;
use alloc::boxed::Box;
use alloc::rc::Rc;
use alloc::vec::Vec;
use capos_abi::error;
use capos_abi::ipc::{CapRecord, XferDesc, pad8};
use capos_abi::ring::{
    CQ_ENTRIES, CQ_OFFSET, Cqe, RING_SIZE, RingHeader, SQ_ENTRIES, SQ_OFFSET, Sqe, op,
};
use core::cell::RefCell;
use core::ptr::addr_of_mut;

/// A ring region on the heap with a valid header.
pub struct RingMemory {
    words: *mut [u64; RING_SIZE / 8],
}

impl RingMemory {
    pub fn new() -> Rc<Self> {
        let words = Box::into_raw(Box::new([0u64; RING_SIZE / 8]));
        let mem = RingMemory { words };
        // SAFETY: freshly allocated, 8-aligned, large enough for a header.
        unsafe {
            (*mem.header()).sq_entries = SQ_ENTRIES;
            (*mem.header()).cq_entries = CQ_ENTRIES;
        }
        Rc::new(mem)
    }

    pub fn base(&self) -> *mut u8 {
        self.words.cast()
    }

    fn header(&self) -> *mut RingHeader {
        self.words.cast()
    }

    pub fn view(&self) -> RingView {
        // SAFETY: the region is RING_SIZE bytes and lives as long as `self`,
        // which every test keeps alive while it uses views.
        unsafe { RingView::new(self.base()) }.unwrap()
    }

    /// Sets both queues empty at the given indices (to test wraparound).
    pub fn set_indices(&self, sq: u32, cq: u32) {
        let h = self.header();
        // SAFETY: the header is valid; tests are single-threaded.
        unsafe {
            (*h).sq_head = sq;
            (*h).sq_tail = sq;
            (*h).cq_head = cq;
            (*h).cq_tail = cq;
        }
    }

    /// The kernel side of submission: copies out every pending SQE.
    pub fn kernel_take_sqes(&self) -> Vec<Sqe> {
        let h = self.header();
        let mut out = Vec::new();
        // SAFETY: header and slots are inside the region; volatile because
        // the user side writes them through other pointers.
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

    /// The kernel side of completion: posts one CQE.
    pub fn kernel_post(&self, cqe: Cqe) {
        let h = self.header();
        // SAFETY: as in `kernel_take_sqes`.
        unsafe {
            let tail = addr_of_mut!((*h).cq_tail).read_volatile();
            let slot = CQ_OFFSET + (tail % CQ_ENTRIES) as usize * size_of::<Cqe>();
            self.base().add(slot).cast::<Cqe>().write_volatile(cqe);
            addr_of_mut!((*h).cq_tail).write_volatile(tail.wrapping_add(1));
        }
    }

    fn cq_ready(&self) -> u32 {
        let h = self.header();
        // SAFETY: as in `kernel_take_sqes`.
        unsafe {
            let tail = addr_of_mut!((*h).cq_tail).read_volatile();
            tail.wrapping_sub(addr_of_mut!((*h).cq_head).read_volatile())
        }
    }
}

impl Drop for RingMemory {
    fn drop(&mut self) {
        // SAFETY: allocated by `new` with Box::into_raw, freed once here.
        drop(unsafe { Box::from_raw(self.words) });
    }
}

/// What the simulated method does with one CALL, RECV or RETURN.
pub enum Outcome {
    /// Completes now with this result message (for a RECV: the whole
    /// result, header included; for a RETURN: empty).
    Reply(Vec<u8>),
    /// Completes now with an Endpoint reply: the message, then records of
    /// the capabilities that came with it.
    Transfer(Vec<u8>, Vec<CapRecord>),
    /// Completes after this many more `cap_enter`s with this result message.
    Later(u32, Vec<u8>),
    /// Completes now with APPLICATION_EXCEPTION and this CapException.
    Exception(Vec<u8>),
    /// Completes now with this transport error.
    Error(i32),
}

/// What the simulated kernel saw, for assertions.
#[derive(Default)]
pub struct Log {
    pub enters: u32,
    /// Every CALL, RECV and RETURN with its params.
    pub calls: Vec<(Sqe, Vec<u8>)>,
    /// The transfer descriptors of each entry of `calls`.
    pub transfers: Vec<Vec<XferDesc>>,
    pub released: Vec<u32>,
}

type Handler = Box<dyn FnMut(&Sqe, &[u8]) -> Outcome>;

pub struct FakeKernel {
    mem: Rc<RingMemory>,
    handler: Handler,
    deferred: Vec<(u32, Cqe, Sqe, Vec<u8>)>,
    log: Rc<RefCell<Log>>,
}

impl FakeKernel {
    pub fn new(
        mem: Rc<RingMemory>,
        handler: impl FnMut(&Sqe, &[u8]) -> Outcome + 'static,
    ) -> (Self, Rc<RefCell<Log>>) {
        let log = Rc::new(RefCell::new(Log::default()));
        let kernel = FakeKernel {
            mem,
            handler: Box::new(handler),
            deferred: Vec::new(),
            log: log.clone(),
        };
        (kernel, log)
    }

    fn post_call(&self, sqe: &Sqe, result: i32, message: &[u8]) {
        self.post(sqe, result, 0, message);
    }

    /// Posts a completion whose result buffer gets `message` and whose
    /// flags are `flags`.
    fn post(&self, sqe: &Sqe, result: i32, flags: u32, message: &[u8]) {
        let mut cqe = Cqe {
            user_data: sqe.user_data,
            result,
            flags,
            ..Cqe::default()
        };
        if message.len() > sqe.result_len as usize {
            cqe.result = error::RESULT_TOO_SMALL;
            cqe.aux = message.len() as u64;
            cqe.flags = 0;
        } else if !message.is_empty() {
            // SAFETY: the runtime keeps the result buffer alive and
            // unaliased until the CQE, and its length was just checked.
            unsafe {
                core::ptr::copy_nonoverlapping(
                    message.as_ptr(),
                    sqe.result_addr as *mut u8,
                    message.len(),
                );
            }
        }
        self.mem.kernel_post(cqe);
    }

    fn run(&mut self, sqe: Sqe) {
        let done = |result| Cqe {
            user_data: sqe.user_data,
            result,
            ..Cqe::default()
        };
        match sqe.opcode {
            op::NOP => self.mem.kernel_post(done(0)),
            op::RELEASE => {
                self.log.borrow_mut().released.push(sqe.cap_id);
                self.mem.kernel_post(done(0));
            }
            op::CALL | op::RECV | op::RETURN => {
                // SAFETY: the runtime keeps params and transfer descriptors
                // alive until the CQE; empty ones may have a null address.
                let (params, transfers) = unsafe {
                    (
                        raw_slice(sqe.params_addr as *const u8, sqe.params_len as usize).to_vec(),
                        raw_slice(sqe.xfer_addr as *const XferDesc, sqe.xfer_count as usize)
                            .to_vec(),
                    )
                };
                let outcome = (self.handler)(&sqe, &params);
                let mut log = self.log.borrow_mut();
                log.calls.push((sqe, params));
                log.transfers.push(transfers);
                drop(log);
                match outcome {
                    Outcome::Reply(msg) => self.post_call(&sqe, msg.len() as i32, &msg),
                    Outcome::Transfer(msg, caps) => {
                        let mut bytes = msg.clone();
                        bytes.resize(pad8(msg.len()), 0);
                        bytes.extend(crate::wire::encode_records(&caps));
                        self.post(&sqe, msg.len() as i32, caps.len() as u32, &bytes);
                    }
                    Outcome::Later(n, msg) => {
                        self.deferred.push((n, done(msg.len() as i32), sqe, msg));
                    }
                    Outcome::Exception(msg) => {
                        self.post_call(&sqe, error::APPLICATION_EXCEPTION, &msg);
                    }
                    Outcome::Error(code) => self.mem.kernel_post(done(code)),
                }
            }
            _ => self.mem.kernel_post(done(error::INVALID_OPCODE)),
        }
    }

    /// One tick of simulated time: deferred completions due now are posted.
    fn tick(&mut self) {
        let mut still = Vec::new();
        for (n, cqe, sqe, msg) in core::mem::take(&mut self.deferred) {
            if n <= 1 {
                self.post_call(&sqe, cqe.result, &msg);
            } else {
                still.push((n - 1, cqe, sqe, msg));
            }
        }
        self.deferred = still;
    }
}

impl Kernel for FakeKernel {
    fn cap_enter(&mut self, min_complete: u32, _timeout_ns: u64) -> i64 {
        self.log.borrow_mut().enters += 1;
        for sqe in self.mem.kernel_take_sqes() {
            self.run(sqe);
        }
        self.tick();
        while self.mem.cq_ready() < min_complete {
            assert!(!self.deferred.is_empty(), "cap_enter would block forever");
            self.tick();
        }
        i64::from(self.mem.cq_ready())
    }
}

/// `len` elements at `ptr`; empty (and `ptr` unused) when `len` is 0.
///
/// # Safety
/// Unless `len` is 0, `ptr` must be valid for reading `len` elements.
unsafe fn raw_slice<'a, T>(ptr: *const T, len: usize) -> &'a [T] {
    if len == 0 {
        &[]
    } else {
        // SAFETY: per the contract.
        unsafe { core::slice::from_raw_parts(ptr, len) }
    }
}

/// A shared ring client over a simulated kernel with `handler` as the
/// behaviour of every CALL.
pub fn shared_ring(
    handler: impl FnMut(&Sqe, &[u8]) -> Outcome + 'static,
) -> (SharedRing, Rc<RefCell<Log>>) {
    let mem = RingMemory::new();
    let (kernel, log) = FakeKernel::new(mem.clone(), handler);
    let client = RingClient::new(mem.view(), Box::new(kernel));
    (Rc::new(RefCell::new(client)), log)
}
