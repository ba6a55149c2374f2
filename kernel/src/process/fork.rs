//! fork: a copy of a process (docs/interfaces/process-forker.md).
//!
//! The copy shares its parent's account, so a service's quotas bound it
//! and all its forks together. Its memory is copied eagerly, page by page;
//! its ring and CapSet are its own copies; MemoryObject mappings stay
//! shared, as MAP_SHARED memory does across a POSIX fork.

use alloc::boxed::Box;
use alloc::collections::VecDeque;
use alloc::sync::Arc;

use capos_abi::capset::CapSetHeader;
use capos_abi::layout::{CAPSET_VADDR, PAGE_SIZE, RING_VADDR};
use capos_abi::ring::RING_SIZE;
use capos_lib::account::{Exhausted, Resource};

use super::{
    CAP_TABLE_LIMIT, ExitCell, KernelStack, OVERFLOW_CAPACITY, PROCESS_KERNEL_BYTES, Pid, Process,
    RING_PAGES, State, VM_ENTRY_BYTES,
};
use crate::arch::cpu::FpuState;
use crate::arch::switch::prepare_stack;
use crate::arch::trap_frame::TrapFrame;
use crate::mem::paging::MapError;
use crate::mem::{frames, phys_to_virt};

/// Why a fork failed.
pub enum ForkError {
    /// The account cannot hold one more process's kernel structures (the
    /// bound on how many processes a service and its forks may be).
    Processes(Exhausted),
    /// No memory for the copy: the quota's or the machine's.
    Memory(MapError),
    /// The process is not in a state that can be copied.
    Busy(&'static str),
}

impl core::fmt::Display for ForkError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            ForkError::Processes(e) => write!(f, "processes: {e}"),
            ForkError::Memory(e) => write!(f, "memory: {e}"),
            ForkError::Busy(why) => f.write_str(why),
        }
    }
}

impl From<MapError> for ForkError {
    fn from(e: MapError) -> Self {
        ForkError::Memory(e)
    }
}

fn frames_quota(e: Exhausted) -> ForkError {
    ForkError::Memory(MapError::Quota(e))
}

/// The user registers a thread is in the kernel with, at the top of its
/// kernel stack (where `syscall_entry` and the trap stubs push them).
fn user_frame(stack: &KernelStack) -> TrapFrame {
    const FRAME_WORDS: usize = size_of::<TrapFrame>() / 8;
    let words: [u64; FRAME_WORDS] = stack.0[stack.0.len() - FRAME_WORDS..]
        .try_into()
        .expect("a frame's worth of words");
    // SAFETY: TrapFrame is repr(C) of FRAME_WORDS u64s.
    unsafe { core::mem::transmute(words) }
}

impl Process {
    /// A copy of this process, which is the one running (in its
    /// `cap_enter`): its registers are those of that call, with `rax` set
    /// to `cap_enter`'s return value `cq_ready`, and its CPU state (FPU,
    /// FS and GS bases) is taken from the CPU. It is Ready but not queued.
    /// The ring's indices are copied as they stand: the caller posts the
    /// fork's completion into the copy.
    pub fn fork(&self, pid: Pid) -> Result<Box<Process>, ForkError> {
        if !self.overflow.is_empty() {
            return Err(ForkError::Busy(
                "completions are waiting for room in the CQ",
            ));
        }
        let account = self.account.join();
        // From here on, an error drops what was made, and the account's
        // membership with it.
        let mut joined = Joined(Some(account.clone()));
        let fixed_charge = account
            .charge(Resource::KernelHeap, PROCESS_KERNEL_BYTES)
            .map_err(ForkError::Processes)?;
        let vm_charge = account
            .charge(
                Resource::KernelHeap,
                (self.vm.len() + self.shared.len()) as u64 * VM_ENTRY_BYTES,
            )
            .map_err(ForkError::Processes)?;
        let frames_charge = account
            .charge(Resource::Frames, RING_PAGES + 1)
            .map_err(frames_quota)?;
        let ring_phys = frames::alloc_zeroed(RING_PAGES).ok_or(MapError::OutOfMemory)?;
        // SAFETY: both ring regions are RING_SIZE bytes of frames in the
        // direct map; the new one was just allocated.
        unsafe {
            core::ptr::copy_nonoverlapping(
                phys_to_virt(self.ring_phys),
                phys_to_virt(ring_phys),
                RING_SIZE,
            )
        };
        let Some(capset_phys) = frames::alloc_copy(self.capset_phys) else {
            frames::free_range(ring_phys, RING_PAGES);
            return Err(MapError::OutOfMemory.into());
        };
        let ring_end = RING_VADDR + RING_PAGES * PAGE_SIZE;
        let aspace = self.aspace.duplicate(account.clone(), |vaddr, frame| {
            Some(match vaddr {
                v if (RING_VADDR..ring_end).contains(&v) => ring_phys + (v - RING_VADDR),
                CAPSET_VADDR => capset_phys,
                // A MemoryObject's frame: shared.
                _ => frame,
            })
        });
        let aspace = match aspace {
            Ok(a) => a,
            Err(e) => {
                frames::free_range(ring_phys, RING_PAGES);
                frames::free(capset_phys);
                return Err(e.into());
            }
        };
        let mut fpu = FpuState::initial();
        fpu.save();
        let mut child = Box::new(Process {
            pid,
            parent: self.pid,
            name: self.name.clone(),
            aspace,
            caps: self.caps.duplicate(|e| e.object.forkable()),
            ring_phys,
            capset_phys,
            // SAFETY: as in Process::new.
            kstack: unsafe { Box::<KernelStack>::new_zeroed().assume_init() },
            saved_rsp: 0,
            fpu,
            fs_base: crate::arch::cpu::rdfsbase(),
            gs_base: crate::arch::cpu::rdgsbase(),
            state: State::Ready,
            sq_head: self.sq_head,
            cq_tail: self.cq_tail,
            pending: 0,
            quiet_waits: 0,
            overflow: VecDeque::with_capacity(OVERFLOW_CAPACITY),
            exit: Arc::new(ExitCell::default()),
            // POSIX: the child catches what the parent does, with nothing
            // pending and no alarm.
            signals: capos_lib::signal::SignalRecord {
                pending: 0,
                caught: self.signals.caught,
            },
            signal_wait: None,
            alarm: None,
            // The same code and memory, and the same terminal.
            upcall: self.upcall,
            terminal_group: self.terminal_group,
            vm: self.vm.clone(),
            shared: self.shared.clone(),
            account,
            vm_charge,
            _frames_charge: frames_charge,
            _fixed_charge: fixed_charge,
        });
        debug_assert_eq!(child.caps.room() + child.caps.len(), CAP_TABLE_LIMIT);
        // The child holds the membership now, and closes it at its exit.
        joined.0 = None;
        child.set_capset_ids(self.pid);
        let frame = user_frame(&self.kstack);
        child.saved_rsp = prepare_stack(&mut child.kstack.0, frame);
        Ok(child)
    }

    /// Sets the return value of the `cap_enter` a forked child resumes from.
    pub fn set_resume_value(&mut self, rax: u64) {
        const FRAME_WORDS: usize = size_of::<TrapFrame>() / 8;
        let at = self.kstack.0.len() - FRAME_WORDS + core::mem::offset_of!(TrapFrame, rax) / 8;
        self.kstack.0[at] = rax;
    }

    /// A forked child's CapSet names its own pid and its parent.
    fn set_capset_ids(&mut self, parent: Pid) {
        let header = phys_to_virt(self.capset_phys) as *mut CapSetHeader;
        // SAFETY: the header sits at the start of this process's CapSet
        // frame; the process is not running yet.
        unsafe {
            (*header).pid = self.pid;
            (*header).ppid = parent;
        }
    }
}

/// The account membership a fork in progress took; given back if the fork
/// fails (a successful one hands it to the child, which closes it at exit).
struct Joined(Option<Arc<capos_lib::account::Account>>);

impl Drop for Joined {
    fn drop(&mut self) {
        if let Some(account) = self.0.take() {
            account.close();
        }
    }
}
