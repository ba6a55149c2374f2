//! ProcessForker at its edges: forks the kernel must refuse, and what a
//! copy holds. One line per case, "spawn-fork: <case> ..."; "spawn-fork:
//! FAIL ..." and exit code 1 on the first that is not as it must be.

#![no_std]
#![no_main]

extern crate alloc;

use alloc::format;
use alloc::string::String;
use capos_abi::error::{RESULT_TOO_SMALL, STALE_CAP};
use capos_rt::{
    CallRequest, Client, Console, EndpointFactory, Error, ExceptionType, ExitStatus, Forked, Grant,
    Limits, PROT_READ, PROT_WRITE, ProcessForker, ProcessSpawner, Reply, Runtime, Timer,
    VirtualMemory, message, println,
};
use capos_schema::{interface_id, process_forker};

capos_rt::entry!(main);

/// What the forked copy exits with, for the parent to check.
const CHILD_CODE: i64 = 42;
const PAGE: u64 = 4096;

fn main(mut rt: Runtime) -> i64 {
    let Ok(console) = rt.take::<Console>("console") else {
        return 2;
    };
    match run(&mut rt, &console) {
        Ok(()) => {
            println!(console, "spawn-fork: done");
            0
        }
        Err(why) => {
            println!(console, "spawn-fork: FAIL {why}");
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

/// What a capability id is in this process: "held", "stale" or the error.
fn state_of<T>(result: Result<T, Error>) -> String {
    match result {
        Ok(_) => "held".into(),
        Err(Error::Transport(STALE_CAP)) => "stale".into(),
        Err(e) => format!("{e}"),
    }
}

fn run(rt: &mut Runtime, console: &Console) -> Result<(), String> {
    let err = |what: &'static str| move |e: Error| format!("{what}: {e}");
    let forker = rt
        .take::<ProcessForker>("fork")
        .map_err(|e| format!("fork: {e}"))?;
    let timer = rt
        .take::<Timer>("timer")
        .map_err(|e| format!("timer: {e}"))?;
    let spawner = rt
        .take::<ProcessSpawner>("spawner")
        .map_err(|e| format!("spawner: {e}"))?;
    let factory = rt
        .take::<EndpointFactory>("endpoints")
        .map_err(|e| format!("endpoints: {e}"))?;
    let vm = rt
        .take::<VirtualMemory>("memory")
        .map_err(|e| format!("memory: {e}"))?;

    // Another call in flight: the copy would wait for its completion,
    // which only this process would get.
    let sleep = timer.sleep_async(1_000_000).map_err(err("sleep"))?;
    rt.ring().flush().map_err(err("flush"))?;
    let why = refused("fork beside a sleep", forker.fork(), ExceptionType::Failed)?;
    println!(
        console,
        "spawn-fork: fork with a call in flight refused ({why})"
    );
    sleep.wait().map_err(err("sleep"))?;

    // A submission queued behind the fork: both copies would run it.
    let fork = forker
        .cap()
        .submit::<process_forker::fork_params::Owned>(interface_id::PROCESS_FORKER, 0, |_| {})
        .map_err(err("submit fork"))?;
    let behind = timer.sleep_async(0).map_err(err("sleep"))?;
    let why = refused("fork before a sleep", fork.wait(), ExceptionType::Failed)?;
    println!(
        console,
        "spawn-fork: fork with a submission behind it refused ({why})"
    );
    behind.wait().map_err(err("sleep"))?;

    // No room for the parent's results: refused before anything is made.
    let request = CallRequest {
        cap_id: forker.cap().id(),
        interface_id: interface_id::PROCESS_FORKER,
        method_id: 0,
        params: message::build::<process_forker::fork_params::Owned>(|_| {}),
        result_bytes: 8,
    };
    let completion = rt.ring().call(request).map_err(err("raw fork"))?;
    match Reply::from_completion(completion) {
        Err(Error::Transport(RESULT_TOO_SMALL)) => {
            println!(
                console,
                "spawn-fork: fork into an 8-byte result buffer refused (RESULT_TOO_SMALL)"
            )
        }
        Err(e) => return Err(format!("small result buffer: wrong error {e}")),
        Ok(_) => return Err("small result buffer: accepted".into()),
    }

    // What a copy holds: not the handle of a child of its parent, not an
    // Endpoint's owner facet; its memory is its own.
    let small = Limits {
        kernel_bytes: 128 * 1024,
        memory_bytes: 2 * 1024 * 1024,
    };
    let child = spawner
        .spawn_limited(
            "spawn-args",
            "spawn-args",
            &[Grant::new("console", console)],
            &["spawn-args", "from", "fork"],
            &[],
            small,
        )
        .map_err(err("spawn"))?;
    child.wait().map_err(err("wait for spawn-args"))?;
    let endpoint = factory.create(0xf0).map_err(err("endpoint"))?;
    // On the heap: the copy's heap is its own too.
    let mut memory = alloc::boxed::Box::new([1u8; 64]);
    // A MemoryObject's page is shared with the copy; an anonymous one is
    // copied.
    let object = vm.create_object(PAGE).map_err(err("create_object"))?;
    let shared = object
        .map(0, PROT_READ | PROT_WRITE)
        .map_err(err("map the object"))? as *mut u64;
    let anonymous = vm
        .map(0, PAGE, PROT_READ | PROT_WRITE)
        .map_err(err("map"))? as *mut u64;
    // SAFETY: both are mapped read-write, a page long, and nothing else
    // refers to them.
    unsafe {
        shared.write_volatile(1);
        anonymous.write_volatile(1);
    }
    let parent = rt.pid();
    match forker.fork().map_err(err("fork"))? {
        Forked::Child { pid } => {
            rt.forked();
            memory.fill(2);
            // SAFETY: the copy has both mappings, as the parent had them.
            unsafe {
                shared.write_volatile(2);
                anonymous.write_volatile(2);
            }
            // The copy's own mapping of the object goes; the parent's stays.
            vm.unmap(shared as u64, PAGE)
                .map_err(err("unmap in the copy"))?;
            println!(
                console,
                "spawn-fork: in the copy: its own pid {}, the runtime's {}; its parent's child's handle {}; the Endpoint owner facet {}; the console held",
                if pid != parent { "yes" } else { "no" },
                if rt.pid() == pid { "yes" } else { "no" },
                state_of(child.wait()),
                state_of(endpoint.client()),
            );
            capos_rt::syscall::exit(CHILD_CODE)
        }
        Forked::Parent { pid, handle } => {
            let status = handle.wait().map_err(err("wait for the copy"))?;
            if status != ExitStatus::Exited(CHILD_CODE) {
                return Err(format!("the copy (pid {pid}) ended with {status}"));
            }
            if memory.iter().any(|&b| b != 1) {
                return Err("the copy's writes reached the parent's memory".into());
            }
            // The parent still holds what the copy did not get.
            endpoint.client().map_err(err("the Endpoint owner facet"))?;
            child.wait().map_err(err("the child's handle"))?;
            println!(
                console,
                "spawn-fork: the copy exited {CHILD_CODE}; the parent's memory, handle and owner facet are its own"
            );
            // SAFETY: still mapped in this process.
            let (seen_shared, seen_anonymous) =
                unsafe { (shared.read_volatile(), anonymous.read_volatile()) };
            println!(
                console,
                "spawn-fork: after the copy wrote 2 to both: the MemoryObject page reads {seen_shared}, the anonymous page {seen_anonymous}"
            );
            vm.unmap(shared as u64, PAGE).map_err(err("unmap"))?;
            vm.unmap(anonymous as u64, PAGE).map_err(err("unmap"))?;
        }
    }
    Ok(())
}
