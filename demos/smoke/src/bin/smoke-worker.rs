//! A well-behaved program: uses the console and timer the way real
//! programs will, and checks every answer. One "worker: ... ok" line per
//! step; "worker: FAIL <step>: <why>" and exit code 1 on the first failure.

#![no_std]
#![no_main]

extern crate alloc;

use alloc::format;
use alloc::string::{String, ToString};
use capos_abi::error;
use capos_rt::{CallRequest, Client, Console, Reply, Runtime, Timer, message, println};
use capos_schema::{interface_id, timer};

capos_rt::entry!(main);

const MS: u64 = 1_000_000;
/// 2020-01-01T00:00:00Z and 2100-01-01T00:00:00Z in Unix nanoseconds.
const WALL_CLOCK_MIN: u64 = 1_577_836_800_000_000_000;
const WALL_CLOCK_MAX: u64 = 4_102_444_800_000_000_000;
const NOP_BATCH: u32 = 16;

fn main(mut rt: Runtime) -> i64 {
    let Ok(console) = rt.take::<Console>("console") else {
        return 2;
    };
    println!(console, "worker: hello from ring 3 (pid {})", rt.pid());
    match run(&mut rt, &console) {
        Ok(()) => {
            println!(console, "worker: done");
            0
        }
        Err(why) => {
            println!(console, "worker: FAIL {why}");
            1
        }
    }
}

fn run(rt: &mut Runtime, console: &Console) -> Result<(), String> {
    let timer = rt
        .take::<Timer>("timer")
        .map_err(|e| format!("timer: {e}"))?;

    // First, so it overlaps smoke-hostile's check (started at the same
    // time) and the two processes block holding different patterns.
    smoke_programs::sse::check_across_sleep(&timer, 0x5157_0000_0000_0001 ^ rt.pid())
        .map_err(|e| format!("sse: {e}"))?;
    println!(console, "worker: sse state ok");

    let fs = fs_base_across_sleep(&timer, 0x7000_0000_1000 + (rt.pid() << 12))?;
    println!(console, "worker: fs base kept across a sleep ({fs:#x})");

    let (t1, t2) = (now(&timer)?, now(&timer)?);
    if t2 < t1 {
        return Err(format!("timer: now went back from {t1} to {t2}"));
    }
    println!(console, "worker: timer monotonic ok ({t1} <= {t2})");

    let wall = timer.wall_clock().map_err(|e| format!("wall clock: {e}"))?;
    if !(WALL_CLOCK_MIN..WALL_CLOCK_MAX).contains(&wall) {
        return Err(format!(
            "wall clock: {wall} ns is not between 2020 and 2100"
        ));
    }
    println!(
        console,
        "worker: wall clock ok (unix {} s)",
        wall / 1_000_000_000
    );

    let elapsed = concurrent_sleeps(&timer)?;
    println!(
        console,
        "worker: sleep ok (10 ms before 30 ms, {} ms elapsed)",
        elapsed / MS
    );

    let done = rt
        .ring()
        .nop_batch(NOP_BATCH)
        .map_err(|e| format!("nop batch: {e}"))?;
    if done != NOP_BATCH {
        return Err(format!(
            "nop batch: {done} of {NOP_BATCH} completed in one cap_enter"
        ));
    }
    println!(console, "worker: nop batch ok ({done})");

    float_math()?;
    println!(console, "worker: float math ok");

    let code = call_after_drop(rt, timer)?;
    println!(
        console,
        "worker: release ok (old id refused with {})",
        error::name(code)
    );
    Ok(())
}

fn now(timer: &Timer) -> Result<u64, String> {
    timer.now().map_err(|e| format!("timer: {e}"))
}

/// Two sleeps in flight at once: the shorter must complete first, and both
/// must take at least their time. Returns the elapsed nanoseconds.
fn concurrent_sleeps(timer: &Timer) -> Result<u64, String> {
    let fail = |e: capos_rt::Error| format!("sleep: {e}");
    let start = now(timer)?;
    let long = timer.sleep_async(30 * MS).map_err(fail)?;
    let short = timer.sleep_async(10 * MS).map_err(fail)?;
    let long: Reply = long.wait().map_err(fail)?;
    let short: Reply = short.wait().map_err(fail)?;
    let elapsed = now(timer)? - start;
    if short.seq() > long.seq() {
        return Err("sleep: the 30 ms sleep completed before the 10 ms one".to_string());
    }
    if elapsed < 30 * MS {
        return Err(format!("sleep: both sleeps done after only {elapsed} ns"));
    }
    Ok(elapsed)
}

/// The Basel sum: software floating point (this target has no SSE in
/// Rust code), compared with its closed form.
fn float_math() -> Result<(), String> {
    const N: u32 = 2000;
    let sum: f64 = (1..=N).map(|n| 1.0 / (f64::from(n) * f64::from(n))).sum();
    // pi^2/6 minus the tail beyond N (Euler-Maclaurin: 1/N - 1/2N^2 + 1/6N^3).
    let n = f64::from(N);
    let expected = core::f64::consts::PI * core::f64::consts::PI / 6.0 - 1.0 / n
        + 1.0 / (2.0 * n * n)
        - 1.0 / (6.0 * n * n * n);
    let diff = sum - expected;
    if !(-1e-10..1e-10).contains(&diff) {
        return Err(format!(
            "float: Basel sum {sum} differs from {expected} by {diff}"
        ));
    }
    Ok(())
}

/// Drops the timer (which queues its RELEASE) and calls Timer.now with the
/// old id: the release must have happened, so the call is refused.
fn call_after_drop(rt: &Runtime, timer: Timer) -> Result<i32, String> {
    let old_id = timer.cap().id();
    drop(timer);
    let request = CallRequest {
        cap_id: old_id,
        interface_id: interface_id::TIMER,
        method_id: 0,
        params: message::build::<timer::now_params::Owned>(|_| {}),
        result_bytes: 64,
    };
    let completion = rt
        .ring()
        .call(request)
        .map_err(|e| format!("release: {e}"))?;
    match completion.cqe.result {
        code @ (error::STALE_CAP | error::INVALID_CAP) => Ok(code),
        code => Err(format!(
            "release: a call with the released id got {} ({code})",
            error::name(code)
        )),
    }
}

/// Sets FS base (as a C library does for its thread pointer), blocks so
/// other processes run, and checks the kernel gave the value back.
fn fs_base_across_sleep(timer: &Timer, value: u64) -> Result<u64, String> {
    // SAFETY: the kernel enables CR4.FSGSBASE; this program does not use
    // FS-relative addressing, so any value is harmless.
    unsafe { core::arch::asm!("wrfsbase {}", in(reg) value, options(nostack)) };
    timer
        .sleep(5 * MS)
        .map_err(|e| format!("fs base: sleep: {e}"))?;
    let got: u64;
    // SAFETY: reading FS base has no side effects.
    unsafe { core::arch::asm!("rdfsbase {}", out(reg) got, options(nostack)) };
    if got != value {
        return Err(format!(
            "fs base: set {value:#x}, read back {got:#x} after a sleep"
        ));
    }
    Ok(got)
}
