//! files-smoke: the kernel's file store, through the native runtime's
//! Namespace, Directory and File (`make run-files`).
//!
//! Granted "/" read-only and "/tmp" writable (subtrees of init's store),
//! it checks, printing one line per part: the tree from the manifest;
//! the read-only facet refusing writes; create, write, read, append,
//! rename, unlink, mkdir and rmdir in /tmp, an unlinked file living while
//! open, and the working directory; a service granted /tmp alone reaching
//! nothing else (files-tmp-only); thousands of files in one directory;
//! the data quota giving short writes, then noSpace, and keeping every
//! existing file; a process that dies with files open giving their space
//! back (files-holder); and a userspace server's synthetic /proc read
//! through the same interfaces (files-proc). Exits 0 when all pass.

#![no_std]
#![no_main]

extern crate alloc;

use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use capos_rt::{
    Client, Console, Directory, EndpointFactory, ExitStatus, FsError, Grant, Limits, Namespace,
    Node, NodeKind, OpenOptions, PipeFactory, ProcessSpawner, Runtime, StorageError, println,
};
use capos_schema::interface_id;
use files_programs::{Failure, ensure, ok, refused};

capos_rt::entry!(main);

const CREATE: OpenOptions = OpenOptions {
    create: true,
    exclusive: false,
    truncate: false,
    read_only: false,
    append: false,
};

/// Files made in one directory.
const MANY: usize = 2000;

/// The largest write one call makes.
const CHUNK: usize = 32 * 1024;

fn main(mut rt: Runtime) -> i64 {
    let Ok(console) = rt.take::<Console>("console") else {
        return 2;
    };
    match run(&mut rt, &console) {
        Ok(()) => {
            println!(console, "files: all checks passed");
            0
        }
        Err(e) => {
            println!(console, "files: FAIL: {e}");
            1
        }
    }
}

struct Caps {
    spawner: ProcessSpawner,
    endpoints: EndpointFactory,
    pipes: PipeFactory,
}

fn run(rt: &mut Runtime, console: &Console) -> Result<(), Failure> {
    let take = |e: capos_rt::LookupError| format!("{e}");
    let caps = Caps {
        spawner: rt.take("spawner").map_err(take)?,
        endpoints: rt.take("endpoints").map_err(take)?,
        pipes: rt.take("pipes").map_err(take)?,
    };
    let mut ns = Namespace::from_capset(rt);
    let mounts: Vec<String> = ns
        .mount_points()
        .map(|m| String::from_utf8_lossy(&m).into())
        .collect();
    println!(console, "files: mounted {}", mounts.join(" "));
    manifest_tree(&ns, console)?;
    read_only(&ns, console)?;
    operations(&mut ns, console)?;
    confined(&ns, &caps, console)?;
    many(&ns, console)?;
    quota(&ns, &caps, console)?;
    proc(&mut ns, &caps, console)?;
    Ok(())
}

fn read_all(ns: &Namespace, path: &str) -> Result<Vec<u8>, Failure> {
    let f = ok(path, ns.open_file(path.as_bytes(), OpenOptions::default()))?;
    let mut out = Vec::new();
    let mut buf = vec![0u8; 4096];
    loop {
        let n = ok(path, f.read(out.len() as u64, &mut buf))?;
        if n == 0 {
            return Ok(out);
        }
        out.extend_from_slice(&buf[..n]);
    }
}

fn names_of(entries: &[capos_rt::Entry]) -> Vec<String> {
    let mut names: Vec<String> = entries
        .iter()
        .map(|e| String::from_utf8_lossy(&e.name).into())
        .collect();
    names.sort();
    names
}

/// Files and directories the manifest declared, served from the boot image.
fn manifest_tree(ns: &Namespace, console: &Console) -> Result<(), Failure> {
    let motd = read_all(ns, "/etc/motd")?;
    println!(
        console,
        "files: /etc/motd: {}",
        String::from_utf8_lossy(&motd).trim_end()
    );
    let hosts = read_all(ns, "/etc/hosts")?;
    let first = hosts.split(|&b| b == b'\n').next().unwrap_or(&[]);
    println!(
        console,
        "files: /etc/hosts (a host file taken at build time): {}",
        String::from_utf8_lossy(first)
    );
    let st = ok("stat /bin/files-child", ns.stat(b"/bin/files-child"))?;
    ensure(
        st.kind == NodeKind::File && st.size > 0 && st.pages == 0,
        || format!("/bin/files-child: {st:?}"),
    )?;
    println!(
        console,
        "files: /bin/files-child: mode {:o}, {} bytes served in place from the boot image ({} pages)",
        st.mode,
        st.size,
        st.pages
    );
    let etc = names_of(&ok("list /etc", ns.list(b"/etc"))?);
    println!(console, "files: /etc holds {}", etc.join(" "));
    Ok(())
}

/// Writes through the read-only root are refused, with a clear error.
fn read_only(ns: &Namespace, console: &Console) -> Result<(), Failure> {
    let opened = ok(
        "open /etc/motd",
        ns.open(b"/etc/motd", OpenOptions::default()),
    )?;
    ensure(opened.read_only, || {
        "/etc/motd opened writable through a read-only root".into()
    })?;
    let Node::File(motd) = opened.node else {
        return Err("/etc/motd is not a file".into());
    };
    let refusal = motd.write(0, b"x").unwrap_err();
    refused(
        "write /etc/motd",
        Err::<(), _>(refusal.clone()),
        FsError::ReadOnly,
    )?;
    println!(
        console,
        "files: read-only: write to /etc/motd refused: {refusal}"
    );
    refused("truncate /etc/motd", motd.truncate(0), FsError::ReadOnly)?;
    refused(
        "create /etc/new",
        ns.open(b"/etc/new", CREATE).map(drop),
        FsError::ReadOnly,
    )?;
    refused("mkdir /etc/d", ns.mkdir(b"/etc/d"), FsError::ReadOnly)?;
    refused(
        "unlink /etc/motd",
        ns.unlink(b"/etc/motd"),
        FsError::ReadOnly,
    )?;
    refused(
        "rename /etc/motd",
        ns.rename(b"/etc/motd", b"/etc/m"),
        FsError::ReadOnly,
    )?;
    refused("setMode /etc/motd", motd.set_mode(0o777), FsError::ReadOnly)?;
    // A writable file narrowed by hand refuses too.
    let w = ok("create /tmp/narrow", ns.open_file(b"/tmp/narrow", CREATE))?;
    ok("write /tmp/narrow", w.write(0, b"n"))?;
    let narrowed = ok("File.readOnly", w.read_only())?;
    refused(
        "write through File.readOnly",
        narrowed.write(0, b"x"),
        FsError::ReadOnly,
    )?;
    ensure(ok("stat", narrowed.stat())?.read_only, || {
        "facet stat says writable".into()
    })?;
    ok("unlink /tmp/narrow", ns.unlink(b"/tmp/narrow"))?;
    println!(
        console,
        "files: read-only: create, truncate, mkdir, unlink, rename, setMode refused too (EROFS); File.readOnly narrows a writable file"
    );
    Ok(())
}

/// The ordinary operations in /tmp.
fn operations(ns: &mut Namespace, console: &Console) -> Result<(), Failure> {
    let f = ok("create /tmp/a", ns.open_file(b"/tmp/a", CREATE))?;
    ok("write", f.write(0, b"hello"))?;
    let (n, end) = ok("append", f.append(b", world"))?;
    ensure((n, end) == (7, 12), || format!("append gave {n}, {end}"))?;
    ensure(read_all(ns, "/tmp/a")? == b"hello, world", || {
        "read back differs".into()
    })?;
    refused(
        "exclusive create",
        ns.open(
            b"/tmp/a",
            OpenOptions {
                exclusive: true,
                ..CREATE
            },
        )
        .map(drop),
        FsError::Exists,
    )?;
    ok("mkdir /tmp/d", ns.mkdir(b"/tmp/d"))?;
    ok("rename", ns.rename(b"/tmp/a", b"/tmp/d/b"))?;
    refused(
        "open the old name",
        ns.open(b"/tmp/a", OpenOptions::default()).map(drop),
        FsError::NotFound,
    )?;
    // The capability names the node: it follows the rename.
    ok("write after rename", f.write(0, b"H"))?;
    ensure(read_all(ns, "/tmp/d/b")? == b"Hello, world", || {
        "renamed file differs".into()
    })?;
    refused(
        "rmdir a full directory",
        ns.rmdir(b"/tmp/d"),
        FsError::NotEmpty,
    )?;
    refused(
        "unlink a directory",
        ns.unlink(b"/tmp/d"),
        FsError::IsDirectory,
    )?;
    refused("rmdir a file", ns.rmdir(b"/tmp/d/b"), FsError::NotDirectory)?;
    refused(
        "a file as a directory",
        ns.open(b"/tmp/d/b/", OpenOptions::default()).map(drop),
        FsError::NotDirectory,
    )?;
    refused(
        "a directory into itself",
        ns.rename(b"/tmp/d", b"/tmp/d/e"),
        FsError::InvalidArgument,
    )?;
    ok("truncate", f.truncate(5))?;
    ensure(ok("size", f.size())? == 5, || "truncate did not cut".into())?;
    // Unlinked while open: the data lives on in the capability.
    ok("unlink /tmp/d/b", ns.unlink(b"/tmp/d/b"))?;
    let st = ok("stat", f.stat())?;
    ensure(st.links == 0 && st.size == 5, || {
        format!("unlinked stat {st:?}")
    })?;
    let mut buf = [0u8; 8];
    let n = ok("read unlinked", f.read(0, &mut buf))?;
    ensure(&buf[..n] == b"Hello", || {
        "unlinked file lost its data".into()
    })?;
    drop(f);
    ok("rmdir /tmp/d", ns.rmdir(b"/tmp/d"))?;
    println!(
        console,
        "files: /tmp: create, write, append, read, rename (the open file followed), truncate, unlink while open, mkdir, rmdir"
    );
    // The working directory, and .. through it.
    ok("chdir /tmp", ns.chdir(b"/tmp"))?;
    let rel = ok("create ./rel", ns.open_file(b"./rel", CREATE))?;
    ok("write rel", rel.write(0, b"relative"))?;
    ensure(read_all(ns, "/tmp/rel")? == b"relative", || {
        "./rel is not /tmp/rel".into()
    })?;
    let up = read_all(ns, "../etc/motd")?;
    ensure(up == read_all(ns, "/etc/motd")?, || {
        "../etc/motd is not /etc/motd".into()
    })?;
    ensure(ns.cwd() == b"/tmp", || "cwd".into())?;
    ok("unlink rel", ns.unlink(b"rel"))?;
    println!(
        console,
        "files: cwd {}: ./rel is /tmp/rel, ../etc/motd is /etc/motd (through the read-only root)",
        String::from_utf8_lossy(&ns.cwd())
    );
    // Names and paths too long.
    let long_name = format!("/tmp/{}", "n".repeat(256));
    refused(
        "256-byte name",
        ns.open(long_name.as_bytes(), CREATE).map(drop),
        FsError::NameTooLong,
    )?;
    let long_path = "/tmp/".repeat(1000);
    refused(
        "5000-byte path",
        ns.open(long_path.as_bytes(), CREATE).map(drop),
        FsError::NameTooLong,
    )?;
    refused(
        "empty path",
        ns.open(b"", CREATE).map(drop),
        FsError::NotFound,
    )?;
    println!(
        console,
        "files: a 256-byte name and a 5000-byte path: nameTooLong (ENAMETOOLONG)"
    );
    Ok(())
}

/// A service granted /tmp only.
fn confined(ns: &Namespace, caps: &Caps, console: &Console) -> Result<(), Failure> {
    let tmp = ns.mounted(b"/tmp").ok_or("no /tmp mount")?;
    let spawner = caps
        .spawner
        .restrict(&["files-tmp-only"])
        .map_err(|e| format!("{e}"))?;
    let child = spawner
        .spawn(
            "tmp-only",
            "files-tmp-only",
            &[Grant::new("console", console), Grant::new("/tmp", tmp)],
        )
        .map_err(|e| format!("spawn files-tmp-only: {e}"))?;
    let status = child.wait().map_err(|e| format!("{e}"))?;
    ensure(status == ExitStatus::Exited(0), || {
        format!("files-tmp-only {status}")
    })?;
    ensure(
        read_all(ns, "/tmp/from-child")? == b"written by tmp-only\n",
        || "/tmp/from-child differs".into(),
    )?;
    ok("unlink /tmp/from-child", ns.unlink(b"/tmp/from-child"))?;
    println!(
        console,
        "files: tmp-only exited 0; its /tmp/from-child is here"
    );
    // Before files-proc is mounted there, /proc is a missing name of "/".
    refused(
        "open /proc",
        ns.open(b"/proc/self", OpenOptions::default()).map(drop),
        FsError::NotFound,
    )?;
    Ok(())
}

/// Thousands of files in one directory.
fn many(ns: &Namespace, console: &Console) -> Result<(), Failure> {
    ok("mkdir /tmp/many", ns.mkdir(b"/tmp/many"))?;
    let dir = ok("open /tmp/many", ns.open_dir(b"/tmp/many"))?;
    for i in 0..MANY {
        let name = format!("file-{i:05}");
        let f = ok(&name, dir.open_file(name.as_bytes(), CREATE))?;
        if i % 500 == 0 {
            ok(&name, f.write(0, name.as_bytes()))?;
        }
    }
    let entries = ok("list /tmp/many", dir.entries())?;
    let mut seen: Vec<&[u8]> = entries.iter().map(|e| &e.name[..]).collect();
    seen.sort();
    seen.dedup();
    ensure(seen.len() == MANY && entries.len() == MANY, || {
        format!("listed {} entries, {} distinct", entries.len(), seen.len())
    })?;
    ensure(
        read_all(ns, "/tmp/many/file-01500")? == b"file-01500",
        || "file-01500 differs".into(),
    )?;
    ensure(ok("stat", dir.stat())?.size == MANY as u64, || {
        "directory size".into()
    })?;
    // Unlinking while listing: every entry is seen once.
    let mut cursor = 0;
    let mut removed = 0;
    loop {
        let (batch, end) = ok("list", dir.list(cursor, capos_rt::LIST_BATCH))?;
        for e in &batch {
            ok("unlink", dir.unlink(&e.name))?;
            cursor = e.cursor;
            removed += 1;
        }
        if end {
            break;
        }
    }
    ensure(removed == MANY, || {
        format!("unlinked {removed} while listing")
    })?;
    drop(dir);
    ok("rmdir /tmp/many", ns.rmdir(b"/tmp/many"))?;
    println!(
        console,
        "files: {MANY} files in one directory: created, listed ({} calls of at most {}), each unlinked once while listing",
        MANY.div_ceil(capos_rt::LIST_BATCH as usize),
        capos_rt::LIST_BATCH
    );
    Ok(())
}

/// Writes into `f` until the store is full; returns the bytes written.
fn fill(f: &capos_rt::File) -> Result<u64, Failure> {
    let chunk = vec![0xa5u8; CHUNK];
    let mut total = 0u64;
    loop {
        match f.append(&chunk) {
            Ok((n, _)) if n == CHUNK => total += n as u64,
            Ok((n, _)) => {
                // A short write: the rest had no page. The next one fails.
                total += n as u64;
                refused(
                    "write past a short write",
                    f.append(&chunk).map(drop),
                    FsError::NoSpace,
                )?;
                return Ok(total);
            }
            Err(StorageError::Fs(FsError::NoSpace)) => return Ok(total),
            Err(e) => return Err(format!("filling: {e}")),
        }
    }
}

/// The data quota: short writes, then noSpace; no existing file lost; a
/// process dying with files open gives their pages back.
fn quota(ns: &Namespace, caps: &Caps, console: &Console) -> Result<(), Failure> {
    let keep = ok("create /tmp/keep", ns.open_file(b"/tmp/keep", CREATE))?;
    ok("write keep", keep.write(0, b"precious"))?;
    let fill1 = ok("create /tmp/fill", ns.open_file(b"/tmp/fill", CREATE))?;
    let first = fill(&fill1)?;
    ensure(read_all(ns, "/tmp/keep")? == b"precious", || {
        "/tmp/keep lost".into()
    })?;
    refused(
        "a new file's first byte",
        ns.open_file(b"/tmp/new", CREATE)
            .and_then(|f| f.write(0, b"x")),
        FsError::NoSpace,
    )?;
    ok("unlink /tmp/new", ns.unlink(b"/tmp/new"))?;
    // The store is full: overwriting what exists still works.
    ok("overwrite keep", keep.write(0, b"PRECIOUS"))?;
    println!(
        console,
        "files: quota: {first} bytes written before noSpace (ENOSPC), the last write short; /tmp/keep intact and still writable"
    );
    ok("unlink /tmp/fill", ns.unlink(b"/tmp/fill"))?;
    drop(fill1);

    // A process fills 64 KiB of it in a file it unlinked, then dies.
    let spawner = caps
        .spawner
        .restrict(&["files-holder"])
        .map_err(|e| format!("{e}"))?;
    let tmp = ns.mounted(b"/tmp").ok_or("no /tmp mount")?;
    let holder = spawner
        .spawn(
            "holder",
            "files-holder",
            &[Grant::new("console", console), Grant::new("/tmp", tmp)],
        )
        .map_err(|e| format!("spawn files-holder: {e}"))?;
    let status = holder.wait().map_err(|e| format!("{e}"))?;
    ensure(matches!(status, ExitStatus::Faulted(_)), || {
        format!("files-holder {status}")
    })?;
    ok("unlink /tmp/held-2", ns.unlink(b"/tmp/held-2"))?;
    let fill2 = ok("create /tmp/fill", ns.open_file(b"/tmp/fill", CREATE))?;
    let second = fill(&fill2)?;
    ensure(second == first, || {
        format!(
            "after the holder died {second} bytes fit, before {first}: its pages did not come back"
        )
    })?;
    ok("unlink /tmp/fill", ns.unlink(b"/tmp/fill"))?;
    ok("unlink /tmp/keep", ns.unlink(b"/tmp/keep"))?;
    println!(
        console,
        "files: holder {status}; its unlinked 64 KiB came back: {second} bytes fit again"
    );
    Ok(())
}

/// A synthetic /proc served by a process, read through the same clients.
fn proc(ns: &mut Namespace, caps: &Caps, console: &Console) -> Result<(), Failure> {
    let e = |e: capos_rt::Error| format!("{e}");
    let owner = caps.endpoints.create(interface_id::DIRECTORY).map_err(e)?;
    let client = owner.client().map_err(e)?;
    let (stop_reader, stop_writer) = caps.pipes.create().map_err(e)?;
    let server_spawner = caps.spawner.restrict(&["files-child"]).map_err(e)?;
    let spawner = caps.spawner.restrict(&["files-proc"]).map_err(e)?;
    // It starts two children of its own, paid for out of its quotas.
    let limits = Limits {
        kernel_bytes: 1024 * 1024,
        memory_bytes: 48 * 1024 * 1024,
    };
    let server = spawner
        .spawn_limited(
            "proc",
            "files-proc",
            &[
                Grant::new("console", console),
                Grant::new("proc", &owner),
                Grant::new("stop", &stop_reader),
                Grant::new("spawner", &server_spawner),
                Grant::new("pipes", &caps.pipes),
                Grant::new("endpoints", &caps.endpoints),
            ],
            &["files-proc"],
            &[],
            limits,
        )
        .map_err(|e| format!("spawn files-proc: {e}"))?;
    drop((owner, stop_reader, server_spawner));
    ok(
        "mount /proc",
        ns.mount(b"/proc", Directory::from_cap(client.into_cap())),
    )?;
    let entries = ok("list /proc", ns.list(b"/proc"))?;
    let names = names_of(&entries);
    println!(
        console,
        "files: /proc (served by files-proc) holds {}",
        names.join(" ")
    );
    for name in &names {
        let text = read_all(ns, &format!("/proc/{name}"))?;
        let line = String::from_utf8_lossy(&text).replace('\n', "; ");
        println!(
            console,
            "files: /proc/{name}: {}",
            line.trim_end_matches("; ")
        );
    }
    let st = ok("stat /proc/child-a", ns.stat(b"/proc/child-a"))?;
    ensure(
        st.kind == NodeKind::File && st.read_only && st.store == files_programs::proc::STORE,
        || format!("/proc/child-a stat {st:?}"),
    )?;
    let f = ok(
        "open /proc/self",
        ns.open_file(b"/proc/self", OpenOptions::default()),
    )?;
    refused("write /proc/self", f.write(0, b"x"), FsError::ReadOnly)?;
    refused(
        "create /proc/x",
        ns.open(b"/proc/x", CREATE).map(drop),
        FsError::ReadOnly,
    )?;
    refused(
        "unlink /proc/self",
        ns.unlink(b"/proc/self"),
        FsError::ReadOnly,
    )?;
    refused(
        "open /proc/nope",
        ns.open(b"/proc/nope", OpenOptions::default()).map(drop),
        FsError::NotFound,
    )?;
    refused(
        "/proc/self/x",
        ns.open(b"/proc/self/x", OpenOptions::default()).map(drop),
        FsError::NotDirectory,
    )?;
    println!(
        console,
        "files: /proc: stat through the server, writes refused (readOnly), missing names notFound"
    );
    drop(f);
    drop(stop_writer);
    let status = server.wait().map_err(e)?;
    ensure(status == ExitStatus::Exited(0), || {
        format!("files-proc {status}")
    })?;
    println!(console, "files: files-proc {status}");
    Ok(())
}
