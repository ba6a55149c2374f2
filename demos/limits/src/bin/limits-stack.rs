//! Case 5, user stack overflow: a child recurses without bound and must
//! die by a page fault in the unmapped guard page just below its 256 KiB
//! stack, reported to its parent with the faulting address; the kernel
//! and this service carry on. Then the same child with a memory quota too
//! small for a whole stack: the stack is demand-zero, so it dies by a page
//! fault inside its stack, at the first page its quota cannot pay for.
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

use limits_programs::run_case;

capos_rt::entry!(main);

fn main(mut rt: Runtime) -> i64 {
    run_case(&mut rt, "stack", run)
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
        }
        other => {
            return Err(format!(
                "the child {other}, not a page fault in {:#x}..{:#x}",
                guard.start, guard.end
            ));
        }
    }

    let starved = spawner
        .spawn_limited(
            "starved",
            "limits-overflow",
            &grants,
            &[],
            &[],
            capos_rt::Limits {
                memory_bytes: STARVED_MEMORY,
                ..SMALL_CHILD
            },
        )
        .map_err(|e| format!("spawn with {STARVED_MEMORY} bytes: {e}"))?;
    let stack = bottom..USER_STACK_TOP;
    match starved.wait().map_err(|e| format!("wait: {e}"))? {
        ExitStatus::Faulted(fault)
            if fault.kind == FaultKind::PageFault && stack.contains(&fault.addr) =>
        {
            println!(
                console,
                "stack: with {} KiB of memory the recursing child faulted inside its stack at addr={:#x}: no frame left for the page",
                STARVED_MEMORY / 1024,
                fault.addr
            );
            Ok(())
        }
        other => Err(format!(
            "the starved child {other}, not a page fault in its stack {:#x}..{:#x}",
            stack.start, stack.end
        )),
    }
}

/// Enough for the child's image, ring and tables and part of its stack,
/// not for the whole stack.
const STARVED_MEMORY: u64 = 192 * 1024;
