//! The signal upcall (Timer.setUpcall, docs/interfaces/timer.md): a
//! caught signal for a process that runs in user mode without calling the
//! kernel is handed to it by resuming it at the entry it registered, with
//! its interrupted registers in a frame on its own stack
//! (capos_abi::upcall). Checked whenever an interrupt or exception returns
//! to user mode; never on the way back from a syscall, since a process in
//! cap_enter takes its signals through its Timer.signals wait, which its
//! adapter settles as the call returns.

use capos_abi::upcall::{Placement, UpcallFrame};
use capos_lib::signal::SIGSEGV;

use crate::arch::trap_frame::TrapFrame;
use crate::mem::paging::BadAddress;
use crate::process::ExitStatus;
use crate::sched::{kernel, schedule};

/// RFLAGS at the entry: interrupts on (IF) and nothing else, so the
/// direction flag is clear as the ABI wants.
const ENTRY_RFLAGS: u64 = 0x202;

/// Where a process takes its upcalls (Timer.setUpcall's arguments).
#[derive(Debug, Clone, Copy)]
pub struct Upcall {
    entry: u64,
    busy: u64,
    return_start: u64,
    return_end: u64,
}

impl Upcall {
    /// Checks that every address is a user one
    /// (capos_abi::upcall::check_addresses).
    pub fn new(
        entry: u64,
        busy: u64,
        return_start: u64,
        return_end: u64,
    ) -> Result<Upcall, &'static str> {
        capos_abi::upcall::check_addresses(entry, busy, return_start, return_end)?;
        Ok(Upcall {
            entry,
            busy,
            return_start,
            return_end,
        })
    }
}

/// As a trap returns to the current process in user mode: if caught
/// signals are pending for it and it may take an upcall now, `frame` is
/// changed to resume it at its entry. A stack or busy word it cannot
/// write ends it with SIGSEGV. If the trap ended it, the next process
/// runs instead.
pub fn deliver(frame: &mut TrapFrame) {
    let mut k = kernel();
    let Some(pid) = k.current() else {
        return;
    };
    let Some(p) = k.try_process(pid) else {
        // The interrupt ended it (a signal character's default action):
        // it is never resumed.
        drop(k);
        schedule();
        unreachable!("a dead process was resumed");
    };
    let Some(up) = p.upcall else {
        return;
    };
    if p.signals.pending == 0 || (up.return_start..up.return_end).contains(&frame.rip) {
        return;
    }
    let mut busy = [0u8; 4];
    let made = p.aspace.copy_from_user(up.busy, &mut busy).and_then(|()| {
        if busy != [0; 4] {
            // The adapter holds its own state: the signal waits for
            // a later tick or for its next cap_enter.
            return Ok(None);
        }
        let at = Placement::under(frame.rsp).ok_or(BadAddress)?;
        let taken = UpcallFrame {
            r15: frame.r15,
            r14: frame.r14,
            r13: frame.r13,
            r12: frame.r12,
            r11: frame.r11,
            r10: frame.r10,
            r9: frame.r9,
            r8: frame.r8,
            rbp: frame.rbp,
            rdi: frame.rdi,
            rsi: frame.rsi,
            rdx: frame.rdx,
            rcx: frame.rcx,
            rbx: frame.rbx,
            rax: frame.rax,
            rflags: frame.rflags,
            rsp: frame.rsp,
            rip: frame.rip,
            signals: p.signals.pending,
            reserved: 0,
        };
        p.aspace
            .copy_to_user(at.frame, &at.image(&taken)[..at.len()])?;
        p.aspace.copy_to_user(up.busy, &1u32.to_le_bytes())?;
        Ok(Some(at))
    });
    match made {
        Ok(None) => {}
        Ok(Some(at)) => {
            p.signals.take();
            frame.rip = up.entry;
            frame.rsp = at.frame;
            frame.rdi = at.frame;
            frame.rflags = ENTRY_RFLAGS;
        }
        Err(BadAddress) => {
            crate::kprintln!(
                "kernel: pid {pid} ({}): no room for a signal upcall at rsp={:#x}",
                p.name,
                frame.rsp
            );
            k.exit_current(ExitStatus::Signaled(SIGSEGV));
            drop(k);
            schedule();
            unreachable!("a dead process was resumed");
        }
    }
}
