//! The common shape of the faulting programs: announce, then fault.
//!
//! They prove that a CPU exception in user mode ends only the faulting
//! process and that its parent learns the kind and place of the fault.

use capos_rt::{Console, Runtime, println};

/// Prints "<tag>: about to fault" and runs `trigger`, which must fault.
/// Returns (exit code 1, after saying so) only if the process survived.
pub fn run(mut rt: Runtime, tag: &str, trigger: fn()) -> i64 {
    let Ok(console) = rt.take::<Console>("console") else {
        return 2;
    };
    println!(console, "{tag}: about to fault");
    trigger();
    println!(console, "{tag}: FAIL still running after the fault");
    1
}
