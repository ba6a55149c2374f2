//! Hostile requests to the process and IPC machinery: each must be refused
//! with a clear error while the system carries on. One line per case,
//! "hostile-spawn: <case> refused (<error>)"; "hostile-spawn: FAIL ..."
//! and exit code 1 on the first one that is not refused as it must be.

#![no_std]
#![no_main]

extern crate alloc;

use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use capos_abi::error::{MESSAGE_TOO_LARGE, NOT_TRANSFERABLE, TOO_MANY_PENDING};
use capos_abi::ring::MAX_PENDING_CALLS;
use capos_rt::{
    CallRequest, Client, Console, EndpointFactory, Error, ExceptionType, ExitStatus, Grant,
    ProcessSpawner, Runtime, Timer, Transfer, message, println,
};
use capos_schema::{console::write_line_params, interface_id, process_spawner};

capos_rt::entry!(main);

const ARGS: &str = "spawn-args";

fn main(mut rt: Runtime) -> i64 {
    let Ok(console) = rt.take::<Console>("console") else {
        return 2;
    };
    match run(&mut rt, &console) {
        Ok(n) => {
            println!(console, "hostile-spawn: all refused ({n} cases)");
            0
        }
        Err(why) => {
            println!(console, "hostile-spawn: FAIL {why}");
            1
        }
    }
}

/// Checks that `result` failed with exception kind `kind`; returns its reason.
fn refused<T>(case: &str, result: Result<T, Error>, kind: ExceptionType) -> Result<String, String> {
    match result {
        Err(Error::Application { kind: k, reason }) if k == kind => Ok(reason),
        Err(e) => Err(format!("{case}: wrong error {e}")),
        Ok(_) => Err(format!("{case}: accepted")),
    }
}

fn run(rt: &mut Runtime, console: &Console) -> Result<usize, String> {
    let spawner = rt
        .take::<ProcessSpawner>("spawner")
        .map_err(|e| format!("spawner: {e}"))?;
    let timer = rt
        .take::<Timer>("timer")
        .map_err(|e| format!("timer: {e}"))?;
    let factory = rt
        .take::<EndpointFactory>("endpoints")
        .map_err(|e| format!("endpoints: {e}"))?;
    let mut cases = 0;
    let mut report = |case: &str, why: &str| {
        println!(console, "hostile-spawn: {case} refused ({why})");
        cases += 1;
    };
    let console_grant = [Grant::new("console", console)];

    let r = refused(
        "unknown binary",
        spawner.spawn("x", "no-such-binary", &[]),
        ExceptionType::Failed,
    )?;
    report("unknown binary", &r);

    let narrow = spawner
        .restrict(&[ARGS])
        .map_err(|e| format!("restrict: {e}"))?;
    let r = refused(
        "binary outside the allowlist",
        narrow.spawn("c", "spawn-client", &[]),
        ExceptionType::Failed,
    )?;
    report("binary outside the allowlist", &r);
    let r = refused(
        "widening an allowlist",
        narrow.restrict(&[ARGS, "spawn-echo"]),
        ExceptionType::Failed,
    )?;
    report("widening an allowlist", &r);
    // The narrowed spawner still does what it allows.
    let child = narrow
        .spawn_with(
            ARGS,
            ARGS,
            &console_grant,
            &[ARGS, "from", "hostile"],
            &["GREETING=from hostile"],
        )
        .map_err(|e| format!("allowed spawn: {e}"))?;

    // A grant naming a capability id this process does not hold.
    let request = CallRequest {
        cap_id: spawner.cap().id(),
        interface_id: interface_id::PROCESS_SPAWNER,
        method_id: 0,
        params: message::build::<process_spawner::spawn_params::Owned>(|mut p| {
            p.set_name("x");
            p.set_binary(ARGS);
            let mut g = p.init_grants(1).get(0);
            g.set_name("console");
            g.set_cap_id(0x0001_0fff);
        }),
        result_bytes: 1024,
    };
    let completion = rt
        .ring()
        .call(request)
        .map_err(|e| format!("raw spawn: {e}"))?;
    let r = refused(
        "grant of a capability not held",
        capos_rt::Reply::from_completion(completion),
        ExceptionType::Failed,
    )?;
    report("grant of a capability not held", &r);

    let twice = [
        Grant::new("console", console),
        Grant::new("console", &timer),
    ];
    let r = refused(
        "duplicate grant names",
        spawner.spawn("x", ARGS, &twice),
        ExceptionType::Failed,
    )?;
    report("duplicate grant names", &r);

    // More arguments than the launch region takes (capos_lib::launch::MAX_ARGS).
    let many = vec!["a"; 2000];
    let r = refused(
        "argv with too many entries",
        spawner.spawn_with("x", ARGS, &[], &many, &[]),
        ExceptionType::Failed,
    )?;
    report("argv with too many entries", &r);
    // A request bigger than any message the kernel takes.
    let huge = "a".repeat(70 * 1024);
    match spawner.spawn_with("x", ARGS, &[], &[huge.as_str()], &[]) {
        Err(Error::Transport(MESSAGE_TOO_LARGE)) => {
            report("oversized spawn request", "MESSAGE_TOO_LARGE")
        }
        other => {
            return Err(format!(
                "oversized spawn request gave {:?}",
                other.map(|_| ())
            ));
        }
    }

    // A ProcessHandle cannot leave its holder, not even to ourselves.
    let endpoint = factory
        .create(0x1234)
        .map_err(|e| format!("create endpoint: {e}"))?;
    let client = endpoint
        .client()
        .map_err(|e| format!("client facet: {e}"))?;
    let sent =
        client.call::<write_line_params::Owned>(0, |_| {}, vec![Transfer::Copy(child.cap())]);
    match sent {
        Err(e) if e.error.transport_code() == Some(NOT_TRANSFERABLE) => {
            report("sending a ProcessHandle", "NOT_TRANSFERABLE")
        }
        Err(e) => return Err(format!("sending a ProcessHandle: wrong error {}", e.error)),
        Ok(_) => return Err("sending a ProcessHandle: accepted".into()),
    }

    // Fill the capability table with client facets until it refuses.
    let mut facets = Vec::new();
    let full = loop {
        match endpoint.client() {
            Ok(c) => facets.push(c),
            Err(e) => break e,
        }
        if facets.len() > 1000 {
            return Err("capability table never filled".into());
        }
    };
    let r = refused(
        "capability table full",
        Err::<(), _>(full),
        ExceptionType::Overloaded,
    )?;
    report(
        "capability table full",
        &format!("{r} after {} more", facets.len()),
    );
    drop(facets);

    // More calls in flight than the limit: the excess fail at once.
    let sleeps: Vec<_> = (0..MAX_PENDING_CALLS + 8)
        .map(|_| timer.sleep_async(200_000_000))
        .collect::<Result<_, _>>()
        .map_err(|e| format!("sleep_async: {e}"))?;
    let refused_count = sleeps
        .into_iter()
        .map(|s| s.wait())
        .filter(|r| matches!(r, Err(e) if e.transport_code() == Some(TOO_MANY_PENDING)))
        .count();
    if refused_count == 0 {
        return Err("no call was refused for too many pending".into());
    }
    report(
        "calls beyond the pending limit",
        &format!("TOO_MANY_PENDING x{refused_count}"),
    );

    match child.wait().map_err(|e| format!("wait: {e}"))? {
        ExitStatus::Exited(0) => {}
        other => return Err(format!("the allowed child ended {other}")),
    }
    Ok(cases)
}
