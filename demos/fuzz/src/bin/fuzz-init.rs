//! The fuzzer's driver, a service of the manifest-driven init.
//!
//! Started with `rounds=R sqes=N params=P seed=S` (from system-fuzz.cue),
//! it runs R rounds, each one fuzz-worker process with seed S + round and
//! its share of N random SQEs and P params messages, and waits for each
//! to end. A worker that faults, exits non-zero, does less than it was
//! given or outlives its time limit is a failure, reported with its seed
//! and the command that replays it. After the last round it checks that
//! the system still works (Timer, an Endpoint round trip, a pipe, memory,
//! a spawn, entropy), prints
//!
//! `fuzz: done: N SQEs, P params, F failures, seed S`
//!
//! and exits 0 only if F is 0.

#![no_std]
#![no_main]

extern crate alloc;

use alloc::format;
use alloc::string::String;
use alloc::vec;
use capos_abi::layout::PAGE_SIZE;
use capos_abi::ring::{SQ_ENTRIES, Sqe};
use capos_rt::{
    BootPackage, Client, Console, EndpointFactory, EntropySource, ExitStatus, Grant, Limits,
    MemoryObject, NetworkManager, PROT_READ, PROT_WRITE, PipeFactory, ProcessHandle,
    ProcessSpawner, Read, Runtime, Terminal, Timer, UdpEndpoint, VirtualMemory, println,
};
use capos_rt::{Directory, Error, OpenOptions, StorageError};
use capos_schema::{ExceptionType, timer};
use fuzz_programs::stats::{MAGIC, Page, Stats, phase};
use fuzz_programs::{CHILD, WORKER, args, cap_name};

capos_rt::entry!(main);

/// A worker's quotas: room for its arena and mappings, a few children
/// and a few large Endpoint messages; much less than the driver has, so
/// a worker that exhausts its own cannot starve the driver.
const WORKER_LIMITS: Limits = Limits {
    kernel_bytes: 1 << 20,
    memory_bytes: 64 << 20,
};

/// How long a round may take before it counts as a hang: generous, since
/// TCG on a loaded machine is slow.
const ROUND_BASE_NS: u64 = 60_000_000_000;
const ROUND_PER_REQUEST_NS: u64 = 2_000_000;

/// How long a spawn refused for quota is retried. An earlier round's
/// children can outlive their worker by tens of milliseconds (their waits
/// are bounded, MAX_WAIT_NS and MAX_CALLS in fuzz-child) and hold memory
/// charged to this process until they end; a quota still short after
/// this long is a leak, and fails the round.
const QUOTA_RETRY_NS: u64 = 5_000_000_000;
const QUOTA_POLL_NS: u64 = 10_000_000;

/// The interface of the Endpoint of the check after the storm.
const CHECK_INTERFACE: u64 = 0x0f22_2e4d_0000_00c4;

struct Config {
    rounds: u64,
    sqes: u64,
    params: u64,
    seed: u64,
}

struct Caps {
    timer: Timer,
    workers: ProcessSpawner,
    children: ProcessSpawner,
    memory: VirtualMemory,
    boot: BootPackage,
    endpoints: EndpointFactory,
    random: EntropySource,
    pipes: PipeFactory,
    /// The kernel's NetworkManager, in a system without a network device.
    net: NetworkManager,
    stats: MemoryObject,
    /// /tmp of the store, which workers may change at will, and its root
    /// as a read-only facet.
    tmp: Directory,
    root: Directory,
    terminal: Terminal,
}

fn main(mut rt: Runtime) -> i64 {
    let Ok(console) = rt.take::<Console>(cap_name::CONSOLE) else {
        return 2;
    };
    match run(&mut rt, &console) {
        Ok(0) => 0,
        Ok(_) => 1,
        Err(why) => {
            println!(console, "fuzz: FAIL {why}");
            1
        }
    }
}

fn config(rt: &Runtime) -> Result<Config, String> {
    let get = |key: &str| args::number(rt.args().iter(), key).ok_or(format!("no {key}=N argument"));
    Ok(Config {
        rounds: get("rounds")?,
        sqes: get("sqes")?,
        params: get("params")?,
        seed: get("seed")?,
    })
}

fn take<C: Client>(rt: &mut Runtime, name: &str) -> Result<C, String> {
    rt.take(name).map_err(|e| format!("capability {name}: {e}"))
}

fn caps(rt: &mut Runtime) -> Result<Caps, String> {
    let err = |what: &'static str| move |e: capos_rt::Error| format!("{what}: {e}");
    let spawner: ProcessSpawner = take(rt, cap_name::SPAWNER)?;
    let memory: VirtualMemory = take(rt, cap_name::MEMORY)?;
    let stats = memory.create_object(PAGE_SIZE).map_err(err("stats page"))?;
    Ok(Caps {
        timer: take(rt, cap_name::TIMER)?,
        workers: spawner.restrict(&[WORKER]).map_err(err("restrict"))?,
        children: spawner.restrict(&[CHILD]).map_err(err("restrict"))?,
        memory,
        boot: take(rt, cap_name::BOOT)?,
        endpoints: take(rt, cap_name::ENDPOINTS)?,
        random: take(rt, cap_name::RANDOM)?,
        pipes: take(rt, cap_name::PIPES)?,
        net: take(rt, cap_name::NET)?,
        stats,
        tmp: take(rt, cap_name::TMP)?,
        root: take(rt, cap_name::ROOT)?,
        terminal: take(rt, cap_name::TERMINAL)?,
    })
}

/// Round `i`'s share of `total`.
fn share(total: u64, rounds: u64, i: u64) -> u64 {
    total / rounds + u64::from(i < total % rounds)
}

fn run(rt: &mut Runtime, console: &Console) -> Result<u64, String> {
    let config = config(rt)?;
    let caps = caps(rt)?;
    let page_at = caps
        .stats
        .map(0, PROT_READ | PROT_WRITE)
        .map_err(|e| format!("map the stats page: {e}"))?;
    // SAFETY: a fresh read-write mapping of a one-page object that this
    // process never unmaps and touches only through `page`.
    let page = unsafe { Page::at(page_at) };
    println!(
        console,
        "fuzz: start: {} rounds, {} SQEs, {} params, seed {}",
        config.rounds,
        config.sqes,
        config.params,
        config.seed
    );
    let started = caps.timer.now().map_err(|e| format!("timer: {e}"))?;
    let mut totals = Stats::new(config.seed);
    let mut failures = 0;
    for round in 0..config.rounds {
        let seed = config.seed.wrapping_add(round);
        let sqes = share(config.sqes, config.rounds, round);
        let params = share(config.params, config.rounds, round);
        page.store(&Stats::new(seed));
        println!(
            console,
            "fuzz: round {}/{} seed {seed}: {sqes} SQEs, {params} params",
            round + 1,
            config.rounds
        );
        let outcome = round_outcome(rt, &caps, console, (seed, sqes, params));
        let stats = page.load();
        let complete = stats.magic == MAGIC
            && stats.seed == seed
            && stats.phase == phase::DONE
            && stats.sqes == sqes
            && stats.params == params;
        totals.add(&stats);
        match outcome {
            Ok(ExitStatus::Exited(0)) if complete => {
                println!(
                    console,
                    "fuzz: round {}: {}",
                    round + 1,
                    stats.completions()
                );
            }
            other => {
                failures += 1;
                let what = match &other {
                    Ok(status) => format!("worker {status}"),
                    Err(why) => why.clone(),
                };
                println!(
                    console,
                    "fuzz: FAIL round {} (seed {seed}): {what}; it reached phase {} after {} SQEs and {} params",
                    round + 1,
                    stats.phase,
                    stats.sqes,
                    stats.params
                );
                println!(
                    console,
                    "fuzz: replay the round: make fuzz FUZZ_ROUNDS=1 FUZZ_SEED={seed} FUZZ_SQES={sqes} FUZZ_PARAMS={params}; the whole run: make fuzz FUZZ_ROUNDS={} FUZZ_SEED={} FUZZ_SQES={} FUZZ_PARAMS={}",
                    config.rounds,
                    config.seed,
                    config.sqes,
                    config.params
                );
                println!(
                    console,
                    "fuzz: round {}: {}",
                    round + 1,
                    stats.completions()
                );
                print_batch(console, &stats);
                if other
                    .as_ref()
                    .is_err_and(|why| why.contains("still running"))
                {
                    // A hung worker holds its quota; stop here, init's end
                    // stops it.
                    break;
                }
            }
        }
    }
    let elapsed = caps.timer.now().unwrap_or(started).saturating_sub(started);
    let requests = totals.sqes + totals.params;
    println!(
        console,
        "fuzz: {} rounds in {} ms ({} requests/s)",
        config.rounds,
        elapsed / 1_000_000,
        requests * 1_000_000_000 / elapsed.max(1)
    );
    println!(console, "fuzz: totals: {}", totals.completions());
    println!(console, "fuzz: succeeded/called: {}", totals.methods());
    match still_works(rt, &caps) {
        Ok(()) => println!(
            console,
            "fuzz: the system still works: timer, endpoint round trip, pipe, memory, spawn, entropy, boot package, file store, network refusals"
        ),
        Err(why) => {
            failures += 1;
            println!(console, "fuzz: FAIL after the storm: {why}");
        }
    }
    println!(
        console,
        "fuzz: done: {} SQEs, {} params, {failures} failures, seed {}",
        totals.sqes,
        totals.params,
        config.seed
    );
    Ok(failures)
}

/// Spawns one worker and waits for it, at most its time limit.
fn round_outcome(
    rt: &Runtime,
    caps: &Caps,
    console: &Console,
    (seed, sqes, params): (u64, u64, u64),
) -> Result<ExitStatus, String> {
    let grants = [
        Grant::new(cap_name::CONSOLE, console),
        Grant::new(cap_name::STATS, &caps.stats),
        Grant::new(cap_name::TARGET_CONSOLE, console),
        Grant::new(cap_name::TIMER, &caps.timer),
        Grant::new(cap_name::SPAWNER, &caps.children),
        Grant::new(cap_name::MEMORY, &caps.memory),
        Grant::new(cap_name::BOOT, &caps.boot),
        Grant::new(cap_name::ENDPOINTS, &caps.endpoints),
        Grant::new(cap_name::RANDOM, &caps.random),
        Grant::new(cap_name::PIPES, &caps.pipes),
        Grant::new(cap_name::NET, &caps.net),
        Grant::new(cap_name::TMP, &caps.tmp),
        Grant::new(cap_name::ROOT, &caps.root),
        Grant::new(cap_name::TERMINAL, &caps.terminal),
    ];
    let argv = [
        String::from(WORKER),
        format!("seed={seed}"),
        format!("sqes={sqes}"),
        format!("params={params}"),
    ];
    let argv: vec::Vec<&str> = argv.iter().map(String::as_str).collect();
    let spawn = || {
        caps.workers
            .spawn_limited(WORKER, WORKER, &grants, &argv, &[], WORKER_LIMITS)
    };
    let start = caps.timer.now().map_err(|e| format!("timer: {e}"))?;
    let worker = loop {
        match spawn() {
            Ok(worker) => break worker,
            Err(Error::Application {
                kind: ExceptionType::Overloaded,
                ..
            }) if caps.timer.now().map_err(|e| format!("timer: {e}"))? - start < QUOTA_RETRY_NS => {
                caps.timer
                    .sleep(QUOTA_POLL_NS)
                    .map_err(|e| format!("timer: {e}"))?;
            }
            Err(e) => return Err(format!("spawn: {e}")),
        }
    };
    wait(rt, caps, &worker, sqes + params)
}

fn wait(
    rt: &Runtime,
    caps: &Caps,
    worker: &ProcessHandle,
    requests: u64,
) -> Result<ExitStatus, String> {
    let limit = ROUND_BASE_NS + requests * ROUND_PER_REQUEST_NS;
    let err = |e: capos_rt::Error| format!("waiting: {e}");
    let start = caps.timer.now().map_err(err)?;
    let exit = worker.wait_async().map_err(err)?;
    loop {
        if exit.is_complete() {
            let reply = exit.wait().map_err(err)?;
            return ExitStatus::from_reply(&reply).map_err(err);
        }
        if caps.timer.now().map_err(err)? - start > limit {
            return Err(format!(
                "worker still running after {} s (hung?)",
                limit / 1_000_000_000
            ));
        }
        // Polled once a second rather than by a sleep, which would stay
        // pending after the worker ends.
        rt.ring().enter(1, 1_000_000_000).map_err(err)?;
    }
}

/// The SQEs of the batch the worker was submitting last.
fn print_batch(console: &Console, stats: &Stats) {
    let n = (stats.batch_len as usize).min(SQ_ENTRIES as usize);
    for (i, sqe) in stats.batch[..n].iter().enumerate() {
        println!(console, "fuzz:   sqe {i}: {}", Fields(sqe));
    }
}

struct Fields<'a>(&'a Sqe);

impl core::fmt::Display for Fields<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let s = self.0;
        write!(
            f,
            "op {} flags {:#x} method {} cap {:#x} iface {:#x} params {:#x}+{} result {:#x}+{} call {} xfer {}@{:#x}",
            s.opcode,
            s.flags,
            s.method_id,
            s.cap_id,
            s.interface_id,
            s.params_addr,
            s.params_len,
            s.result_addr,
            s.result_len,
            s.call_id,
            s.xfer_count,
            s.xfer_addr
        )
    }
}

/// The same kernel, after the storm, still does its ordinary work.
fn still_works(rt: &Runtime, caps: &Caps) -> Result<(), String> {
    let err = |what: &'static str| move |e: capos_rt::Error| format!("{what}: {e}");
    let before = caps.timer.now().map_err(err("Timer.now"))?;
    let after = caps.timer.now().map_err(err("Timer.now"))?;
    if after < before {
        return Err(format!("the clock went back from {before} to {after}"));
    }

    let owner = caps
        .endpoints
        .create(CHECK_INTERFACE)
        .map_err(err("EndpointFactory.create"))?;
    let client = owner.client().map_err(err("Endpoint.client"))?;
    let call = client
        .cap()
        .submit::<timer::now_params::Owned>(CHECK_INTERFACE, 3, |_| {})
        .map_err(err("CALL"))?;
    let incoming = owner.recv().map_err(err("RECV"))?;
    if incoming.method_id != 3 {
        return Err(format!("RECV got method {}", incoming.method_id));
    }
    owner
        .reply::<timer::now_results::Owned>(incoming.call_id, |mut r| r.set_ns(42), vec![])
        .map_err(|e| format!("RETURN: {e}"))?;
    let ns = call
        .wait()
        .map_err(err("the call's reply"))?
        .read::<timer::now_results::Owned, _>(|r| Ok(r.get_ns()))
        .map_err(err("the call's reply"))?;
    if ns != 42 {
        return Err(format!("the reply said {ns}, not 42"));
    }

    pipe_round_trip(&caps.pipes)?;

    let mut mapping = caps.memory.map_buffer(PAGE_SIZE).map_err(err("map"))?;
    mapping.bytes_mut()[..5].copy_from_slice(b"fuzz!");
    if &mapping.bytes()[..5] != b"fuzz!" {
        return Err("mapped memory does not keep what was written".into());
    }
    mapping.unmap().map_err(err("unmap"))?;

    let child = caps
        .children
        .spawn_limited(CHILD, CHILD, &[], &[CHILD], &[], Limits::default())
        .map_err(err("spawn"))?;
    match child.wait().map_err(err("wait"))? {
        ExitStatus::Exited(0) => {}
        status => return Err(format!("a fresh child {status}")),
    }

    let mut bytes = [0u8; 32];
    caps.random
        .fill(&mut bytes)
        .map_err(err("EntropySource.fill"))?;
    caps.boot.manifest_size().map_err(err("BootPackage"))?;
    store_works(caps)?;
    net_refuses(caps)?;
    // Everything made here is released when the clients drop; the ring
    // must still take that.
    drop((owner, client, child));
    rt.ring().flush().map_err(err("flush"))
}

/// The NetworkManager still answers as a system without a network device
/// must: no device in its stats, a socket refused as `unimplemented`, and
/// a narrowed manager made (and released) as usual.
fn net_refuses(caps: &Caps) -> Result<(), String> {
    let err = |what: &'static str| move |e: capos_rt::Error| format!("{what}: {e}");
    let stats = caps.net.stats().map_err(err("NetworkManager.stats"))?;
    if stats.has_device {
        return Err("NetworkManager.stats reports a device the system lacks".into());
    }
    match caps.net.create_udp_socket(0, &[]) {
        Err(capos_rt::Error::Application {
            kind: ExceptionType::Unimplemented,
            ..
        }) => {}
        Err(e) => return Err(format!("createUdpSocket without a device: {e}")),
        Ok(_) => return Err("createUdpSocket made a socket without a device".into()),
    }
    let host = UdpEndpoint {
        addr: 0x0a00_0202,
        port: 53,
    };
    let narrow = caps
        .net
        .narrow(&[host])
        .map_err(err("NetworkManager.narrow"))?;
    drop(narrow);
    Ok(())
}

/// The file store still answers: /etc/motd (which the workers could only
/// read) is intact, everything the workers left in /tmp can be removed,
/// and a new file there keeps what is written to it.
fn store_works(caps: &Caps) -> Result<(), String> {
    let err = |what: &'static str| move |e: StorageError| format!("{what}: {e}");
    let etc = caps.root.walk(&[b"etc"]).map_err(err("walk /etc"))?;
    let motd = etc
        .open_file(b"motd", OpenOptions::default())
        .map_err(err("open /etc/motd"))?;
    let mut buf = [0u8; 64];
    let n = motd.read(0, &mut buf).map_err(err("read /etc/motd"))?;
    if &buf[..n] != MOTD {
        return Err(format!("/etc/motd holds {:?}", &buf[..n]));
    }
    empty(&caps.tmp, 0)?;
    let create = OpenOptions {
        create: true,
        exclusive: true,
        ..OpenOptions::default()
    };
    let f = caps
        .tmp
        .open_file(b"still-works", create)
        .map_err(err("create"))?;
    f.write(0, b"fuzz file").map_err(err("File.write"))?;
    let n = f.read(0, &mut buf).map_err(err("File.read"))?;
    if &buf[..n] != b"fuzz file" {
        return Err(format!("a fresh file read back {:?}", &buf[..n]));
    }
    caps.tmp.unlink(b"still-works").map_err(err("unlink"))
}

/// The text of the fuzz system's /etc/motd (system-fuzz.cue).
const MOTD: &[u8] = b"capOS fuzz\n";

/// Removes everything below `dir`, whatever a worker made there.
fn empty(dir: &Directory, depth: usize) -> Result<(), String> {
    let err = |what: &'static str| move |e: StorageError| format!("{what}: {e}");
    if depth > 64 {
        return Err("a directory tree deeper than 64".into());
    }
    for entry in dir.entries().map_err(err("list"))? {
        if entry.kind == capos_rt::NodeKind::Directory {
            let sub = dir.walk(&[&entry.name]).map_err(err("walk"))?;
            empty(&sub, depth + 1)?;
            dir.rmdir(&entry.name).map_err(err("rmdir"))?;
        } else {
            dir.unlink(&entry.name).map_err(err("unlink"))?;
        }
    }
    Ok(())
}

/// A fresh pipe carries bytes, then ends in end of file once its writer
/// is gone.
fn pipe_round_trip(pipes: &PipeFactory) -> Result<(), String> {
    let err = |what: &'static str| move |e: capos_rt::Error| format!("{what}: {e}");
    let (reader, writer) = pipes.create().map_err(err("PipeFactory.create"))?;
    let written = writer
        .write(b"fuzz pipe", false)
        .map_err(err("PipeWriter.write"))?;
    let mut buf = [0u8; 16];
    let got = reader
        .read(&mut buf, true)
        .map_err(err("PipeReader.read"))?;
    if written != 9 || got != Read::Bytes(9) || &buf[..9] != b"fuzz pipe" {
        return Err(format!("the pipe wrote {written} bytes and read {got:?}"));
    }
    // The release goes out with the read, which then sees end of file.
    drop(writer);
    match reader
        .read(&mut buf, true)
        .map_err(err("PipeReader.read"))?
    {
        Read::Eof => Ok(()),
        other => Err(format!("a pipe without a writer read {other:?}")),
    }
}
