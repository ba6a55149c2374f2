//! Before the round: the arguments, the statistics page, the arena, the
//! capabilities granted and the derived ones, and the ring taken over.
//! This part uses capos-rt's typed clients; once the ring is taken over
//! nothing may use them again.

use crate::arena::{ARENA_LEN, Arena, MAPPING_LEN};
use crate::caps::{Caps, Kind, Target};
use crate::fuzzer::{Fuzzer, Parts};
use crate::pipes::RoundPipes;
use crate::ring::Ring;
use crate::sqe::FUZZ_INTERFACE;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;
use capos_abi::layout::PAGE_SIZE;
use capos_rt::{
    Client, EndpointFactory, Grant, Limits, MemoryObject, PROT_NONE, PROT_READ, PROT_WRITE,
    PipeFactory, ProcessSpawner, Runtime, Timer, VirtualMemory,
};
use capos_schema::interface_id;
use fuzz_programs::rng::Rng;
use fuzz_programs::stats::{Page, Stats, phase};
use fuzz_programs::{CHILD, args, cap_name, signal_args};

const RW: u32 = PROT_READ | PROT_WRITE;

/// Quotas of the children set-up spawns: enough for a program that makes
/// no calls, little of the worker's own.
const CHILD_LIMITS: Limits = Limits {
    kernel_bytes: 128 << 10,
    memory_bytes: 4 << 20,
};

/// Mixed into the seed for the signal-mode child's arguments, so that
/// they do not repeat the fuzzer's first draws.
const SIGNAL_CHILD_SALT: u64 = 0x5167_a1a5;

fn number(rt: &Runtime, key: &str) -> Result<u64, String> {
    args::number(rt.args().iter(), key).ok_or(format!("no {key}=N argument"))
}

/// Registers a capability the typed client owned, and lets the client go
/// without releasing it: from now on the worker tracks it by id.
fn keep<C: Client>(targets: &mut Vec<Target>, client: C, kind: Kind, interface: u64) {
    targets.push(Target {
        id: client.cap().id(),
        interface,
        kind,
    });
    core::mem::forget(client);
}

pub fn setup(rt: &mut Runtime, console: u32) -> Result<Fuzzer, String> {
    let seed = number(rt, "seed")?;
    let goals = (number(rt, "sqes")?, number(rt, "params")?);
    let err = |what: &str| {
        let what = what.to_string();
        move |e: capos_rt::Error| format!("{what}: {e}")
    };

    let stats_object = rt
        .take::<MemoryObject>(cap_name::STATS)
        .map_err(|e| format!("stats: {e}"))?;
    let stats_id = stats_object.cap().id();
    let stats_at = stats_object.map(0, RW).map_err(err("map stats"))?;
    // Kept, never released: a typed client dropped after the ring changes
    // hands would queue its release through capos-rt.
    core::mem::forget(stats_object);
    // SAFETY: a fresh read-write mapping of the one-page object, never
    // unmapped (fuzzed unmaps are kept off it), used only through `page`.
    let page = unsafe { Page::at(stats_at) };
    let mut stats = Stats::new(seed);
    stats.phase = phase::SETUP;
    page.store(&stats);

    let memory = rt
        .take::<VirtualMemory>(cap_name::MEMORY)
        .map_err(|e| format!("memory: {e}"))?;
    let start = memory
        .map(0, MAPPING_LEN, PROT_NONE)
        .map_err(err("map arena"))?;
    memory
        .protect(start + PAGE_SIZE, ARENA_LEN, RW)
        .map_err(err("protect arena"))?;
    let arena = Arena::new(start, stats_at, setup as *const () as u64);

    let factory = rt
        .take::<EndpointFactory>(cap_name::ENDPOINTS)
        .map_err(|e| format!("endpoints: {e}"))?;
    let spawner = rt
        .take::<ProcessSpawner>(cap_name::SPAWNER)
        .map_err(|e| format!("spawner: {e}"))?;
    let pipes = rt
        .take::<PipeFactory>(cap_name::PIPES)
        .map_err(|e| format!("pipes: {e}"))?;

    // Derived capabilities: three Endpoints (one posing as a Timer, one as
    // a UdpSocket), client facets, two MemoryObjects (one mapped), a
    // narrower spawner, three pipes (see pipes.rs) and three children, one
    // of which holds an owner facet and a client facet.
    let mut targets = Vec::new();
    let owner = factory.create(FUZZ_INTERFACE).map_err(err("create"))?;
    let client_a = owner.client().map_err(err("client"))?;
    let client_b = owner.client().map_err(err("client"))?;
    let impostor = factory.create(interface_id::TIMER).map_err(err("create"))?;
    let impostor_client = impostor.client().map_err(err("client"))?;
    // The system has no network device, so the kernel makes no UdpSocket:
    // UdpSocket calls go to a client facet posing as one, served by the
    // worker's own RECVs (net_params.rs).
    let udp_owner = factory
        .create(interface_id::UDP_SOCKET)
        .map_err(err("create"))?;
    let udp_client = udp_owner.client().map_err(err("client"))?;
    let small = memory.create_object(PAGE_SIZE).map_err(err("object"))?;
    let large = memory.create_object(3 * PAGE_SIZE).map_err(err("object"))?;
    let small_at = small.map(0, RW).map_err(err("map object"))?;
    let narrow = spawner.restrict(&[CHILD]).map_err(err("restrict"))?;
    let control = pipes.create().map_err(err("pipe"))?;
    let (from_child, child_writer) = pipes.create().map_err(err("pipe"))?;
    let (child_reader, to_child) = pipes.create().map_err(err("pipe"))?;
    // The first child serves the impostor, writes to the worker and then,
    // in odd rounds, dies holding its pipe's only writer.
    let grants = [
        Grant::new("owner", &impostor),
        Grant {
            name: "client",
            cap: client_a.cap(),
        },
        Grant::new("writer", &child_writer),
    ];
    let mut argv = vec![CHILD, "ns=20000000", "serve=8", "write=48"];
    if seed % 2 == 1 {
        argv.push("crash=1");
    }
    let waiting = spawner
        .spawn_limited(CHILD, CHILD, &grants, &argv, &[], CHILD_LIMITS)
        .map_err(err("spawn"))?;
    // The other calls the worker's own Endpoint, moving a MemoryObject,
    // and reads a little of what the worker writes.
    let calling = [
        Grant {
            name: "client",
            cap: client_b.cap(),
        },
        Grant::new("gift", &large),
        Grant::new("reader", &child_reader),
    ];
    let quick = spawner
        .spawn_limited(
            CHILD,
            CHILD,
            &calling,
            &[CHILD, "call=4", "read=4096"],
            &[],
            CHILD_LIMITS,
        )
        .map_err(err("spawn"))?;
    // The third applies fuzzed Timer.signals and setUpcall values to
    // itself (fuzz-child's signal mode), which could end the worker; the
    // worker signals it, and its other children, through their handles.
    let timer = rt
        .take::<Timer>(cap_name::TIMER)
        .map_err(|e| format!("timer: {e}"))?;
    let mut rng = Rng::new(seed ^ SIGNAL_CHILD_SALT);
    let signal_args = signal_args::child_argv(&mut rng);
    let mut argv = vec![CHILD];
    argv.extend(signal_args.iter().map(String::as_str));
    let signalled = spawner
        .spawn_limited(
            CHILD,
            CHILD,
            &[Grant::new("timer", &timer)],
            &argv,
            &[],
            CHILD_LIMITS,
        )
        .map_err(err("spawn"))?;
    // The children hold these halves alone: dropping ours queues their
    // release, which the flush below sends.
    drop((child_writer, child_reader));
    let round_pipes = RoundPipes::new(
        (control.0.cap().id(), control.1.cap().id()),
        from_child.cap().id(),
        to_child.cap().id(),
    );
    // Never released: the control pipe is the round's check (pipes.rs).
    core::mem::forget(control);

    for client in [client_a, client_b, impostor_client] {
        targets.push(Target {
            id: client.cap().id(),
            interface: client.interface_id(),
            kind: Kind::Client,
        });
        core::mem::forget(client);
    }
    keep(&mut targets, owner, Kind::Owner, interface_id::ENDPOINT);
    keep(&mut targets, impostor, Kind::Owner, interface_id::ENDPOINT);
    keep(&mut targets, udp_owner, Kind::Owner, interface_id::ENDPOINT);
    // Tracked as a UdpSocket, so that its calls get UdpSocket params.
    targets.push(Target {
        id: udp_client.cap().id(),
        interface: interface_id::UDP_SOCKET,
        kind: Kind::UdpSocket,
    });
    core::mem::forget(udp_client);
    keep(
        &mut targets,
        small,
        Kind::Object,
        interface_id::MEMORY_OBJECT,
    );
    keep(
        &mut targets,
        large,
        Kind::Object,
        interface_id::MEMORY_OBJECT,
    );
    keep(
        &mut targets,
        narrow,
        Kind::Spawner,
        interface_id::PROCESS_SPAWNER,
    );
    keep(
        &mut targets,
        waiting,
        Kind::Handle,
        interface_id::PROCESS_HANDLE,
    );
    keep(
        &mut targets,
        quick,
        Kind::Handle,
        interface_id::PROCESS_HANDLE,
    );
    keep(
        &mut targets,
        signalled,
        Kind::Handle,
        interface_id::PROCESS_HANDLE,
    );
    keep(&mut targets, timer, Kind::Timer, interface_id::TIMER);
    keep(
        &mut targets,
        memory,
        Kind::Memory,
        interface_id::VIRTUAL_MEMORY,
    );
    keep(
        &mut targets,
        factory,
        Kind::Factory,
        interface_id::ENDPOINT_FACTORY,
    );
    keep(
        &mut targets,
        spawner,
        Kind::Spawner,
        interface_id::PROCESS_SPAWNER,
    );
    keep(
        &mut targets,
        pipes,
        Kind::PipeFactory,
        interface_id::PIPE_FACTORY,
    );
    keep(
        &mut targets,
        from_child,
        Kind::PipeReader,
        interface_id::PIPE_READER,
    );
    keep(
        &mut targets,
        to_child,
        Kind::PipeWriter,
        interface_id::PIPE_WRITER,
    );

    // Every other capability granted is a target too, whatever it is.
    let names: Vec<String> = rt
        .capset()
        .entries()
        .iter()
        .filter_map(|e| core::str::from_utf8(e.name()).ok())
        .map(String::from)
        .collect();
    for name in names {
        if let Ok(any) = rt.take_any(&name) {
            let interface = any.interface_id();
            targets.push(Target {
                id: any.cap().id(),
                interface,
                kind: Kind::of(interface),
            });
            core::mem::forget(any);
        }
    }

    // Nothing may be left queued or unread when the ring changes hands.
    rt.ring().flush().map_err(err("flush"))?;
    let ring = Ring::take_over()?;

    let mut caps = Caps::new(vec![
        console,
        stats_id,
        round_pipes.control_reader,
        round_pipes.control_writer,
    ]);
    for target in targets {
        caps.add(target);
    }
    caps.mapped(small_at, PAGE_SIZE);
    let parts = Parts {
        ring,
        arena,
        caps,
        page,
        protected: vec![(start, MAPPING_LEN), (stats_at, PAGE_SIZE)],
        stats,
        pipes: round_pipes,
    };
    Ok(Fuzzer::new(seed, goals, parts))
}
