//! Time: the PIT ticks at [`TICK_HZ`] for preemption and deadlines; the TSC,
//! calibrated against those ticks at boot, gives nanosecond reads; the CMOS
//! RTC, read once at boot, anchors the wall clock.

use core::sync::atomic::{AtomicU64, Ordering};

use crate::arch::cpu::{inb, outb, rdtsc, wait_for_interrupt};

pub const TICK_HZ: u64 = 1000;
const PIT_HZ: u64 = 1_193_182;

static TICKS: AtomicU64 = AtomicU64::new(0);
static TSC_START: AtomicU64 = AtomicU64::new(0);
static TSC_HZ: AtomicU64 = AtomicU64::new(0);
static BOOT_UNIX_NS: AtomicU64 = AtomicU64::new(0);
/// The TSC when the idle loop last halted; 0 while not halted.
static IDLE_SINCE: AtomicU64 = AtomicU64::new(0);
/// TSC ticks spent halted in the idle loop since boot (Timer.idle).
static IDLE_TICKS: AtomicU64 = AtomicU64::new(0);

pub fn init_pit() {
    let divisor = (PIT_HZ / TICK_HZ) as u16;
    outb(0x43, 0x34); // channel 0, lo/hi byte, rate generator
    outb(0x40, divisor as u8);
    outb(0x40, (divisor >> 8) as u8);
}

/// Called from the timer interrupt.
pub fn tick() {
    TICKS.fetch_add(1, Ordering::Relaxed);
}

/// Measures the TSC rate over `CALIBRATION_TICKS` PIT ticks. Interrupts must
/// be routed (PIC and PIT initialised); they are enabled only while waiting.
pub fn calibrate() {
    const CALIBRATION_TICKS: u64 = 50;
    let start_tick = TICKS.load(Ordering::Relaxed);
    while TICKS.load(Ordering::Relaxed) == start_tick {
        wait_for_interrupt();
    }
    let t0 = rdtsc();
    let first = TICKS.load(Ordering::Relaxed);
    while TICKS.load(Ordering::Relaxed) < first + CALIBRATION_TICKS {
        wait_for_interrupt();
    }
    let hz = (rdtsc() - t0) * TICK_HZ / CALIBRATION_TICKS;
    TSC_HZ.store(hz.max(1), Ordering::Relaxed);
    TSC_START.store(t0, Ordering::Relaxed);
    BOOT_UNIX_NS.store(read_rtc_unix() * 1_000_000_000, Ordering::Relaxed);
}

/// Monotonic nanoseconds since calibration.
pub fn now_ns() -> u64 {
    let hz = TSC_HZ.load(Ordering::Relaxed);
    if hz == 0 {
        return 0;
    }
    let delta = rdtsc().saturating_sub(TSC_START.load(Ordering::Relaxed));
    (delta as u128 * 1_000_000_000 / hz as u128) as u64
}

/// The idle loop is about to halt.
pub fn idle_begin() {
    IDLE_SINCE.store(rdtsc(), Ordering::Relaxed);
}

/// The halt ended: called first thing by every interrupt, so the handler's
/// work counts as busy, and after the halt (a no-op then).
pub fn idle_end() {
    let since = IDLE_SINCE.swap(0, Ordering::Relaxed);
    if since != 0 {
        IDLE_TICKS.fetch_add(rdtsc().saturating_sub(since), Ordering::Relaxed);
    }
}

/// TSC ticks, and nanoseconds, spent halted since boot.
pub fn idle() -> (u64, u64) {
    let ticks = IDLE_TICKS.load(Ordering::Relaxed);
    let hz = TSC_HZ.load(Ordering::Relaxed).max(1);
    (ticks, (ticks as u128 * 1_000_000_000 / hz as u128) as u64)
}

pub fn wall_clock_ns() -> u64 {
    BOOT_UNIX_NS.load(Ordering::Relaxed) + now_ns()
}

pub fn tsc_mhz() -> u64 {
    TSC_HZ.load(Ordering::Relaxed) / 1_000_000
}

fn cmos(reg: u8) -> u8 {
    outb(0x70, reg);
    inb(0x71)
}

/// Seconds since the Unix epoch from the CMOS RTC (assumed to hold UTC, as
/// QEMU's does by default).
fn read_rtc_unix() -> u64 {
    // Wait out an update in progress, then read until two reads agree.
    let read = || {
        while cmos(0x0a) & 0x80 != 0 {}
        [
            cmos(0x00),
            cmos(0x02),
            cmos(0x04),
            cmos(0x07),
            cmos(0x08),
            cmos(0x09),
            cmos(0x32),
        ]
    };
    let mut r = read();
    loop {
        let again = read();
        if again == r {
            break;
        }
        r = again;
    }
    let status_b = cmos(0x0b);
    let bcd = |v: u8| {
        if status_b & 0x04 == 0 {
            (v & 0x0f) + (v >> 4) * 10
        } else {
            v
        }
    };
    let [sec, min, hour_raw, day, month, year, century] = r;
    let mut hour = bcd(hour_raw & 0x7f) as u64;
    if status_b & 0x02 == 0 {
        // 12-hour mode: 12 AM is hour 0, the PM bit adds 12.
        hour = hour % 12 + if hour_raw & 0x80 != 0 { 12 } else { 0 };
    }
    let century = match bcd(century) {
        c @ 19..=21 => c as u64,
        _ => 20,
    };
    let year = century * 100 + bcd(year) as u64;
    let (month, day, min, sec) = (
        bcd(month) as u64,
        bcd(day) as u64,
        bcd(min) as u64,
        bcd(sec) as u64,
    );
    capos_lib::civil::unix_seconds(year, month, day, hour, min, sec).unwrap_or_else(|| {
        crate::kprintln!("kernel: RTC reads an invalid date; wall clock starts at the epoch");
        0
    })
}
