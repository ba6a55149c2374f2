//! Where every trap lands: exceptions, interrupts and syscalls.

use capos_schema::capos_capnp::FaultKind;

use crate::arch::cpu::read_cr2;
use crate::arch::pic;
use crate::arch::trap_frame::{SYSCALL_VECTOR, TrapFrame};
use crate::process::ExitStatus;
use crate::sched::{kernel, schedule};

const PAGE_FAULT: u64 = 14;
const TIMER_VECTOR: u64 = pic::IRQ_BASE as u64;

pub fn fault_name(kind: FaultKind) -> &'static str {
    match kind {
        FaultKind::PageFault => "page fault",
        FaultKind::GeneralProtection => "general protection fault",
        FaultKind::InvalidOpcode => "invalid opcode",
        FaultKind::DivideError => "divide error",
        FaultKind::Other => "CPU exception",
    }
}

fn fault_kind(vector: u64) -> FaultKind {
    match vector {
        0 => FaultKind::DivideError,
        6 => FaultKind::InvalidOpcode,
        13 => FaultKind::GeneralProtection,
        PAGE_FAULT => FaultKind::PageFault,
        _ => FaultKind::Other,
    }
}

/// Gives the current process a frame for its demand-zero page at `addr`;
/// false if `addr` is not such a page or its quota cannot pay for it
/// (then the fault stands, and a line says why).
fn populate_current(addr: u64) -> bool {
    let mut k = kernel();
    let Some(pid) = k.current() else {
        return false;
    };
    let p = k.process(pid);
    match p.aspace.populate(addr) {
        Ok(populated) => populated,
        Err(e) => {
            crate::kprintln!(
                "kernel: pid {pid} ({}): no frame for its page at {addr:#x}: {e}",
                p.name
            );
            false
        }
    }
}

#[unsafe(no_mangle)]
extern "C" fn trap_dispatch(frame: &mut TrapFrame) {
    // A syscall returns as it is: the adapter settles its signals as its
    // call returns.
    if frame.vector == SYSCALL_VECTOR {
        crate::syscall::dispatch(frame);
        return;
    }
    dispatch(frame);
    // Back to user mode from an interrupt or exception: a caught signal
    // may be handed over now (kernel/src/upcall.rs).
    if frame.is_user() {
        crate::upcall::deliver(frame);
    }
}

/// Interrupts and exceptions.
fn dispatch(frame: &mut TrapFrame) {
    match frame.vector {
        TIMER_VECTOR => {
            crate::time::idle_end();
            crate::time::tick();
            pic::end_of_interrupt(0);
            crate::sched::on_timer_interrupt(frame.is_user());
        }
        v @ 33..=47 => {
            crate::time::idle_end();
            let irq = (v - TIMER_VECTOR) as u8;
            if Some(irq) == crate::net::irq() {
                // Acknowledged at the device before the PIC: its line is
                // level-triggered and would fire again at once.
                crate::sched::on_network_interrupt();
                pic::end_of_interrupt(irq);
                return;
            }
            if irq == crate::serial::IRQ {
                crate::sched::on_serial_interrupt();
                pic::end_of_interrupt(irq);
                return;
            }
            // Spurious IRQs 7 and 15 must not be acknowledged (15 still
            // needs the master acknowledged, which end_of_interrupt's
            // master half would do; keep it simple and ignore both).
            if (irq != 7 && irq != 15) || pic::is_real(irq) {
                pic::end_of_interrupt(irq);
            }
        }
        v if frame.is_user() => {
            let kind = fault_kind(v);
            let addr = if v == PAGE_FAULT { read_cr2() } else { 0 };
            // A first touch of a demand-zero page (error code bit 0 clear:
            // not present) gets its frame, and the instruction runs again.
            if v == PAGE_FAULT && frame.error & 1 == 0 && populate_current(addr) {
                return;
            }
            if kind == FaultKind::Other {
                crate::kprintln!("kernel: user exception vector {v} error {:#x}", frame.error);
            }
            kernel().exit_current(ExitStatus::Faulted {
                kind,
                rip: frame.rip,
                addr,
            });
            schedule();
            unreachable!("a dead process was resumed");
        }
        v => panic!(
            "kernel exception {v} error={:#x} rip={:#x} rsp={:#x} cr2={:#x}",
            frame.error,
            frame.rip,
            frame.rsp,
            read_cr2()
        ),
    }
}
