//! A hostile ring client: submits every kind of malformed request and
//! checks that the kernel refuses each with exactly the documented error
//! code, then corrupts its own ring header and shows the kernel refuses the
//! ring without harm and the ring works again once repaired.
//!
//! Prints "hostile: <case> refused (<CODE>)" per case and "hostile: all
//! refused" at the end (exit 0), or "hostile: FAIL <case> got <code>"
//! (exit 1).

#![no_std]
#![no_main]

extern crate alloc;

mod cases;
mod probe;

use alloc::format;
use alloc::string::String;
use capos_abi::error;
use capos_rt::{Console, Runtime, Timer, println};
use probe::Probe;

capos_rt::entry!(main);

fn main(mut rt: Runtime) -> i64 {
    let Ok(console) = rt.take::<Console>("console") else {
        return 2;
    };
    let timer = match rt.take::<Timer>("timer") {
        Ok(timer) => timer,
        Err(e) => {
            println!(console, "hostile: FAIL timer got {e}");
            return 1;
        }
    };
    if let Err(e) =
        smoke_programs::sse::check_across_sleep(&timer, 0x4057_0000_0000_0002 ^ rt.pid())
    {
        println!(console, "hostile: FAIL sse state got {e}");
        return 1;
    }
    println!(console, "hostile: sse state ok");
    let mut probe = Probe::new(&rt, &console);
    match run(&mut probe, timer) {
        Ok(()) => {
            println!(console, "hostile: all refused ({} cases)", probe.refused());
            0
        }
        Err(failure) => {
            println!(console, "hostile: FAIL {failure}");
            1
        }
    }
}

fn run(probe: &mut Probe<'_>, timer: Timer) -> Result<(), String> {
    probe.baseline_works()?;
    for case in cases::SQE_CASES {
        probe.refuse(case)?;
    }
    probe.result_too_small(&timer)?;
    probe.stale_after_release(timer)?;
    probe.bad_cap_enter_arguments()?;
    probe.corrupt_ring_header()?;
    Ok(())
}

/// "<case> got <CODE> (<n>)", the failure line's tail.
fn got(case: &str, code: i32) -> String {
    format!("{case} got {} ({code})", error::name(code))
}
