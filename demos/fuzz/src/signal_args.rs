//! fuzz-child's signal mode: the worker's fuzzed Timer.signals and
//! Timer.setUpcall values, which only a disposable child may apply to
//! itself (a worker that set an alarm it does not catch, or a bogus
//! upcall entry, would be killed by its own call). The worker draws them
//! here and passes them as `key=N` arguments; addresses are classes
//! that the child turns into addresses of its own address space.

use crate::rng::Rng;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

/// The argument that turns the mode on; a Timer granted as `timer` is
/// needed too.
pub const MODE: &str = "signals";

/// Classes of `entry=`: where the upcall would resume the child.
pub mod entry {
    /// No Timer.setUpcall at all.
    pub const NONE: u64 = 0;
    /// The child's real entry, which counts the upcall and resumes.
    pub const REAL: u64 = 1;
    /// 0: removes the upcall.
    pub const NULL: u64 = 2;
    pub const KERNEL_HALF: u64 = 3;
    pub const NON_CANONICAL: u64 = 4;
    /// The real entry plus 1 to 7: inside its first instructions.
    pub const MISALIGNED: u64 = 5;
    /// A user page below the image, never mapped.
    pub const UNMAPPED: u64 = 6;
    /// A writable data page (never executable).
    pub const DATA: u64 = 7;
    /// The last byte of user space.
    pub const LAST_USER: u64 = 8;
    /// `raw=`.
    pub const RAW: u64 = 9;
    pub const CLASSES: u64 = 10;
}

/// Classes of `busy=`: the word that holds upcalls off while nonzero.
pub mod busy {
    /// A zero word of the child's: upcalls may come.
    pub const CLEAR: u64 = 0;
    /// A nonzero word: no upcall ever comes.
    pub const HELD: u64 = 1;
    pub const NULL: u64 = 2;
    pub const KERNEL_HALF: u64 = 3;
    pub const UNMAPPED: u64 = 4;
    /// The child's code: readable, not writable.
    pub const READ_ONLY: u64 = 5;
    /// The last 2 bytes of user space: the word straddles its end.
    pub const STRADDLING: u64 = 6;
    pub const RAW: u64 = 7;
    pub const CLASSES: u64 = 8;
}

/// Classes of `ret=`: the return range, where no upcall comes.
pub mod ret {
    /// The real return jump.
    pub const REAL: u64 = 0;
    pub const EMPTY: u64 = 1;
    /// End before start.
    pub const REVERSED: u64 = 2;
    /// Ending one byte past user space.
    pub const PAST_END: u64 = 3;
    /// All of user space: no upcall can ever come.
    pub const EVERYWHERE: u64 = 4;
    pub const CLASSES: u64 = 5;
}

/// Classes of `stack=`: the RSP the child spins with, under which the
/// kernel must write the upcall's frame.
pub mod stack {
    /// Its own stack.
    pub const OWN: u64 = 0;
    /// A page below the image, never mapped.
    pub const UNMAPPED: u64 = 1;
    /// 64: the frame would wrap below address 0.
    pub const NEAR_ZERO: u64 = 2;
    /// Its code: the frame cannot be written there.
    pub const READ_ONLY: u64 = 3;
    pub const KERNEL_HALF: u64 = 4;
    pub const NON_CANONICAL: u64 = 5;
    /// 64 bytes above the bottom of its stack: the frame runs into the
    /// unmapped page below it.
    pub const STACK_BOTTOM: u64 = 6;
    /// Misaligned by 1 to 15 bytes on its own stack.
    pub const MISALIGNED: u64 = 7;
    pub const CLASSES: u64 = 8;
}

/// Most spin iterations (two instructions each): a few milliseconds, a
/// few timer ticks, in which an alarm or a posted signal comes as an
/// upcall.
pub const MAX_SPIN: u64 = 3_000_000;

/// A caught set: none, all, one signal, SIGKILL and SIGSTOP (which no
/// process may catch), all the others, or any (the schema has no bit
/// past 64).
fn caught(rng: &mut Rng) -> u64 {
    const SIGKILL_STOP: u64 = (1 << (9 - 1)) | (1 << (19 - 1));
    match rng.below(8) {
        0 => 0,
        1 => u64::MAX,
        2 => 1 << rng.below(64),
        3 => SIGKILL_STOP,
        4 => !SIGKILL_STOP,
        // SIGALRM (14) and SIGUSR1 (10), SIGTERM (15): what arrives.
        5 => (1 << 13) | (1 << 9) | (1 << 14),
        _ => rng.next_u64(),
    }
}

/// An alarm: none, 1 ns, within the spin, past it, or absurd.
pub fn alarm_ns(rng: &mut Rng) -> u64 {
    match rng.below(8) {
        0 | 1 => 0,
        2 => 1,
        3 | 4 => rng.range(1_000, 3_000_000),
        5 => rng.range(3_000_000, 50_000_000),
        6 => u64::MAX,
        _ => rng.edgy_u64(),
    }
}

/// The Timer.signals fields: (caught, alarmNs, cancelAlarm).
pub fn signal_wait(rng: &mut Rng) -> (u64, u64, bool) {
    (caught(rng), alarm_ns(rng), rng.chance(1, 4))
}

/// The child's arguments for signal mode: half the time a child that
/// should live (its real entry, a clear busy word, its own stack, every
/// signal caught, an alarm within the spin), so that upcalls are taken
/// and return; else every field at random.
pub fn child_argv(rng: &mut Rng) -> Vec<String> {
    if rng.chance(1, 2) {
        let stack = *rng.pick(&[stack::OWN, stack::MISALIGNED]);
        return argv(&[
            ("caught", u64::MAX),
            ("alarm", rng.range(1_000, 2_000_000)),
            ("cancel", 0),
            ("entry", entry::REAL),
            ("busy", busy::CLEAR),
            ("ret", ret::REAL),
            ("stack", stack),
            ("spin", rng.range(MAX_SPIN / 2, MAX_SPIN)),
            ("raw", rng.next_u64()),
            ("again", rng.below(2)),
        ]);
    }
    let (caught, alarm, cancel) = signal_wait(rng);
    let entry = if rng.chance(1, 2) {
        entry::REAL
    } else {
        rng.below(entry::CLASSES)
    };
    let busy = if rng.chance(2, 3) {
        busy::CLEAR
    } else {
        rng.below(busy::CLASSES)
    };
    let ret = if rng.chance(3, 4) {
        ret::REAL
    } else {
        rng.below(ret::CLASSES)
    };
    let stack = if rng.chance(1, 2) {
        stack::OWN
    } else {
        rng.below(stack::CLASSES)
    };
    let values = [
        ("caught", caught),
        ("alarm", alarm),
        ("cancel", u64::from(cancel)),
        ("entry", entry),
        ("busy", busy),
        ("ret", ret),
        ("stack", stack),
        ("spin", rng.below(MAX_SPIN + 1)),
        ("raw", rng.edgy_u64()),
        ("again", rng.below(2)),
    ];
    argv(&values)
}

fn argv(values: &[(&str, u64)]) -> Vec<String> {
    let mut argv = Vec::with_capacity(values.len() + 1);
    argv.push(format!("{MODE}=1"));
    for (key, value) in values {
        argv.push(format!("{key}={value}"));
    }
    argv
}
