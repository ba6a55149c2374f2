//! Case 5, user stack overflow: a child recurses without bound and must
//! die by a page fault in the unmapped guard page just below its 256 KiB
//! stack, reported to its parent with the faulting address; the kernel
//! and this service carry on.
//!
//! Prints "stack: ..." once; "stack: FAIL ..." and exit code 1 if the
//! child ends any other way.

#![no_std]
#![no_main]

extern crate alloc;

use alloc::format;
use alloc::string::String;
use capos_abi::layout::{PAGE_SIZE, USER_STACK_SIZE, USER_STACK_TOP};
use capos_rt::{Console, ExitStatus, FaultKind, Grant, ProcessSpawner, Runtime, println};
use limits_programs::SMALL_CHILD;

capos_rt::entry!(main);

fn main(mut rt: Runtime) -> i64 {
    let Ok(console) = rt.take::<Console>("console") else {
        return 2;
    };
    match run(&mut rt, &console) {
        Ok(()) => 0,
        Err(why) => {
            println!(console, "stack: FAIL {why}");
            1
        }
    }
}

fn run(rt: &mut Runtime, console: &Console) -> Result<(), String> {
    let spawner = rt
        .take::<ProcessSpawner>("spawner")
        .map_err(|e| format!("spawner: {e}"))?;
    let grants = [Grant::new("console", console)];
    let child = spawner
        .spawn_limited(
            "overflow",
            "limits-overflow",
            &grants,
            &[],
            &[],
            SMALL_CHILD,
        )
        .map_err(|e| format!("spawn: {e}"))?;
    let status = child.wait().map_err(|e| format!("wait: {e}"))?;
    let bottom = USER_STACK_TOP - USER_STACK_SIZE;
    let guard = bottom - PAGE_SIZE..bottom;
    match status {
        ExitStatus::Faulted(fault)
            if fault.kind == FaultKind::PageFault && guard.contains(&fault.addr) =>
        {
            println!(
                console,
                "stack: the recursing child faulted at addr={:#x}, in the guard page {:#x}..{:#x} below its {} KiB stack",
                fault.addr,
                guard.start,
                guard.end,
                USER_STACK_SIZE / 1024
            );
            Ok(())
        }
        other => Err(format!(
            "the child {other}, not a page fault in {:#x}..{:#x}",
            guard.start, guard.end
        )),
    }
}
