//! Process start: `_start` → [`start`] → the program's `capos_main`.
//!
//! The kernel enters `_start` with RDI = ring address, RSI = pid, RDX =
//! CapSet address and a 16-byte aligned RSP with nothing pushed. That is
//! exactly the System V state before a `call` with three arguments, so
//! `_start` only calls into Rust.

use crate::capset::CapSet;
use crate::client::RingClient;
use crate::heap;
use crate::launch;
use crate::ring::RingView;
use crate::runtime::Runtime;
use crate::syscall::{Syscalls, exit};
use alloc::boxed::Box;
use alloc::rc::Rc;
use capos_abi::layout::LAUNCH_VADDR;
use core::cell::RefCell;

/// Exit code when the ring header is not a valid ring.
pub const EXIT_BAD_RING: i64 = 102;
/// Exit code when the CapSet page is invalid or names another pid.
pub const EXIT_BAD_CAPSET: i64 = 103;
/// Exit code when the launch parameters are invalid.
pub const EXIT_BAD_LAUNCH: i64 = 104;

unsafe extern "Rust" {
    /// Defined by the program with [`entry!`](crate::entry).
    fn capos_main(rt: Runtime) -> i64;
}

/// The ELF entry point.
#[unsafe(naked)]
#[unsafe(no_mangle)]
pub extern "C" fn _start() -> ! {
    core::arch::naked_asm!(
        // A zero frame pointer ends the frame chain for debuggers.
        "xor ebp, ebp",
        "call {start}",
        // `start` never returns; trap if it somehow does.
        "ud2",
        start = sym start,
    )
}

extern "C" fn start(ring: u64, pid: u64, capset: u64) -> ! {
    // SAFETY: the kernel maps the heap region read-write before the
    // process starts, and nothing has allocated yet.
    unsafe { heap::init() };
    // SAFETY: RDI is the ring region, mapped read-write for the life of
    // the process and shared only with the kernel.
    let Ok(view) = (unsafe { RingView::new(ring as *mut u8) }) else {
        exit(EXIT_BAD_RING)
    };
    // SAFETY: RDX is the CapSet page, mapped read-only for the life of the
    // process.
    let capset = match unsafe { CapSet::from_ptr(capset as *const _) } {
        Ok(capset) if capset.pid() == pid => capset,
        _ => exit(EXIT_BAD_CAPSET),
    };
    // SAFETY: the kernel maps the launch region read-only at LAUNCH_VADDR
    // for the life of the process, header page always, then as much as its
    // stated length.
    let Ok(launch) = (unsafe { launch::at(LAUNCH_VADDR as *const u8) }) else {
        exit(EXIT_BAD_LAUNCH)
    };
    let ring = Rc::new(RefCell::new(RingClient::new(view, Box::new(Syscalls))));
    let rt = Runtime::new(pid, capset, launch, ring.clone());
    // SAFETY: `entry!` defines `capos_main` with exactly this signature.
    let code = unsafe { capos_main(rt) };
    // Capabilities dropped by `main` queued their releases; hand them to
    // the kernel before exiting. A failure changes nothing: exit drops the
    // whole table.
    let _ = ring.borrow_mut().flush();
    exit(code)
}

/// Declares the program's `main`: `fn main(rt: capos_rt::Runtime) -> i64`.
/// The runtime calls it after start-up and exits with its return value.
#[macro_export]
macro_rules! entry {
    ($main:path) => {
        /// Called by capos-rt once the heap, ring and CapSet are ready.
        #[unsafe(no_mangle)]
        pub fn capos_main(rt: $crate::Runtime) -> i64 {
            let main: fn($crate::Runtime) -> i64 = $main;
            main(rt)
        }
    };
}
