//! Processes: an address space, a capability table, a ring, a kernel stack
//! and the saved user state. One thread per process for now.

use alloc::boxed::Box;
use alloc::collections::{BTreeMap, VecDeque};
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;

use capos_abi::capset::{CAPSET_MAGIC, CAPSET_VERSION, CapSetEntry, CapSetHeader};
use capos_abi::layout::{
    CAPSET_VADDR, HEAP_BASE, HEAP_SIZE, LAUNCH_MAX_SIZE, LAUNCH_VADDR, PAGE_SIZE, RING_VADDR,
    USER_STACK_SIZE, USER_STACK_TOP,
};
use capos_abi::ring::{CQ_ENTRIES, Cqe, MAX_PENDING_CALLS, RING_SIZE, RingHeader, SQ_ENTRIES};
use capos_abi::vm::{VM_BASE, VM_LIMIT};
use capos_lib::account::{Account, Charge, Exhausted, Resource};
use capos_lib::cap_table::CapTable;
use capos_lib::vm_regions::VmRegions;
use capos_schema::capos_capnp::FaultKind;
use spin::Mutex;

use crate::arch::cpu::FpuState;
use crate::arch::switch::prepare_stack;
use crate::arch::trap_frame::TrapFrame;
use crate::cap::memory_object::SharedMapping;
use crate::cap::{ALLOC_SLACK, CapRef};
use crate::mem::paging::{AddressSpace, MapError, Perms, Unmapped};
use crate::mem::{frames, phys_to_virt};

mod fork;

pub use fork::ForkError;

pub type Pid = u64;

/// Most capabilities one process may hold.
pub const CAP_TABLE_LIMIT: usize = 256;
const KERNEL_STACK_WORDS: usize = 2048; // 16 KiB
const RING_PAGES: u64 = RING_SIZE as u64 / PAGE_SIZE;
/// Completions one process can have waiting for room in its CQ: the ring
/// stops taking SQEs at [`crate::ring::OVERFLOW_LIMIT`], and every call
/// still pending then may complete after that.
pub const OVERFLOW_CAPACITY: usize = crate::ring::OVERFLOW_LIMIT + MAX_PENDING_CALLS;

/// Heap one pending call's record can take wherever it waits (a sleeper
/// tree node share, an exit waiter, an Endpoint queue or in-flight entry).
pub const PENDING_RECORD_BYTES: usize = 128;
/// Heap one recorded mapping takes (a tree node share in `vm` or `shared`).
pub const VM_ENTRY_BYTES: u64 = 96;

/// Kernel heap every process holds while it exists, charged to its account
/// before any of it is allocated: the process structure and kernel stack,
/// its name, its capability table and CQ overflow (both allocated whole
/// up front) and a record for each call it may have pending.
pub const PROCESS_KERNEL_BYTES: u64 = (size_of::<Process>()
    + size_of::<KernelStack>()
    + capos_abi::capset::MAX_CAP_NAME
    + CapTable::<CapRef>::heap_bytes(CAP_TABLE_LIMIT)
    + OVERFLOW_CAPACITY * size_of::<Cqe>()
    + MAX_PENDING_CALLS * PENDING_RECORD_BYTES
    // Its entries in the process map and run queue.
    + 64
    + 6 * ALLOC_SLACK) as u64;

#[derive(Debug, Clone, Copy)]
pub enum ExitStatus {
    Exited(i64),
    Faulted {
        kind: FaultKind,
        rip: u64,
        addr: u64,
    },
    /// The kernel ended it for this signal (ProcessHandle.signal, its alarm).
    Signaled(u8),
}

/// A call waiting to complete: where its CQE and result go.
#[derive(Debug, Clone, Copy)]
pub struct PendingCall {
    pub pid: Pid,
    pub user_data: u64,
    pub result_addr: u64,
    pub result_len: u32,
    /// A wait that only reports (a ProcessHandle's exit, a pipe's or a
    /// socket's readiness) and changes nothing when it completes: it does
    /// not stop a fork, and stays the parent's (see process/fork.rs).
    pub quiet: bool,
}

/// How a process ended, shared between it and its ProcessHandles.
#[derive(Default)]
pub struct ExitCell {
    inner: Mutex<ExitInner>,
}

#[derive(Default)]
struct ExitInner {
    status: Option<ExitStatus>,
    waiters: Vec<PendingCall>,
}

impl ExitCell {
    pub fn status(&self) -> Option<ExitStatus> {
        self.inner.lock().status
    }

    pub fn add_waiter(&self, call: PendingCall) {
        self.inner.lock().waiters.push(call);
    }

    /// Drops the waits of a process that ended.
    pub fn forget_waiters(&self, pid: Pid) {
        self.inner.lock().waiters.retain(|call| call.pid != pid);
    }

    /// Records the status and returns the calls waiting for it.
    pub fn set(&self, status: ExitStatus) -> Vec<PendingCall> {
        let mut inner = self.inner.lock();
        inner.status = Some(status);
        core::mem::take(&mut inner.waiters)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Ready,
    Running,
    /// In cap_enter, until `min_complete` CQEs are available or the deadline.
    Blocked {
        min_complete: u32,
        deadline: Option<u64>,
    },
    Dead,
}

/// A capability handed to a new process, named in its CapSet.
pub struct Grant {
    pub name: String,
    pub object: CapRef,
    pub interface_id: u64,
}

#[repr(C, align(16))]
struct KernelStack([u64; KERNEL_STACK_WORDS]);

pub struct Process {
    pub pid: Pid,
    /// Who spawned or forked it: SIGCHLD goes there when it ends.
    pub parent: Pid,
    pub name: String,
    pub aspace: AddressSpace,
    pub caps: CapTable<CapRef>,
    ring_phys: u64,
    capset_phys: u64,
    kstack: Box<KernelStack>,
    pub saved_rsp: u64,
    pub fpu: FpuState,
    pub fs_base: u64,
    pub gs_base: u64,
    pub state: State,
    /// The kernel's own copies of the indices it owns; the copies in the
    /// shared header are only informative, the process can overwrite them.
    pub sq_head: u32,
    pub cq_tail: u32,
    /// Calls accepted and not yet completed.
    pub pending: usize,
    /// Those of them that are quiet waits ([`PendingCall::quiet`]).
    pub quiet_waits: usize,
    /// Completions waiting for room in the CQ.
    pub overflow: VecDeque<Cqe>,
    pub exit: Arc<ExitCell>,
    /// Signals posted to it and those it catches itself.
    pub signals: capos_lib::signal::SignalRecord,
    /// Its Timer.signals call, while one waits (a quiet wait).
    pub signal_wait: Option<PendingCall>,
    /// When its alarm posts SIGALRM (monotonic ns).
    pub alarm: Option<u64>,
    /// Its signal upcall (Timer.setUpcall), if it registered one.
    pub upcall: Option<crate::upcall::Upcall>,
    /// Its process group at a terminal line (Terminal.setGroup).
    pub terminal_group: Option<crate::cap::terminal::Member>,
    /// Ranges mapped through VirtualMemory (anonymous or MemoryObjects).
    pub vm: VmRegions,
    /// The MemoryObject mappings among them, by start address.
    pub shared: BTreeMap<u64, SharedMapping>,
    /// Kernel memory and frames this process and what it creates may hold.
    pub account: Arc<Account>,
    /// The heap of `vm` and `shared` ([`VM_ENTRY_BYTES`] per entry).
    vm_charge: Charge,
    /// The ring and CapSet frames.
    _frames_charge: Charge,
    /// [`PROCESS_KERNEL_BYTES`].
    _fixed_charge: Charge,
}

/// Why a process could not be created.
pub enum SpawnError {
    /// The new process's account cannot hold what it needs.
    Quota(Exhausted),
    OutOfMemory,
    Invalid(&'static str),
}

impl core::fmt::Display for SpawnError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            SpawnError::Quota(e) => write!(f, "{e}"),
            SpawnError::OutOfMemory => write!(f, "{}", MapError::OutOfMemory),
            SpawnError::Invalid(why) => f.write_str(why),
        }
    }
}

impl From<MapError> for SpawnError {
    fn from(e: MapError) -> Self {
        match e {
            MapError::OutOfMemory => SpawnError::OutOfMemory,
            MapError::Quota(e) => SpawnError::Quota(e),
            MapError::AlreadyMapped => SpawnError::Invalid("overlapping mappings in the image"),
        }
    }
}

impl Process {
    /// Builds a process from an ELF image; it is Ready but not yet queued.
    /// Everything it holds is charged to `account`, which must be its own.
    pub fn new(
        pid: Pid,
        parent: Pid,
        name: &str,
        elf: &[u8],
        grants: Vec<Grant>,
        launch: &[u8],
        account: Arc<Account>,
    ) -> Result<Box<Self>, SpawnError> {
        if launch.len() as u64 > LAUNCH_MAX_SIZE {
            return Err(SpawnError::Invalid("launch parameters too large"));
        }
        if name.len() > capos_abi::capset::MAX_CAP_NAME {
            return Err(SpawnError::Invalid("process name too long"));
        }
        let plan = capos_lib::elf::load_plan(elf).map_err(|e| SpawnError::Invalid(e.message()))?;
        let fixed_charge = account
            .charge(Resource::KernelHeap, PROCESS_KERNEL_BYTES)
            .map_err(SpawnError::Quota)?;
        let frames_charge = account
            .charge(Resource::Frames, RING_PAGES + 1)
            .map_err(SpawnError::Quota)?;
        let vm_charge = account
            .charge(Resource::KernelHeap, 0)
            .map_err(SpawnError::Quota)?;
        let ring_phys = frames::alloc_zeroed(RING_PAGES).ok_or(SpawnError::OutOfMemory)?;
        let Some(capset_phys) = frames::alloc_zeroed(1) else {
            frames::free_range(ring_phys, RING_PAGES);
            return Err(SpawnError::OutOfMemory);
        };
        let aspace = match AddressSpace::new(account.clone()) {
            Ok(a) => a,
            Err(e) => {
                frames::free_range(ring_phys, RING_PAGES);
                frames::free(capset_phys);
                return Err(e.into());
            }
        };
        let mut p = Box::new(Process {
            pid,
            parent,
            name: name.into(),
            aspace,
            caps: CapTable::new(CAP_TABLE_LIMIT),
            ring_phys,
            capset_phys,
            // SAFETY: KernelStack is plain integers, valid when zeroed; building it
            // in place keeps 16 KiB off the current (kernel) stack.
            kstack: unsafe { Box::<KernelStack>::new_zeroed().assume_init() },
            saved_rsp: 0,
            fpu: FpuState::initial(),
            fs_base: 0,
            gs_base: 0,
            state: State::Ready,
            sq_head: 0,
            cq_tail: 0,
            pending: 0,
            quiet_waits: 0,
            overflow: VecDeque::with_capacity(OVERFLOW_CAPACITY),
            exit: Arc::new(ExitCell::default()),
            signals: Default::default(),
            signal_wait: None,
            alarm: None,
            upcall: None,
            terminal_group: None,
            vm: VmRegions::new(VM_BASE, VM_LIMIT),
            shared: BTreeMap::new(),
            account,
            vm_charge,
            _frames_charge: frames_charge,
            _fixed_charge: fixed_charge,
        });
        p.map_image(elf, &plan)?;
        let rw = Perms::READ_WRITE;
        // The heap and the stack are demand-zero: a page costs a frame only
        // once touched, and most of a short-lived program's never are.
        p.aspace.map_lazy(HEAP_BASE, HEAP_SIZE / PAGE_SIZE);
        p.aspace.map_lazy(
            USER_STACK_TOP - USER_STACK_SIZE,
            USER_STACK_SIZE / PAGE_SIZE,
        );
        p.aspace
            .map_borrowed(RING_VADDR, ring_phys, RING_PAGES, rw)?;
        p.aspace
            .map_borrowed(CAPSET_VADDR, capset_phys, 1, Perms::READ_ONLY)?;
        // The launch region (argv, env) is always there, read-only.
        let launch_pages = (launch.len() as u64).div_ceil(PAGE_SIZE).max(1);
        p.aspace
            .map_zeroed(LAUNCH_VADDR, launch_pages, Perms::READ_ONLY)?;
        p.aspace.load(LAUNCH_VADDR, launch);
        p.init_ring();
        p.init_capset(grants, parent).map_err(SpawnError::Invalid)?;
        let frame =
            TrapFrame::new_user(plan.entry, USER_STACK_TOP, [RING_VADDR, pid, CAPSET_VADDR]);
        p.saved_rsp = prepare_stack(&mut p.kstack.0, frame);
        Ok(p)
    }

    fn map_image(&mut self, elf: &[u8], plan: &capos_lib::elf::LoadPlan) -> Result<(), MapError> {
        for seg in &plan.segments {
            let start = seg.vaddr & !(PAGE_SIZE - 1);
            let end = (seg.vaddr + seg.mem_size).div_ceil(PAGE_SIZE) * PAGE_SIZE;
            let perms = Perms {
                accessible: true,
                writable: seg.writable,
                executable: seg.executable,
            };
            self.aspace
                .map_zeroed(start, (end - start) / PAGE_SIZE, perms)?;
            let bytes = &elf[seg.file_offset as usize..(seg.file_offset + seg.file_size) as usize];
            self.aspace.load(seg.vaddr, bytes);
        }
        Ok(())
    }

    fn init_ring(&mut self) {
        let header = RingHeader {
            sq_entries: SQ_ENTRIES,
            cq_entries: CQ_ENTRIES,
            ..Default::default()
        };
        // SAFETY: the ring frames belong to this process and start with the header.
        unsafe { core::ptr::write_volatile(self.ring_header(), header) };
    }

    fn init_capset(&mut self, grants: Vec<Grant>, parent: Pid) -> Result<(), &'static str> {
        let base = phys_to_virt(self.capset_phys);
        let mut count = 0;
        for g in grants {
            let id = self
                .caps
                .insert(g.object, g.interface_id)
                .map_err(|_| "capability table full")?;
            let entry =
                CapSetEntry::new(&g.name, id, g.interface_id).ok_or("bad capability name")?;
            if count >= capos_abi::capset::MAX_CAPSET_ENTRIES {
                return Err("too many capabilities for the CapSet page");
            }
            // SAFETY: the CapSet frame is this process's, one page long; entry
            // `count` ends within it (checked against MAX_CAPSET_ENTRIES).
            unsafe {
                let at = base.add(size_of::<CapSetHeader>() + count * size_of::<CapSetEntry>());
                core::ptr::write(at as *mut CapSetEntry, entry);
            }
            count += 1;
        }
        let header = CapSetHeader {
            magic: CAPSET_MAGIC,
            version: CAPSET_VERSION,
            count: count as u32,
            pid: self.pid,
            ppid: parent,
            ..Default::default()
        };
        // SAFETY: the header sits at the start of the CapSet frame.
        unsafe { core::ptr::write(base as *mut CapSetHeader, header) };
        Ok(())
    }

    /// The shared ring header, through the direct map.
    pub fn ring_header(&self) -> *mut RingHeader {
        phys_to_virt(self.ring_phys) as *mut RingHeader
    }

    /// Address of a byte offset inside the ring region, through the direct map.
    pub fn ring_at(&self, offset: usize) -> *mut u8 {
        debug_assert!(offset < RING_SIZE);
        // SAFETY: the ring frames are contiguous and RING_SIZE long.
        unsafe { phys_to_virt(self.ring_phys).add(offset) }
    }

    /// Unmaps what is mapped of `[addr, addr+len)` in the VirtualMemory
    /// region; a MemoryObject mapping lets go of its frames with its last page.
    pub fn unmap_vm(&mut self, addr: u64, len: u64) {
        for (start, end) in self.vm.remove(addr, len) {
            for page in (start..end).step_by(PAGE_SIZE as usize) {
                let Some(Unmapped::Borrowed(frame)) = self.aspace.unmap_page(page) else {
                    continue;
                };
                // The mapping this frame came from: the nearest one below
                // that covers the page with that very frame. Matching the
                // frame matters: a partial unmap leaves holes, and another
                // mapping placed in one lies inside the first one's span.
                let owner = self.shared.range_mut(..=page).rev().find(|(at, m)| {
                    page < m.end && m.frames.phys[((page - **at) / PAGE_SIZE) as usize] == frame
                });
                if let Some((&at, mapping)) = owner {
                    mapping.pages_left -= 1;
                    if mapping.pages_left == 0 {
                        self.shared.remove(&at);
                    }
                }
            }
        }
    }

    pub fn kernel_stack_top(&self) -> u64 {
        self.kstack.0.as_ptr_range().end as u64
    }

    /// Charges for `extra` more entries in `vm` and `shared` before an
    /// operation that may add them; [`Process::settle_vm_charge`] after it
    /// gives back what was not used.
    pub fn reserve_vm_entries(&mut self, extra: usize) -> Result<(), Exhausted> {
        let entries = (self.vm.len() + self.shared.len() + extra) as u64;
        self.vm_charge.resize(entries * VM_ENTRY_BYTES)
    }

    pub fn settle_vm_charge(&mut self) {
        let entries = (self.vm.len() + self.shared.len()) as u64;
        // Never more than what is charged now, so it cannot fail.
        let _ = self
            .vm_charge
            .resize((entries * VM_ENTRY_BYTES).min(self.vm_charge.amount()));
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        frames::free_range(self.ring_phys, RING_PAGES);
        frames::free(self.capset_phys);
    }
}
