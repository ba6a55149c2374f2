//! Case 3, processes: spawns small children, each blocked in a call to
//! this service, until a spawn is refused because this service's quotas
//! cannot cover one more child. It then answers them all, waits for them
//! to exit, and shows that a spawn works again once they are gone: their
//! quotas came back.
//!
//! Prints "procs: ..." twice; "procs: FAIL ..." and exit code 1 if the
//! refusal is not a quota's or a child does not exit 0.

#![no_std]
#![no_main]

extern crate alloc;

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use capos_rt::{
    Console, Endpoint, EndpointFactory, ExitStatus, Grant, Limits, ProcessHandle, ProcessSpawner,
    Runtime, Share, println,
};
use limits_programs::{PROCS, SMALL_CHILD, answer, method, quota_reason, recv_from, run_case};

capos_rt::entry!(main);

/// More children than the quotas allow: a loop that never ends is a failure.
const RUNAWAY: usize = 1000;

fn main(mut rt: Runtime) -> i64 {
    run_case(&mut rt, "procs", run)
}

fn run(rt: &mut Runtime, console: &Console) -> Result<(), String> {
    let spawner = rt
        .take::<ProcessSpawner>("spawner")
        .map_err(|e| format!("spawner: {e}"))?;
    let factory = rt
        .take::<EndpointFactory>("endpoints")
        .map_err(|e| format!("endpoints: {e}"))?;
    let endpoint = factory
        .create(PROCS)
        .map_err(|e| format!("create endpoint: {e}"))?;
    let client = endpoint
        .client()
        .map_err(|e| format!("client facet: {e}"))?;
    let grants = [Grant {
        name: "parent",
        cap: client.cap(),
    }];
    let spawn = || spawner.spawn_limited("waiter", "limits-waiter", &grants, &[], &[], SMALL_CHILD);

    let mut children = Vec::new();
    let refusal = loop {
        match spawn() {
            Ok(child) => children.push(child),
            Err(e) => break e,
        }
        if children.len() > RUNAWAY {
            return Err("spawn never refused".into());
        }
    };
    let reason = quota_reason("spawn", refusal)?;
    let count = children.len();
    if count < 2 {
        return Err(format!("only {count} children before the refusal"));
    }
    println!(
        console,
        "procs: {count} children running, the next spawn refused ({reason})"
    );
    let_go(rt, &endpoint, &children)?;
    drop(children);

    let child = spawn().map_err(|e| format!("spawn after the children exited: {e}"))?;
    let_go(rt, &endpoint, &[child])?;
    println!(
        console,
        "procs: all {count} answered and exited 0; a spawn after they were gone worked"
    );

    // Shares (docs/architecture/resource-limits.md, "Sizing a child"):
    // each child given half of what is left leaves half for the next, so
    // a few fit and then one is refused by a quota.
    let half = || {
        spawner
            .spawn_shared("waiter", "limits-waiter", &grants, &[], &[], Share::Half)
            .map(|child| child.handle)
    };
    let mut halves = Vec::new();
    let refusal = loop {
        match half() {
            Ok(child) => halves.push(child),
            Err(e) => break e,
        }
        if halves.len() > RUNAWAY {
            return Err("half shares never refused".into());
        }
    };
    let reason = quota_reason("half share", refusal)?;
    let halved = halves.len();
    if halved < 2 {
        return Err(format!("only {halved} half shares before the refusal"));
    }
    let_go(rt, &endpoint, &halves)?;
    drop(halves);
    // A child that joins this service's account runs inside its quotas
    // and gives its membership back at exit (the final accounting line).
    let joined = spawner
        .spawn_shared(
            "waiter",
            "limits-waiter",
            &grants,
            &[],
            &[],
            Share::JoinCaller,
        )
        .map_err(|e| format!("a joined child: {e}"))?;
    let_go(rt, &endpoint, &[joined.handle])?;
    println!(
        console,
        "procs: {halved} children of half shares, the next refused ({reason}); a joined child exited 0"
    );

    // Quotas too small for the child's own start (its process structures,
    // its ring and CapSet): the spawn fails part way through building it,
    // and what was built goes (the kernel's final accounting line proves
    // it). Its heap and stack need nothing at start: they are demand-zero.
    let too_small = |limits: Limits, what: &str| match spawner.spawn_limited(
        "tiny",
        "limits-waiter",
        &grants,
        &[],
        &[],
        limits,
    ) {
        Ok(_) => Err(format!("{what}: spawned")),
        Err(e) => quota_reason(what, e),
    };
    let kernel = too_small(
        Limits {
            kernel_bytes: 16 * 1024,
            ..SMALL_CHILD
        },
        "a child with 16 KiB of kernel memory",
    )?;
    let memory = too_small(
        Limits {
            memory_bytes: 8 * 1024,
            ..SMALL_CHILD
        },
        "a child with 8 KiB of memory",
    )?;
    println!(
        console,
        "procs: children too small to start refused ({kernel}) and ({memory})"
    );
    Ok(())
}

/// Answers the call each child is blocked in, then waits for every child
/// to exit 0.
fn let_go(rt: &Runtime, endpoint: &Endpoint, children: &[ProcessHandle]) -> Result<(), String> {
    // Calls come in any order; one per child.
    for child in children {
        let call = recv_from(rt, endpoint, child)?;
        if call.method_id != method::WAIT {
            return Err(format!("received method {}", call.method_id));
        }
        answer(endpoint, &call)?;
    }
    for child in children {
        match child.wait() {
            Ok(ExitStatus::Exited(0)) => {}
            Ok(other) => return Err(format!("a child {other}")),
            Err(e) => return Err(format!("wait: {e}")),
        }
    }
    Ok(())
}
