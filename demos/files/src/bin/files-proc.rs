//! files-proc: serves a read-only, /proc-like directory through the
//! Directory and File interfaces (files_programs::proc). It starts two
//! processes with its "spawner": one that exits 7 at once, one that runs
//! until this server lets go of its pipe; each has a file reporting its
//! name, pid and state, made when read, and "self" reports the server.
//! It serves calls on its "proc" Endpoint (the owner facet its starter
//! made, or init's export) and on one Endpoint per file, until its "stop"
//! pipe ends, or, started by init with no such pipe and `idle-ms=N`, until
//! no call has come for N ms (init gives a service no way to hear that
//! its clients are done); then it lets the running child go, waits for it
//! and exits 0.

#![no_std]
#![no_main]

extern crate alloc;

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use capos_rt::{
    Console, Endpoint, EndpointFactory, ExitStatus, PendingCall, PendingRecv, PipeFactory,
    PipeReader, ProcessHandle, ProcessSpawner, Runtime, Timer, println,
};
use capos_schema::interface_id;
use core::cell::{Cell, RefCell};
use files_programs::proc::{Source, Tree};

capos_rt::entry!(main);

/// A started process and what is known of it.
struct Started {
    name: &'static str,
    pid: u64,
    handle: ProcessHandle,
    wait: RefCell<Option<PendingCall>>,
    status: Cell<Option<ExitStatus>>,
}

enum File<'a> {
    Process(&'a Started),
    SelfFile { pid: u64 },
}

impl Source for File<'_> {
    fn name(&self) -> &str {
        match self {
            File::Process(p) => p.name,
            File::SelfFile { .. } => "self",
        }
    }

    fn render(&self) -> String {
        match self {
            File::Process(p) => {
                // A wait completed since the last read is collected now.
                let done = p
                    .wait
                    .borrow()
                    .as_ref()
                    .is_some_and(PendingCall::is_complete);
                if done && let Some(wait) = p.wait.borrow_mut().take() {
                    let status = wait.wait().and_then(|r| ExitStatus::from_reply(&r));
                    p.status.set(status.ok());
                }
                let state = match p.status.get() {
                    Some(status) => format!("{status}"),
                    None => "running".into(),
                };
                format!("name: {}\npid: {}\nstate: {state}\n", p.name, p.pid)
            }
            File::SelfFile { pid } => format!("name: files-proc\npid: {pid}\nstate: serving\n"),
        }
    }
}

/// The `idle-ms=N` argument.
fn idle_ms(rt: &Runtime) -> Option<u64> {
    rt.args().iter().find_map(|arg| {
        core::str::from_utf8(arg)
            .ok()?
            .strip_prefix("idle-ms=")?
            .parse()
            .ok()
    })
}

fn main(mut rt: Runtime) -> i64 {
    let Ok(console) = rt.take::<Console>("console") else {
        return 2;
    };
    match run(&mut rt, &console) {
        Ok(()) => 0,
        Err(e) => {
            println!(console, "proc: FAIL: {e}");
            1
        }
    }
}

fn run(rt: &mut Runtime, console: &Console) -> Result<(), String> {
    let take = |e: capos_rt::LookupError| format!("{e}");
    let dir: Endpoint = rt.take("proc").map_err(take)?;
    let stop: Option<PipeReader> = rt.take("stop").ok();
    let idle_ns = idle_ms(rt).map(|ms| ms * 1_000_000);
    let timer: Option<Timer> = rt.take("timer").ok();
    let idle = match (&stop, idle_ns, timer) {
        (Some(_), _, _) => None,
        (None, Some(ns), Some(timer)) => Some((timer, ns)),
        _ => return Err("neither a \"stop\" pipe nor idle-ms=N and a \"timer\"".into()),
    };
    let spawner: ProcessSpawner = rt.take("spawner").map_err(take)?;
    let pipes: PipeFactory = rt.take("pipes").map_err(take)?;
    let endpoints: EndpointFactory = rt.take("endpoints").map_err(take)?;
    let e = |e: capos_rt::Error| format!("{e}");

    // child-a exits at once; its state is known before serving starts.
    let a = spawner
        .spawn_child(
            "child-a",
            "files-child",
            &[],
            &["files-child", "exit", "7"],
            &[],
            Default::default(),
        )
        .map_err(e)?;
    let a_status = a.handle.wait().map_err(e)?;
    let child_a = Started {
        name: "child-a",
        pid: a.pid,
        handle: a.handle,
        wait: RefCell::new(None),
        status: Cell::new(Some(a_status)),
    };
    // child-b runs until its pipe ends.
    let (reader, writer) = pipes.create().map_err(e)?;
    let b = spawner
        .spawn_child(
            "child-b",
            "files-child",
            &[capos_rt::Grant::new("hold", &reader)],
            &["files-child", "hold"],
            &[],
            Default::default(),
        )
        .map_err(e)?;
    drop(reader);
    let child_b = Started {
        name: "child-b",
        pid: b.pid,
        wait: RefCell::new(Some(b.handle.wait_async().map_err(e)?)),
        handle: b.handle,
        status: Cell::new(None),
    };

    let sources = [
        File::Process(&child_a),
        File::Process(&child_b),
        File::SelfFile { pid: rt.pid() },
    ];
    let mut files = Vec::new();
    for source in sources {
        files.push((source, endpoints.create(interface_id::FILE).map_err(e)?));
    }
    let tree = Tree { dir, files };
    println!(console, "proc: serving {} files", tree.files.len());

    // One RECV in flight per Endpoint: index 0 the directory, i + 1 file i.
    let mut recvs: Vec<PendingRecv> = Vec::new();
    recvs.push(tree.dir.recv_async().map_err(e)?);
    for (_, ep) in &tree.files {
        recvs.push(ep.recv_async().map_err(e)?);
    }
    let stopped = stop
        .as_ref()
        .map(PipeReader::ready_async)
        .transpose()
        .map_err(e)?;
    let arm = || idle.as_ref().map(|(t, ns)| t.sleep_async(*ns)).transpose();
    let mut quiet = arm().map_err(e)?;
    let mut served = 0u64;
    loop {
        if stopped.as_ref().is_some_and(PendingCall::is_complete)
            || quiet.as_ref().is_some_and(PendingCall::is_complete)
        {
            break;
        }
        let mut progressed = false;
        for (i, recv) in recvs.iter_mut().enumerate() {
            if !recv.is_complete() {
                continue;
            }
            progressed = true;
            let Some(call) = recv.take().map_err(e)? else {
                continue;
            };
            served += 1;
            // A call came: the quiet period starts again.
            quiet = arm().map_err(e)?;
            let answered = if i == 0 {
                tree.directory_call(&call)
            } else {
                tree.file_call(i - 1, &call)
            };
            // A caller that went away is not this server's failure.
            if let Err(err) = answered {
                println!(console, "proc: a call could not be answered: {err}");
            }
            *recv = if i == 0 {
                tree.dir.recv_async()
            } else {
                tree.files[i - 1].1.recv_async()
            }
            .map_err(e)?;
        }
        if !progressed {
            rt.ring().wait(1).map_err(e)?;
        }
    }
    drop(recvs);
    drop((stopped, quiet));
    // Let child-b go and wait for it.
    drop(writer);
    let pending = child_b.wait.borrow_mut().take();
    let b_status = match pending {
        Some(wait) => wait
            .wait()
            .and_then(|r| ExitStatus::from_reply(&r))
            .map_err(e)?,
        None => child_b.status.get().ok_or("child-b has no status")?,
    };
    let _ = (&child_a.handle, &child_b.handle);
    println!(
        console,
        "proc: stopped after {served} calls; child-b {b_status}"
    );
    Ok(())
}
