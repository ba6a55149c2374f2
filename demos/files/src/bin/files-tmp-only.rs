//! A service granted /tmp and nothing else: every path outside it must
//! reach nothing (EACCES), by `..`, repeated slashes or the root, and
//! every name crafted to step out of the directory capability itself
//! must be refused by the store; inside, it reads and writes.

#![no_std]
#![no_main]

extern crate alloc;

use alloc::format;
use alloc::vec;
use alloc::vec::Vec;
use capos_rt::{Console, Directory, FsError, Namespace, OpenOptions, Runtime, println};
use files_programs::{Failure, ensure, ok, refused, uncovered};

capos_rt::entry!(main);

fn main(mut rt: Runtime) -> i64 {
    let Ok(console) = rt.take::<Console>("console") else {
        return 2;
    };
    match run(&mut rt, &console) {
        Ok(()) => 0,
        Err(e) => {
            println!(console, "tmp-only: FAIL: {e}");
            1
        }
    }
}

/// Paths that lead out of /tmp, from the root and from /tmp.
const OUTSIDE: [&str; 12] = [
    "/etc/motd",
    "//etc//motd",
    "/tmp/../etc/motd",
    "/tmp/./../../etc/motd",
    "/tmp/a/b/../../../etc",
    "/",
    "/..",
    "/bin/files-child",
    "/tmpx",
    "../etc/motd",
    "../../../..",
    "..",
];

fn run(rt: &mut Runtime, console: &Console) -> Result<(), Failure> {
    let mut ns = Namespace::from_capset(rt);
    let mounts: Vec<_> = ns.mount_points().collect();
    ensure(mounts == [b"/tmp".to_vec()], || {
        format!("mounts: expected only /tmp, got {mounts:?}")
    })?;
    ok("chdir /tmp", ns.chdir(b"/tmp"))?;
    let create = OpenOptions {
        create: true,
        ..OpenOptions::default()
    };
    for path in OUTSIDE {
        uncovered(
            &format!("open {path:?}"),
            ns.open(path.as_bytes(), OpenOptions::default()).map(drop),
        )?;
        uncovered(&format!("stat {path:?}"), ns.stat(path.as_bytes()))?;
    }
    uncovered("create /etc/x", ns.open(b"/etc/x", create).map(drop))?;
    uncovered("mkdir ../x", ns.mkdir(b"../x"))?;
    uncovered("rename into /etc", ns.rename(b"/tmp/nothing", b"/etc/x"))?;
    uncovered("chdir ..", ns.chdir(b".."))?;
    println!(
        console,
        "tmp-only: {} paths outside /tmp reach nothing (EACCES), through .., // and the root",
        OUTSIDE.len()
    );

    // The directory capability itself: names that would step out.
    let tmp: Directory = ok("open /tmp", ns.open_dir(b"/tmp"))?;
    let long = vec![b'n'; 256];
    let crafted: [(&str, Result<(), capos_rt::StorageError>, FsError); 9] = [
        (
            "open ..",
            tmp.open(b"..", OpenOptions::default()).map(drop),
            FsError::InvalidName,
        ),
        (
            "open .",
            tmp.open(b".", OpenOptions::default()).map(drop),
            FsError::InvalidName,
        ),
        (
            "open ../etc",
            tmp.open(b"../etc", OpenOptions::default()).map(drop),
            FsError::InvalidName,
        ),
        (
            "open /etc",
            tmp.open(b"/etc", OpenOptions::default()).map(drop),
            FsError::InvalidName,
        ),
        (
            "open a\\0",
            tmp.open(b"a\0", create).map(drop),
            FsError::InvalidName,
        ),
        (
            "walk ..",
            tmp.walk(&[b".."]).map(drop),
            FsError::InvalidName,
        ),
        (
            "walk '', etc",
            tmp.walk(&[b"", b"etc"]).map(drop),
            FsError::InvalidName,
        ),
        (
            "rename to ../x",
            tmp.rename(&[b"x"], &[b"..", b"x"]),
            FsError::InvalidName,
        ),
        (
            "open 256-byte name",
            tmp.open(&long, create).map(drop),
            FsError::NameTooLong,
        ),
    ];
    for (what, got, want) in crafted {
        refused(what, got, want)?;
    }
    println!(
        console,
        "tmp-only: 9 crafted names refused by the directory itself (invalidName, nameTooLong)"
    );

    let f = ok("create from-child", ns.open_file(b"from-child", create))?;
    ok("write", f.write(0, b"written by tmp-only\n"))?;
    let mut buf = [0u8; 64];
    let n = ok("read", f.read(0, &mut buf))?;
    ensure(&buf[..n] == b"written by tmp-only\n", || {
        "read back differs".into()
    })?;
    println!(console, "tmp-only: /tmp/from-child written and read back");
    Ok(())
}
