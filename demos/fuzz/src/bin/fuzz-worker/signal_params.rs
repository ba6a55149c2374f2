//! Params of the signal methods: Timer.signals (caught sets of every
//! shape, alarms of 0, 1 ns, short, long and absurd, cancels),
//! Timer.setUpcall (entries, busy words and return ranges in every
//! address class), ProcessHandle.signal (0, every signal, 65 to 255).
//!
//! Timer.signals and setUpcall act on their caller, and some would end
//! it: an alarm it does not catch (SIGALRM's default action), an upcall
//! entry that is not code (SIGSEGV when a caught signal, SIGCHLD say,
//! comes). [`check`] keeps those off the worker, which sends such values
//! to a fuzz-child to apply to itself instead (fuzz_programs::signal_args).

use crate::caps::Caps;
use alloc::vec::Vec;
use capos_abi::layout::{PAGE_SIZE, USER_IMAGE_BASE, USER_SPACE_END};
use capos_rt::message::build;
use capos_schema::{process_handle, timer};
use fuzz_programs::rng::Rng;
use fuzz_programs::signal_args;

/// An address of the worker's own space, in one of the classes the kernel
/// must tell apart: null, kernel half, non-canonical, misaligned or
/// straddling the end of user space, unmapped, a real mapping, its code.
fn address(rng: &mut Rng, caps: &Caps) -> u64 {
    let mapped = |rng: &mut Rng| match caps.mappings.first() {
        Some(&(addr, _)) => addr,
        None => USER_IMAGE_BASE + rng.below(4) * PAGE_SIZE,
    };
    match rng.below(9) {
        0 => 0,
        1 => 0xffff_8000_0000_0000 + rng.below(1 << 20) * 8,
        2 => USER_SPACE_END + rng.below(1 << 20) * 8,
        3 => mapped(rng) + rng.range(1, 7),
        4 => PAGE_SIZE * rng.range(1, 16),
        5 => mapped(rng),
        6 => USER_IMAGE_BASE,
        7 => USER_SPACE_END - rng.range(1, 8),
        _ => rng.edgy_u64(),
    }
}

pub fn signals(rng: &mut Rng) -> Vec<u64> {
    let (caught, alarm, cancel) = signal_args::signal_wait(rng);
    build::<timer::signals_params::Owned>(|mut p| {
        p.set_caught(caught);
        p.set_alarm_ns(alarm);
        p.set_cancel_alarm(cancel);
    })
}

pub fn set_upcall(rng: &mut Rng, caps: &Caps) -> Vec<u64> {
    let entry = if rng.chance(1, 4) {
        0
    } else {
        address(rng, caps)
    };
    let busy = address(rng, caps);
    let (start, end) = match rng.below(5) {
        0 => (0, 0),
        1 => (0, USER_SPACE_END),
        2 => (USER_SPACE_END, USER_SPACE_END + 1),
        3 => {
            let (a, b) = (address(rng, caps), address(rng, caps));
            (a.max(b), a.min(b))
        }
        _ => (address(rng, caps), address(rng, caps)),
    };
    build::<timer::set_upcall_params::Owned>(|mut p| {
        p.set_entry(entry);
        p.set_busy(busy);
        p.set_return_start(start);
        p.set_return_end(end);
    })
}

/// A signal number: 0, one of 1 to 64 (mostly the common ones), or
/// 65 to 255.
pub fn handle_signal(rng: &mut Rng) -> Vec<u64> {
    let signal = match rng.below(8) {
        0 => 0,
        1 => 255,
        2 => rng.range(65, 254) as u8,
        3 => *rng.pick(&[9u8, 14, 15, 17, 19, 2, 10, 13]),
        _ => rng.range(1, 64) as u8,
    };
    build::<process_handle::signal_params::Owned>(|mut p| p.set_signal(signal))
}

/// Whether Timer.signals or setUpcall params (decoded as the kernel
/// decodes them) leave the worker alive: no alarm set, and no upcall
/// registered (entry 0, or addresses the kernel refuses).
pub fn harmless_signals(p: timer::signals_params::Reader<'_>) -> bool {
    p.get_cancel_alarm() || p.get_alarm_ns() == 0
}

pub fn harmless_upcall(p: timer::set_upcall_params::Reader<'_>) -> bool {
    p.get_entry() == 0
        || capos_abi::upcall::check_addresses(
            p.get_entry(),
            p.get_busy(),
            p.get_return_start(),
            p.get_return_end(),
        )
        .is_err()
}
