//! Case 4, argv and env at their limits.
//!
//! The launch region takes up to LAUNCH_MAX_SIZE (64 KiB) of encoded argv
//! and env, but they reach the kernel inside a spawn request: a params
//! message of at most MAX_MESSAGE_BYTES (64 KiB) that also holds its
//! framing, the name, binary, grants and limits, and in which every string
//! costs more than in the launch region (a list pointer and the text
//! padded to 8 bytes, against a 4-byte offset and a NUL). So the request
//! is the limit that binds, and spawn can never fill the launch region.
//! The real maximum, found below by building the request this program
//! sends (as capos-rt does): a last argument of 65359 bytes makes it
//! exactly 65536 bytes, and the launch parameters are then 65412 bytes,
//! 124 under LAUNCH_MAX_SIZE. (capos-rt sends every message that fits a
//! ring message as one segment, so the request is the framing word, the
//! structs and the padded strings.) One byte more costs the request
//! another word, and it is refused with MESSAGE_TOO_LARGE.
//!
//! The counts are limits too: 1024 arguments and 1024 environment entries
//! are accepted, one more of either is refused.
//!
//! Prints "argmax: ..." twice (the child prints what it received);
//! "argmax: FAIL ..." and exit code 1 if a limit is not where it should be.

#![no_std]
#![no_main]

extern crate alloc;

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use capos_abi::error::MESSAGE_TOO_LARGE;
use capos_abi::layout::LAUNCH_MAX_SIZE;
use capos_abi::ring::MAX_MESSAGE_BYTES;
use capos_rt::{
    Console, Error, ExceptionType, ExitStatus, Grant, ProcessSpawner, Runtime, message, println,
};
use capos_schema::process_spawner;
use limits_programs::{SMALL_CHILD, pattern};

capos_rt::entry!(main);

const PROGRAM: &str = "limits-argv";
const NAME: &str = "argv";
/// capos_lib::launch::{MAX_ARGS, MAX_ENV}.
const MAX_ARGS: usize = 1024;
const MAX_ENV: usize = 1024;
/// capos_lib::launch: the header, then a 4-byte offset per string.
const LAUNCH_HEADER: usize = 32;

fn main(mut rt: Runtime) -> i64 {
    let Ok(console) = rt.take::<Console>("console") else {
        return 2;
    };
    let Ok(spawner) = rt.take::<ProcessSpawner>("spawner") else {
        println!(console, "argmax: FAIL no spawner");
        return 1;
    };
    let result = longest(&spawner, &console).and_then(|()| counts(&spawner, &console));
    match result {
        Ok(()) => 0,
        Err(why) => {
            println!(console, "argmax: FAIL {why}");
            1
        }
    }
}

/// The size of the spawn request capos-rt's `spawn_limited` sends for
/// these parameters (one grant, limits set): the same message, built the
/// same way.
fn request_bytes(argv: &[&str], env: &[&str]) -> usize {
    let words = message::build::<process_spawner::spawn_params::Owned>(|mut p| {
        p.set_name(NAME);
        p.set_binary(PROGRAM);
        let mut grant = p.reborrow().init_grants(1).get(0);
        grant.set_name("console");
        grant.set_cap_id(0);
        let mut list = p.reborrow().init_argv(argv.len() as u32);
        for (i, arg) in argv.iter().enumerate() {
            list.set(i as u32, *arg);
        }
        let mut list = p.reborrow().init_env(env.len() as u32);
        for (i, entry) in env.iter().enumerate() {
            list.set(i as u32, *entry);
        }
        let mut limits = p.init_limits();
        limits.set_kernel_bytes(SMALL_CHILD.kernel_bytes);
        limits.set_memory_bytes(SMALL_CHILD.memory_bytes);
    });
    words.len() * 8
}

/// Encoded size of launch parameters (capos_lib::launch's layout).
fn launch_bytes(strings: &[&str]) -> usize {
    LAUNCH_HEADER + strings.iter().map(|s| 4 + s.len() + 1).sum::<usize>()
}

/// Spawns the child with `argv` and `env` and waits for it to end.
fn run_child(
    spawner: &ProcessSpawner,
    console: &Console,
    argv: &[&str],
    env: &[&str],
) -> Result<ExitStatus, Error> {
    let grants = [Grant::new("console", console)];
    spawner
        .spawn_limited(NAME, PROGRAM, &grants, argv, env, SMALL_CHILD)?
        .wait()
}

/// Checks that the child ran and exited 0.
fn exited_0(what: &str, result: Result<ExitStatus, Error>) -> Result<(), String> {
    match result {
        Ok(ExitStatus::Exited(0)) => Ok(()),
        Ok(other) => Err(format!("{what}: the child {other}")),
        Err(e) => Err(format!("{what}: {e}")),
    }
}

fn longest(spawner: &ProcessSpawner, console: &Console) -> Result<(), String> {
    let limit = MAX_MESSAGE_BYTES as usize;
    // The request grows with the argument a word at a time, not byte for
    // byte, so search: [fits, too_long).
    let fits = |len: usize| request_bytes(&[PROGRAM, &pattern(len)], &[]) <= limit;
    let (mut fitting, mut too_long) = (0, limit);
    while too_long - fitting > 1 {
        let mid = fitting + (too_long - fitting) / 2;
        if fits(mid) {
            fitting = mid;
        } else {
            too_long = mid;
        }
    }
    let longest = fitting;
    let arg = pattern(longest);
    let over = pattern(longest + 1);
    if request_bytes(&[PROGRAM, &arg], &[]) != limit {
        return Err(format!(
            "the longest argument, {longest} bytes, does not fill the request"
        ));
    }
    exited_0(
        &format!("a {longest}-byte argument"),
        run_child(spawner, console, &[PROGRAM, &arg], &[]),
    )?;
    match run_child(spawner, console, &[PROGRAM, &over], &[]) {
        Err(Error::Transport(MESSAGE_TOO_LARGE)) => {}
        Err(e) => return Err(format!("one byte more: wrong error {e}")),
        Ok(_) => return Err("one byte more: accepted".into()),
    }
    let launch = launch_bytes(&[PROGRAM, &arg]);
    println!(
        console,
        "argmax: a {longest}-byte last argument fills a {limit}-byte spawn request: launch parameters of {launch} bytes, {} under LAUNCH_MAX_SIZE; one byte more refused (MESSAGE_TOO_LARGE)",
        LAUNCH_MAX_SIZE as usize - launch
    );
    Ok(())
}

/// Checks that `result` is a `failed` refusal; returns its reason.
fn refused(what: &str, result: Result<ExitStatus, Error>) -> Result<String, String> {
    match result {
        Err(Error::Application {
            kind: ExceptionType::Failed,
            reason,
        }) => Ok(reason),
        Err(e) => Err(format!("{what}: wrong error {e}")),
        Ok(_) => Err(format!("{what}: accepted")),
    }
}

fn counts(spawner: &ProcessSpawner, console: &Console) -> Result<(), String> {
    let mut argv: Vec<&str> = Vec::with_capacity(MAX_ARGS + 1);
    argv.push(PROGRAM);
    argv.resize(MAX_ARGS, "a");
    let entries: Vec<String> = (0..=MAX_ENV).map(|i| format!("E{i}=")).collect();
    let env: Vec<&str> = entries.iter().map(String::as_str).collect();
    exited_0(
        &format!("{MAX_ARGS} arguments and {MAX_ENV} entries"),
        run_child(spawner, console, &argv, &env[..MAX_ENV]),
    )?;
    let mut more = argv.clone();
    more.push("a");
    let args = refused("one argument more", run_child(spawner, console, &more, &[]))?;
    let entries = refused(
        "one environment entry more",
        run_child(spawner, console, &[PROGRAM], &env),
    )?;
    println!(
        console,
        "argmax: {MAX_ARGS} arguments and {MAX_ENV} environment entries accepted; one argument more refused ({args}), one entry more refused ({entries})"
    );
    Ok(())
}
