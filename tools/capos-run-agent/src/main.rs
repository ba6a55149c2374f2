//! capos-run's agent (tools/capos-run): the one service of a capos-run
//! system. It starts the program with the capabilities capos-run asked
//! for, its standard output and error on two pipes it relays to the
//! console (tagged, so capos-run can tell them apart), its standard input
//! from the file "stdin" of the store if capos-run put one there, its
//! root and working directory the store's "dir" if there is one, and the
//! store's "tmp", empty, as its /tmp. It waits
//! for the program, prints how it ended, and then every file the program
//! made or changed in "dir" (and every path it removed), so capos-run can
//! write them back on the build machine: the directory is the copy
//! capos-run put in the boot image, and this is how what the program
//! writes gets out again.
//!
//! argv: `capos-run-agent CAPS MEMORY_BYTES KERNEL_BYTES BINARY ARGV0 ARGS...`
//! where CAPS is a comma-separated list of capability names to pass on
//! (the agent's own, under the same names). The agent's environment is
//! the program's. Its lines all start with "capos-run-agent: ":
//!
//!   stdout HEX | stderr HEX   what the program wrote to fd 1 or 2
//!   exited CODE | faulted: KIND at rip=0x.. addr=0x.. | not started: WHY
//!   dir HEXPATH MODE          a directory made
//!   file HEXPATH MODE SIZE    a file made or changed, then its bytes in
//!   data HEX                  lines of at most DATA_LINE bytes
//!   removed HEXPATH           a file or directory gone
//!   end                       the report is complete
//!
//! Paths are relative to the directory, '/'-separated, hex-encoded so
//! that any name survives the console.

#![no_std]
#![no_main]

extern crate alloc;

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use capos_rt::{
    Console, Directory, ExitStatus, Grant, Limits, NodeKind, OpenOptions, PendingCall, PipeFactory,
    PipeReader, ProcessHandle, ProcessSpawner, Read, Runtime, println,
};

capos_rt::entry!(main);

/// File bytes per `data` line.
const DATA_LINE: usize = 48;
/// Output bytes per `stdout` or `stderr` line.
const OUTPUT_LINE: usize = 512;

/// What the agent knows of a node, before and after the program ran.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Seen {
    kind: NodeKind,
    node: u64,
    size: u64,
    modified_ns: u64,
    mode: u32,
}

type Tree = BTreeMap<Vec<u8>, Seen>;

fn main(mut rt: Runtime) -> i64 {
    let Ok(console) = rt.take::<Console>("console") else {
        return 2;
    };
    match run(&mut rt, &console) {
        Ok(()) => 0,
        Err(why) => {
            println!(console, "capos-run-agent: failed: {why}");
            1
        }
    }
}

fn run(rt: &mut Runtime, console: &Console) -> Result<(), String> {
    let args: Vec<&'static [u8]> = rt.args().iter().collect();
    let text =
        |b: &'static [u8]| core::str::from_utf8(b).map_err(|_| String::from("argv is not UTF-8"));
    if args.len() < 6 {
        return Err("usage: capos-run-agent CAPS MEMORY KERNEL BINARY ARGV0 [ARGS...]".into());
    }
    let caps: Vec<&str> = text(args[1])?
        .split(',')
        .filter(|c| !c.is_empty())
        .collect();
    let number = |b: &'static [u8]| {
        text(b)?
            .parse::<u64>()
            .map_err(|_| String::from("a quota is not a number"))
    };
    let limits = Limits {
        memory_bytes: number(args[2])?,
        kernel_bytes: number(args[3])?,
    };
    let binary = text(args[4])?;
    let argv: Vec<&str> = args[5..]
        .iter()
        .map(|a| text(a))
        .collect::<Result<_, _>>()?;
    let env: Vec<&str> = rt.env().iter().map(text).collect::<Result<_, _>>()?;

    let spawner = rt
        .take::<ProcessSpawner>("spawner")
        .map_err(|e| alloc::format!("no spawner: {e:?}"))?;
    let store = rt.take::<Directory>("store").ok();
    let root = store.as_ref().and_then(|s| s.walk(&[b"dir"]).ok());
    let tmp = store.as_ref().and_then(|s| s.walk(&[b"tmp"]).ok());
    let read_only = OpenOptions {
        read_only: true,
        ..OpenOptions::default()
    };
    let stdin = store
        .as_ref()
        .and_then(|s| s.open_file(b"stdin", read_only).ok());
    // The program's fds 1 and 2; the agent keeps only the read ends, so
    // each reads end of file once the program (and any child it passed
    // them to) is gone.
    let pipes = rt
        .take::<PipeFactory>("pipes")
        .map_err(|e| alloc::format!("no pipes: {e:?}"))?;
    let (out_reader, out_writer) = pipes.create().map_err(|e| alloc::format!("a pipe: {e}"))?;
    let (err_reader, err_writer) = pipes.create().map_err(|e| alloc::format!("a pipe: {e}"))?;
    // The capabilities to pass on, held here until the program ends.
    let mut held = Vec::new();
    for name in &caps {
        // The agent's own console, spawner and pipes are granted below.
        if *name == "spawner" || *name == "console" || *name == "pipes" {
            continue;
        }
        let cap = rt
            .take_any(name)
            .map_err(|e| alloc::format!("capability {name}: {e:?}"))?;
        held.push((*name, cap));
    }
    let mut grants: Vec<Grant<'_>> = held
        .iter()
        .map(|(name, cap)| Grant {
            name,
            cap: cap.cap(),
        })
        .collect();
    if caps.contains(&"spawner") {
        grants.push(Grant::new("spawner", &spawner));
    }
    if caps.contains(&"console") {
        grants.push(Grant::new("console", console));
    }
    if caps.contains(&"pipes") {
        grants.push(Grant::new("pipes", &pipes));
    }
    if let Some(root) = &root {
        grants.push(Grant::new("/", root));
    }
    if let Some(tmp) = &tmp {
        grants.push(Grant::new("/tmp", tmp));
    }
    if let Some(stdin) = &stdin {
        grants.push(Grant::new("fd/0", stdin));
    }
    grants.push(Grant::new("fd/1", &out_writer));
    grants.push(Grant::new("fd/2", &err_writer));

    let before = match &root {
        Some(root) => tree(root).map_err(|e| alloc::format!("listing the directory: {e}"))?,
        None => Tree::new(),
    };
    let spawned = spawner.spawn_limited(binary, binary, &grants, &argv, &env, limits);
    drop(grants);
    drop((out_writer, err_writer));
    let handle = match spawned {
        Ok(handle) => handle,
        Err(e) => {
            println!(console, "capos-run-agent: not started: {e}");
            println!(console, "capos-run-agent: end");
            return Ok(());
        }
    };
    let status = relay(
        rt,
        console,
        &handle,
        [("stdout", &out_reader), ("stderr", &err_reader)],
    )?;
    match status {
        Ok(status) => println!(console, "capos-run-agent: {status}"),
        Err(e) => return Err(alloc::format!("waiting for the program: {e}")),
    }
    if let Some(root) = &root {
        let after = tree(root).map_err(|e| alloc::format!("listing the directory: {e}"))?;
        report(console, root, &before, &after)?;
    }
    println!(console, "capos-run-agent: end");
    Ok(())
}

/// Copies the program's output from `outputs` to the console, each chunk
/// as a line tagged with the stream's name, until the program has ended
/// and both pipes are drained; returns how it ended.
fn relay(
    rt: &Runtime,
    console: &Console,
    handle: &ProcessHandle,
    outputs: [(&str, &PipeReader); 2],
) -> Result<Result<ExitStatus, capos_rt::Error>, String> {
    let fail = |e: capos_rt::Error| alloc::format!("relaying the output: {e}");
    let exit = handle.wait_async().map_err(fail)?;
    let mut waits: [Option<PendingCall>; 2] = [None, None];
    for (wait, (_, reader)) in waits.iter_mut().zip(&outputs) {
        *wait = Some(reader.ready_async().map_err(fail)?);
    }
    let mut buf = [0u8; OUTPUT_LINE];
    loop {
        let ended = exit.is_complete();
        for (wait, (tag, reader)) in waits.iter_mut().zip(&outputs) {
            // After the program ended, whatever is buffered is read
            // without waiting: a child it left running may hold the pipe.
            if !(ended || wait.as_ref().is_some_and(PendingCall::is_complete)) {
                continue;
            }
            if wait.is_none() {
                continue;
            }
            loop {
                match reader.read(&mut buf, false).map_err(fail)? {
                    Read::Bytes(n) => {
                        println!(console, "capos-run-agent: {tag} {}", hex(&buf[..n]))
                    }
                    Read::WouldBlock => break,
                    Read::Eof => {
                        *wait = None;
                        break;
                    }
                }
            }
            if wait.as_ref().is_some_and(PendingCall::is_complete) {
                *wait = Some(reader.ready_async().map_err(fail)?);
            }
        }
        if ended {
            return Ok(exit.wait().and_then(|reply| ExitStatus::from_reply(&reply)));
        }
        // A completion reaped while reading (kept for its owner) would
        // never arrive in the ring: wait only when none is.
        let reaped = exit.is_complete()
            || waits
                .iter()
                .any(|w| w.as_ref().is_some_and(PendingCall::is_complete));
        if !reaped {
            rt.ring().wait(1).map_err(fail)?;
        }
    }
}

/// Every node below `root`, by path.
fn tree(root: &Directory) -> Result<Tree, capos_rt::StorageError> {
    let mut all = Tree::new();
    walk(root, &mut Vec::new(), &mut all)?;
    Ok(all)
}

fn walk(dir: &Directory, path: &mut Vec<u8>, all: &mut Tree) -> Result<(), capos_rt::StorageError> {
    for entry in dir.entries()? {
        let st = dir.stat_at(&entry.name)?;
        let len = path.len();
        if len > 0 {
            path.push(b'/');
        }
        path.extend_from_slice(&entry.name);
        all.insert(
            path.clone(),
            Seen {
                kind: st.kind,
                node: st.node,
                size: st.size,
                modified_ns: st.modified_ns,
                mode: st.mode,
            },
        );
        if st.kind == NodeKind::Directory {
            let sub = dir.walk(&[&entry.name])?;
            walk(&sub, path, all)?;
        }
        path.truncate(len);
    }
    Ok(())
}

/// Prints what changed between `before` and `after`: directories first
/// (parents before children, as the map is ordered by path), then files.
fn report(console: &Console, root: &Directory, before: &Tree, after: &Tree) -> Result<(), String> {
    for path in before.keys().filter(|p| !after.contains_key(*p)) {
        println!(console, "capos-run-agent: removed {}", hex(path));
    }
    for (path, seen) in after {
        let old = before.get(path);
        if old.is_some_and(|o| o == seen) {
            continue;
        }
        match seen.kind {
            NodeKind::Directory => {
                println!(
                    console,
                    "capos-run-agent: dir {} {:o}",
                    hex(path),
                    seen.mode
                )
            }
            NodeKind::File => send_file(console, root, path, seen)?,
        }
    }
    Ok(())
}

fn send_file(console: &Console, root: &Directory, path: &[u8], seen: &Seen) -> Result<(), String> {
    let fail = |e: capos_rt::StorageError| {
        alloc::format!("reading {}: {e}", String::from_utf8_lossy(path))
    };
    let names: Vec<&[u8]> = path.split(|&b| b == b'/').collect();
    let (name, dirs) = names.split_last().expect("a path has a name");
    let file = if dirs.is_empty() {
        root.open_file(
            name,
            OpenOptions {
                read_only: true,
                ..OpenOptions::default()
            },
        )
    } else {
        root.walk(dirs).and_then(|d| {
            d.open_file(
                name,
                OpenOptions {
                    read_only: true,
                    ..OpenOptions::default()
                },
            )
        })
    }
    .map_err(fail)?;
    let size = file.size().map_err(fail)?;
    println!(
        console,
        "capos-run-agent: file {} {:o} {size}",
        hex(path),
        seen.mode
    );
    let mut buf = [0u8; DATA_LINE];
    let mut offset = 0u64;
    while offset < size {
        let want = ((size - offset) as usize).min(DATA_LINE);
        let got = file.read(offset, &mut buf[..want]).map_err(fail)?;
        if got == 0 {
            return Err(alloc::format!(
                "{} ended at {offset} of {size} bytes",
                String::from_utf8_lossy(path)
            ));
        }
        println!(console, "capos-run-agent: data {}", hex(&buf[..got]));
        offset += got as u64;
    }
    Ok(())
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 15)] as char);
    }
    s
}
