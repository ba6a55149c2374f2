//! The one way capOS's host crates run property tests (see
//! docs/development/host-fuzzing.md).
//!
//! Each property states its default number of cases, small enough that
//! `cargo test` stays quick; [`CASES_VAR`] replaces every default for a
//! longer run (`make fuzz-host`). A property that fails panics with the
//! minimal failing input proptest shrank it to, and proptest records the
//! failing seed under `proptest-regressions/` beside the crate's `src/`,
//! where every later run replays it first.

use proptest::strategy::Strategy;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use std::cell::Cell;
use std::panic::Location;
use std::time::Instant;

/// Environment variable: when set to a number, every property runs that
/// many cases instead of its default.
pub const CASES_VAR: &str = "CAPOS_FUZZ_CASES";

/// The number of cases a property with `default` cases runs.
pub fn cases(default: u32) -> u32 {
    std::env::var(CASES_VAR)
        .ok()
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or(default)
}

/// Runs `test` on `cases(default_cases)` values drawn from `strategy`.
/// On success it prints one line naming the test and how many cases ran
/// (seen with `--nocapture`); on failure it panics with the minimal input.
#[track_caller]
pub fn check<S: Strategy>(
    default_cases: u32,
    strategy: S,
    test: impl Fn(S::Value) -> Result<(), TestCaseError>,
) {
    // Config::default() keeps proptest's other PROPTEST_* variables
    // (seed, shrinking) working; the source file locates the regressions.
    let config = Config {
        cases: cases(default_cases),
        source_file: Some(Location::caller().file()),
        ..Config::default()
    };
    let thread = std::thread::current();
    let name = thread.name().unwrap_or("property");
    let ran = Cell::new(0u64);
    let start = Instant::now();
    let result = TestRunner::new(config).run(&strategy, |value| {
        ran.set(ran.get() + 1);
        test(value)
    });
    match result {
        Ok(()) => println!(
            "fuzz: {name}: {} cases in {:.1} s",
            ran.get(),
            start.elapsed().as_secs_f64()
        ),
        Err(error) => panic!("{name}: {error}"),
    }
}
