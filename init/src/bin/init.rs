//! The init program: see the `init` crate documentation for what it does
//! and prints. The decisions are in the library; this file does the calls.

#![no_std]
#![no_main]

extern crate alloc;

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use capos_lib::service_graph::PipeEnd;
use capos_rt::{
    AnyCap, BootPackage, Cap, Client, Console, Directory, EndpointClient, EndpointFactory,
    ExitStatus, File, Grant, LookupError, Mapping, OpenOptions, PendingCall, PipeFactory,
    PipeReader, PipeWriter, ProcessHandle, ProcessSpawner, Runtime, VirtualMemory, println,
};
use init::grants::{self, Source};
use init::tally::{Expected, Tally};
use init::{Graph, check};

capos_rt::entry!(main);

/// The capabilities init uses itself, by CapSet name.
const SPAWNER: &str = "spawner";
const BOOT: &str = "boot";
const ENDPOINTS: &str = "endpoints";
const MEMORY: &str = "memory";
const CONSOLE: &str = "console";

fn main(mut rt: Runtime) -> i64 {
    // Without a console there is no way to report anything.
    let Ok(console) = rt.take::<Console>(CONSOLE) else {
        return 2;
    };
    match run(&mut rt, &console) {
        Ok(tally) => {
            println!(console, "init: {tally}");
            tally.exit_code()
        }
        Err(message) => {
            println!(console, "init: {message}");
            1
        }
    }
}

/// init's own capabilities.
struct Caps {
    spawner: ProcessSpawner,
    boot: BootPackage,
    endpoints: EndpointFactory,
    memory: VirtualMemory,
    /// Its Directories, kept to be granted whole or as subtrees.
    dirs: BTreeMap<String, Directory>,
    /// Its PipeFactories, kept to create the manifest's pipes and to be
    /// granted.
    pipe_factories: BTreeMap<String, PipeFactory>,
    /// Every other capability of its CapSet, kept to be granted.
    others: BTreeMap<String, AnyCap>,
}

impl Caps {
    fn take(rt: &mut Runtime) -> Result<Self, String> {
        let mut others = BTreeMap::new();
        let mut dirs = BTreeMap::new();
        let mut pipe_factories = BTreeMap::new();
        let names: Vec<String> = capset_names(rt);
        for name in names {
            if ![CONSOLE, SPAWNER, BOOT, ENDPOINTS, MEMORY].contains(&name.as_str()) {
                let cap = rt.take_any(&name).map_err(|e| lookup(&name, e))?;
                match cap.into_client::<Directory>() {
                    Ok(dir) => {
                        dirs.insert(name, dir);
                    }
                    Err(cap) => match cap.into_client::<PipeFactory>() {
                        Ok(factory) => {
                            pipe_factories.insert(name, factory);
                        }
                        Err(cap) => {
                            others.insert(name, cap);
                        }
                    },
                }
            }
        }
        Ok(Caps {
            dirs,
            pipe_factories,
            spawner: take(rt, SPAWNER)?,
            boot: take(rt, BOOT)?,
            endpoints: take(rt, ENDPOINTS)?,
            memory: take(rt, MEMORY)?,
            others,
        })
    }

    /// init's capability called `name`, to grant.
    fn get<'a>(&'a self, console: &'a Console, name: &str) -> Option<&'a Cap> {
        match name {
            CONSOLE => Some(console.cap()),
            SPAWNER => Some(self.spawner.cap()),
            BOOT => Some(self.boot.cap()),
            ENDPOINTS => Some(self.endpoints.cap()),
            MEMORY => Some(self.memory.cap()),
            _ => (self.others.get(name).map(AnyCap::cap))
                .or_else(|| self.dirs.get(name).map(Directory::cap))
                .or_else(|| self.pipe_factories.get(name).map(PipeFactory::cap)),
        }
    }
}

/// The names in init's CapSet; a name that is not UTF-8 cannot be named
/// by a manifest, so it is left out.
fn capset_names(rt: &Runtime) -> Vec<String> {
    rt.capset()
        .entries()
        .iter()
        .filter_map(|e| core::str::from_utf8(e.name()).ok())
        .map(String::from)
        .collect()
}

fn take<C: Client>(rt: &mut Runtime, name: &str) -> Result<C, String> {
    rt.take(name).map_err(|e| lookup(name, e))
}

fn lookup(name: &str, e: LookupError) -> String {
    format!("cap {name:?}: {e}")
}

fn run(rt: &mut Runtime, console: &Console) -> Result<Tally, String> {
    let caps = Caps::take(rt)?;
    let names = capset_names(rt);
    let init_caps: Vec<&str> = names.iter().map(String::as_str).collect();
    let graph = {
        let (mapping, len) = read_manifest(&caps.boot, &caps.memory)?;
        let graph = check(&mapping.bytes()[..len], &init_caps);
        // The manifest holds every binary; give the memory back at once.
        drop(mapping);
        graph.map_err(|e| format!("manifest invalid: {e}"))?
    };
    let pipes = create_pipes(&graph, &caps)?;
    let mut tally = Tally::default();
    let running = start_all(&graph, &caps, &pipes, console, &mut tally);
    // Every end is granted now: init's copies go, so a reader sees end
    // of file once the writers it was given are gone.
    drop(pipes);
    wait_all(rt, console, running, &mut tally)?;
    Ok(tally)
}

/// Copies the whole manifest into fresh memory, in chunks BootPackage
/// allows. Returns the mapping and the manifest's length.
fn read_manifest<'a>(
    boot: &BootPackage,
    memory: &'a VirtualMemory,
) -> Result<(Mapping<'a>, usize), String> {
    let failed = |e: capos_rt::Error| format!("cannot read the manifest: {e}");
    let size = boot.manifest_size().map_err(failed)?;
    let len = usize::try_from(size)
        .ok()
        .filter(|&len| len > 0)
        .ok_or(format!("cannot read the manifest: its size is {size}"))?;
    let mut mapping = memory.map_buffer(size).map_err(failed)?;
    let buffer = &mut mapping.bytes_mut()[..len];
    let mut offset = 0;
    while offset < len {
        let n = boot
            .read_manifest(offset as u64, &mut buffer[offset..])
            .map_err(failed)?;
        if n == 0 {
            return Err(format!(
                "cannot read the manifest: it ended at byte {offset} of {len}"
            ));
        }
        offset += n;
    }
    Ok((mapping, len))
}

/// The manifest's pipes by name: their read and write ends.
type Pipes<'a> = BTreeMap<&'a str, (PipeReader, PipeWriter)>;

/// Creates the manifest's pipes with init's PipeFactory (the graph check
/// made sure init holds it when there are any).
fn create_pipes<'a>(graph: &'a Graph, caps: &Caps) -> Result<Pipes<'a>, String> {
    let mut pipes = BTreeMap::new();
    if graph.pipes.is_empty() {
        return Ok(pipes);
    }
    let factory = caps
        .pipe_factories
        .get(graph.pipe_factory.as_str())
        .ok_or_else(|| format!("cap {:?} is not a PipeFactory", graph.pipe_factory))?;
    for name in &graph.pipes {
        let ends = factory
            .create()
            .map_err(|e| format!("pipe {name:?}: {e}"))?;
        pipes.insert(name.as_str(), ends);
    }
    Ok(pipes)
}

/// A started service.
struct Running {
    name: String,
    handle: ProcessHandle,
    expected: Expected,
}

/// Starts the services in order; stops at the first that cannot start.
fn start_all(
    graph: &Graph,
    caps: &Caps,
    pipes: &Pipes,
    console: &Console,
    tally: &mut Tally,
) -> Vec<Running> {
    // One client facet per export, made before its owner facet leaves
    // init's hands; granted (copied) to every importer.
    let mut clients: Vec<Vec<Option<EndpointClient>>> = graph
        .services
        .iter()
        .map(|s| s.exports.iter().map(|_| None).collect())
        .collect();
    let mut running = Vec::new();
    let mut stopped = false;
    for &index in &graph.order {
        let name = &graph.services[index].name;
        if stopped {
            println!(
                console,
                "init: {name} not started: an earlier service failed to start"
            );
            tally.lost();
            continue;
        }
        match start(graph, index, caps, pipes, console, &mut clients) {
            Ok(handle) => {
                println!(console, "init: started {name}");
                running.push(Running {
                    expected: if graph.expect_fault[index] {
                        Expected::Fault
                    } else {
                        Expected::Exit(graph.exit_codes[index])
                    },
                    name: name.clone(),
                    handle,
                });
            }
            Err(e) => {
                println!(console, "init: {name} not started: {e}");
                tally.lost();
                stopped = true;
            }
        }
    }
    running
}

/// Creates service `index`'s Endpoints and spawns it with its grants.
/// The owner facets init made are dropped on return, so the service
/// holds the only ones.
fn start(
    graph: &Graph,
    index: usize,
    caps: &Caps,
    pipes: &Pipes,
    console: &Console,
    clients: &mut [Vec<Option<EndpointClient>>],
) -> Result<ProcessHandle, String> {
    let service = &graph.services[index];
    let mut owners = Vec::new();
    for (export, &interface_id) in graph.interface_ids[index].iter().enumerate() {
        let failed = |e: capos_rt::Error| format!("export {:?}: {e}", service.exports[export]);
        let owner = caps.endpoints.create(interface_id).map_err(failed)?;
        clients[index][export] = Some(owner.client().map_err(failed)?);
        owners.push(owner);
    }
    let plan = grants::grants(&graph.services, index)
        .ok_or_else(|| "an import names no service or export".to_string())?;
    // The subtrees granted, made first: the grants borrow them.
    let mut subtrees = BTreeMap::new();
    for grant in &plan {
        if let Source::Directory {
            from,
            path,
            read_only,
        } = &grant.source
        {
            let dir = subtree(caps, from, path, *read_only).map_err(|e| {
                format!("cap {:?}: directory {path:?} of {from:?}: {e}", grant.name)
            })?;
            subtrees.insert(grant.name.as_str(), dir);
        }
    }
    // Likewise the files granted, opened first.
    let mut files = BTreeMap::new();
    for grant in &plan {
        if let Source::File {
            from,
            path,
            read_only,
        } = &grant.source
        {
            let file = open_file(caps, from, path, *read_only)
                .map_err(|e| format!("cap {:?}: file {path:?} of {from:?}: {e}", grant.name))?;
            files.insert(grant.name.as_str(), file);
        }
    }
    let mut granted = Vec::with_capacity(plan.len());
    for grant in &plan {
        let cap = match &grant.source {
            Source::Directory { .. } => subtrees.get(grant.name.as_str()).map(Directory::cap),
            Source::File { .. } => files.get(grant.name.as_str()).map(File::cap),
            Source::Init(name) => caps.get(console, name),
            Source::Pipe { name, end } => pipes.get(name.as_str()).map(|(r, w)| match end {
                PipeEnd::Read => r.cap(),
                PipeEnd::Write => w.cap(),
            }),
            Source::Owner { export } => owners.get(*export).map(|o| o.cap()),
            Source::Client { service, export } => clients
                .get(*service)
                .and_then(|c| c.get(*export))
                .and_then(Option::as_ref)
                .map(EndpointClient::cap),
        }
        .ok_or_else(|| format!("cap {:?} is not available", grant.name))?;
        granted.push(Grant {
            name: &grant.name,
            cap,
        });
    }
    let argv: Vec<&str> = service.argv.iter().map(String::as_str).collect();
    let env: Vec<&str> = service.env.iter().map(String::as_str).collect();
    caps.spawner
        .spawn_limited(
            &service.name,
            &service.binary,
            &granted,
            &argv,
            &env,
            graph.limits[index],
        )
        .map_err(|e| e.to_string())
}

/// The directory at `path` below init's Directory `from`, read-only if
/// asked: what a service granted that subtree gets, and nothing above it.
fn subtree(caps: &Caps, from: &str, path: &str, read_only: bool) -> Result<Directory, String> {
    let (root, names) = below(caps, from, path)?;
    let dir = root.walk(&names).map_err(|e| e.to_string())?;
    if read_only {
        dir.read_only().map_err(|e| e.to_string())
    } else {
        Ok(dir)
    }
}

/// The file at `path` below init's Directory `from`, opened as it is
/// (never created or truncated), read-only if asked: a service's
/// descriptor when granted as "fd/N".
fn open_file(caps: &Caps, from: &str, path: &str, read_only: bool) -> Result<File, String> {
    let (root, names) = below(caps, from, path)?;
    let Some((name, parents)) = names.split_last() else {
        return Err("\"/\" is a directory".to_string());
    };
    let dir = root.walk(parents).map_err(|e| e.to_string())?;
    let how = OpenOptions {
        read_only,
        ..OpenOptions::default()
    };
    dir.open_file(name, how).map_err(|e| e.to_string())
}

/// init's Directory `from` and the names of `path` below it.
fn below<'a>(
    caps: &'a Caps,
    from: &str,
    path: &'a str,
) -> Result<(&'a Directory, Vec<&'a [u8]>), String> {
    let root = caps
        .dirs
        .get(from)
        .ok_or_else(|| format!("init holds no Directory {from:?}"))?;
    let names = capos_lib::fs::path::absolute(path.as_bytes())
        .ok_or_else(|| "not an absolute, normalized path".to_string())?;
    Ok((root, names))
}

/// Waits for every running service, reporting each as it ends.
fn wait_all(
    rt: &Runtime,
    console: &Console,
    running: Vec<Running>,
    tally: &mut Tally,
) -> Result<(), String> {
    let mut waiting: Vec<(Running, PendingCall)> = Vec::new();
    for service in running {
        match service.handle.wait_async() {
            Ok(pending) => waiting.push((service, pending)),
            Err(e) => {
                println!(console, "init: cannot wait for {}: {e}", service.name);
                tally.lost();
            }
        }
    }
    while !waiting.is_empty() {
        if !waiting.iter().any(|(_, p)| p.is_complete()) {
            rt.ring()
                .wait(1)
                .map_err(|e| format!("cannot wait for the services: {e}"))?;
            continue;
        }
        // Several may have ended during one wait: report them in the
        // order the kernel completed their waits.
        let (done, still): (Vec<_>, Vec<_>) =
            waiting.into_iter().partition(|(_, p)| p.is_complete());
        waiting = still;
        let mut ended: Vec<_> = done
            .into_iter()
            .map(|(service, pending)| {
                let reply = pending.wait();
                let seq = reply.as_ref().map_or(0, |r| r.seq());
                let status = reply.and_then(|r| ExitStatus::from_reply(&r));
                (seq, service, status)
            })
            .collect();
        ended.sort_by_key(|(seq, _, _)| *seq);
        for (_, service, status) in ended {
            match status {
                Ok(status) => {
                    println!(console, "init: {} {status}", service.name);
                    tally.ended(&status, service.expected);
                }
                Err(e) => {
                    println!(console, "init: cannot wait for {}: {e}", service.name);
                    tally.lost();
                }
            }
        }
    }
    Ok(())
}
