//! The two system calls.

use capos_abi::error;
use capos_abi::ring::CQ_ENTRIES;
use capos_abi::syscall::{SYS_CAP_ENTER, SYS_EXIT, WAIT_FOREVER};

use crate::arch::trap_frame::TrapFrame;
use crate::process::{ExitStatus, State};
use crate::sched::{kernel, schedule};
use crate::{ring, time};

pub fn dispatch(frame: &mut TrapFrame) {
    match frame.rax {
        SYS_EXIT => {
            let status = match capos_lib::signal::killed_by(frame.rdi as i64) {
                Some(sig) => ExitStatus::Signaled(sig),
                None => ExitStatus::Exited(frame.rdi as i64),
            };
            kernel().exit_current(status);
            schedule();
            unreachable!("a dead process was resumed");
        }
        SYS_CAP_ENTER => frame.rax = cap_enter(frame.rdi, frame.rsi) as u64,
        _ => frame.rax = error::INVALID_ARGUMENT as i64 as u64,
    }
}

/// Runs the submitted SQEs, then waits for `min_complete` CQEs or the timeout.
fn cap_enter(min_complete: u64, timeout_ns: u64) -> i64 {
    if min_complete > CQ_ENTRIES as u64 {
        return error::INVALID_ARGUMENT as i64;
    }
    let min_complete = min_complete as u32;
    // A deadline past the clock's range is the same as none.
    let deadline = match timeout_ns {
        WAIT_FOREVER => None,
        t => time::now_ns().checked_add(t),
    };
    {
        let mut k = kernel();
        let pid = k.current().expect("syscall from a process");
        if let Err(code) = ring::drain_submissions(&mut k, pid) {
            return code as i64;
        }
    }
    loop {
        {
            let mut k = kernel();
            let pid = k.current().expect("syscall from a process");
            let mut p = k.process(pid);
            // Signals left for an upcall go to the wait now (rare).
            if p.signals.pending != 0 && p.signal_wait.is_some() {
                k.signals_to_wait(pid);
                p = k.process(pid);
            }
            ring::flush_overflow(p);
            let available = match ring::cq_available(p) {
                Ok(n) => n,
                Err(code) => return code as i64,
            };
            if available >= min_complete || deadline.is_some_and(|d| time::now_ns() >= d) {
                return available as i64;
            }
            // Waiting forever for completions that cannot come is a deadlock.
            if deadline.is_none()
                && available as usize + p.pending + p.overflow.len() < min_complete as usize
            {
                return error::INVALID_ARGUMENT as i64;
            }
            p.state = State::Blocked {
                min_complete,
                deadline,
            };
        }
        schedule();
    }
}
