//! Case 6, deaths with calls in flight (docs/architecture/ipc.md, "When
//! things go wrong"):
//!
//! - a client exits while this service holds the call it received: the
//!   RETURN then completes with CANCELLED;
//! - a server exits having received one call, with more queued behind it:
//!   every caller gets CANCELLED, and so does a later call;
//! - a process exits with a capability MOVE in flight, in a call queued at
//!   an Endpoint nobody receives on: the call and the capability go with
//!   it (the kernel's final accounting line proves nothing leaked), and
//!   the next call the Endpoint delivers is a new one.
//!
//! One line per case, "deaths: ..."; "deaths: FAIL ..." and exit code 1
//! otherwise.

#![no_std]
#![no_main]

extern crate alloc;

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use capos_abi::error::{CANCELLED, name};
use capos_rt::{
    Client, Console, Endpoint, EndpointFactory, Error, ExitStatus, Grant, ProcessHandle,
    ProcessSpawner, Runtime, VirtualMemory, println,
};
use limits_programs::{
    DEATHS, SMALL_CHILD, answer, empty_message, method, own_round_trip, recv_from, submit,
};

capos_rt::entry!(main);

/// Calls made to the server that dies: one it receives, the rest queued.
const CALLS: usize = 5;

struct Caps {
    console: Console,
    spawner: ProcessSpawner,
    factory: EndpointFactory,
    memory: VirtualMemory,
}

fn main(mut rt: Runtime) -> i64 {
    let Ok(console) = rt.take::<Console>("console") else {
        return 2;
    };
    let caps = match take(&mut rt, console) {
        Ok(caps) => caps,
        Err((console, why)) => {
            println!(console, "deaths: FAIL {why}");
            return 1;
        }
    };
    let result = held_call(&rt, &caps)
        .and_then(|()| dead_server(&rt, &caps))
        .and_then(|()| moved_in_flight(&rt, &caps));
    match result {
        Ok(()) => 0,
        Err(why) => {
            println!(caps.console, "deaths: FAIL {why}");
            1
        }
    }
}

fn take(rt: &mut Runtime, console: Console) -> Result<Caps, (Console, String)> {
    let spawner = rt.take::<ProcessSpawner>("spawner");
    let factory = rt.take::<EndpointFactory>("endpoints");
    let memory = rt.take::<VirtualMemory>("memory");
    match (spawner, factory, memory) {
        (Ok(spawner), Ok(factory), Ok(memory)) => Ok(Caps {
            console,
            spawner,
            factory,
            memory,
        }),
        _ => Err((console, "missing spawner, endpoints or memory".into())),
    }
}

fn spawn(
    caps: &Caps,
    binary: &str,
    name: &str,
    grants: &[Grant<'_>],
) -> Result<ProcessHandle, String> {
    caps.spawner
        .spawn_limited(name, binary, grants, &[], &[], SMALL_CHILD)
        .map_err(|e| format!("spawn {name}: {e}"))
}

fn exited_0(child: &ProcessHandle, name: &str) -> Result<(), String> {
    match child.wait() {
        Ok(ExitStatus::Exited(0)) => Ok(()),
        Ok(other) => Err(format!("{name} {other}")),
        Err(e) => Err(format!("wait for {name}: {e}")),
    }
}

fn endpoint(caps: &Caps) -> Result<Endpoint, String> {
    caps.factory
        .create(DEATHS)
        .map_err(|e| format!("create endpoint: {e}"))
}

fn held_call(rt: &Runtime, caps: &Caps) -> Result<(), String> {
    let endpoint = endpoint(caps)?;
    let client = endpoint.client().map_err(|e| format!("client: {e}"))?;
    let grants = [
        Grant::new("console", &caps.console),
        Grant {
            name: "server",
            cap: client.cap(),
        },
    ];
    let holder = spawn(caps, "limits-holder", "holder", &grants)?;
    let held = recv_from(rt, &endpoint, &holder)?;
    let go = recv_from(rt, &endpoint, &holder)?;
    if (held.method_id, go.method_id) != (method::HOLD, method::LET_GO) {
        return Err(format!(
            "the holder's calls came as methods {} and {}",
            held.method_id, go.method_id
        ));
    }
    answer(&endpoint, &go)?;
    exited_0(&holder, "the holder")?;
    match endpoint.reply_message(held.call_id, empty_message(), Vec::new()) {
        Err(e) if e.error == Error::Transport(CANCELLED) => {}
        Err(e) => return Err(format!("RETURN to the exited holder: {}", e.error)),
        Ok(()) => return Err("RETURN to the exited holder was delivered".into()),
    }
    println!(
        caps.console,
        "deaths: a caller exited while its call was held; the RETURN got CANCELLED"
    );
    Ok(())
}

fn dead_server(rt: &Runtime, caps: &Caps) -> Result<(), String> {
    let endpoint = endpoint(caps)?;
    let client = endpoint.client().map_err(|e| format!("client: {e}"))?;
    let grants = [
        Grant::new("console", &caps.console),
        Grant::new("endpoint", &endpoint),
    ];
    let server = spawn(caps, "limits-server", "server", &grants)?;
    // The server's copy is now the only owner facet: the Endpoint closes
    // when the server exits.
    endpoint
        .into_cap()
        .release()
        .map_err(|e| format!("release our owner facet: {e}"))?;
    let tokens = {
        let mut ring = rt.ring();
        (0..CALLS)
            .map(|_| submit(&mut ring, &client, method::WAIT))
            .collect::<Result<Vec<_>, _>>()?
    };
    for token in tokens {
        let done = rt
            .ring()
            .wait_for(token)
            .map_err(|e| format!("a call to the server: {e}"))?;
        if done.cqe.result != CANCELLED {
            return Err(format!(
                "a call to the dead server ended with {}",
                name(done.cqe.result)
            ));
        }
    }
    exited_0(&server, "the server")?;
    match client.call_message(method::WAIT, empty_message(), Vec::new()) {
        Err(e) if e.error == Error::Transport(CANCELLED) => {}
        Err(e) => return Err(format!("a call after the server exited: {}", e.error)),
        Ok(_) => return Err("a call after the server exited was answered".into()),
    }
    println!(
        caps.console,
        "deaths: a server exited holding 1 call with {} queued; all {CALLS} callers got CANCELLED, and a later call too",
        CALLS - 1
    );
    Ok(())
}

fn moved_in_flight(rt: &Runtime, caps: &Caps) -> Result<(), String> {
    let endpoint = endpoint(caps)?;
    let client = endpoint.client().map_err(|e| format!("client: {e}"))?;
    let grants = [
        Grant::new("console", &caps.console),
        Grant::new("memory", &caps.memory),
        Grant {
            name: "sink",
            cap: client.cap(),
        },
    ];
    let mover = spawn(caps, "limits-mover", "mover", &grants)?;
    exited_0(&mover, "the mover")?;
    // Nobody received the mover's call: it went with the mover, so the
    // next call delivered is ours.
    own_round_trip(rt, &endpoint, &client)?;
    println!(
        caps.console,
        "deaths: a process exited with a MemoryObject moving in a queued call; the call went with it, and the next call delivered was ours"
    );
    Ok(())
}
