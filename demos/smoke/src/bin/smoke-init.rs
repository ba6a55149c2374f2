//! init of the smoke system: starts the test programs with the capabilities
//! each needs, waits for all of them, and checks how each ended. Prints
//! "SMOKE: PASS" and returns 0 only if every check held; otherwise prints
//! "SMOKE: FAIL <reason>" and returns 1.

#![no_std]
#![no_main]

extern crate alloc;

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use capos_abi::layout::{USER_IMAGE_BASE, USER_IMAGE_LIMIT};
use capos_rt::{
    Console, Error, ExitStatus, FaultKind, Grant, PANIC_EXIT_CODE, ProcessSpawner, Runtime, Timer,
    VirtualMemory, println,
};

capos_rt::entry!(main);

/// A capability of init's that a child may be granted, under the same name.
#[derive(Clone, Copy)]
enum Granted {
    Console,
    Timer,
    Memory,
}

/// How a child must end.
enum Expect {
    Exit(i64),
    /// The fault kind, and the faulting address if it is known in advance.
    Fault(FaultKind, Option<u64>),
}

struct Child {
    binary: &'static str,
    grants: &'static [Granted],
    expect: Expect,
}

const CHILDREN: &[Child] = &[
    Child {
        binary: "smoke-worker",
        grants: &[Granted::Console, Granted::Timer],
        expect: Expect::Exit(0),
    },
    Child {
        binary: "smoke-hostile",
        grants: &[Granted::Console, Granted::Timer],
        expect: Expect::Exit(0),
    },
    Child {
        binary: "smoke-fault",
        grants: &[Granted::Console],
        expect: Expect::Fault(FaultKind::PageFault, Some(0x10)),
    },
    Child {
        binary: "smoke-fault-ud",
        grants: &[Granted::Console],
        expect: Expect::Fault(FaultKind::InvalidOpcode, None),
    },
    Child {
        binary: "smoke-fault-gp",
        grants: &[Granted::Console],
        expect: Expect::Fault(FaultKind::GeneralProtection, None),
    },
    Child {
        binary: "smoke-fault-de",
        grants: &[Granted::Console],
        expect: Expect::Fault(FaultKind::DivideError, None),
    },
    Child {
        binary: "smoke-memory",
        grants: &[Granted::Console, Granted::Memory],
        // Its last act is a write to a page it made read-only.
        expect: Expect::Fault(FaultKind::PageFault, None),
    },
    Child {
        binary: "smoke-panic",
        grants: &[Granted::Console],
        expect: Expect::Exit(PANIC_EXIT_CODE),
    },
];

/// Spins forever; proves preemption.
const SPINNER: &str = "smoke-spin";

/// A binary the manifest does not have.
const MISSING_BINARY: &str = "smoke-no-such-binary";

impl Expect {
    fn holds(&self, status: &ExitStatus) -> bool {
        match (self, status) {
            (Expect::Exit(want), ExitStatus::Exited(code)) => want == code,
            (Expect::Fault(kind, addr), ExitStatus::Faulted(fault)) => {
                fault.kind == *kind
                    && addr.is_none_or(|addr| fault.addr == addr)
                    && (USER_IMAGE_BASE..USER_IMAGE_LIMIT).contains(&fault.rip)
            }
            _ => false,
        }
    }
}

fn main(mut rt: Runtime) -> i64 {
    let Ok(console) = rt.take::<Console>("console") else {
        return 2;
    };
    println!(console, "smoke-init: start");
    match run(&mut rt, &console) {
        Ok(()) => {
            println!(console, "SMOKE: PASS");
            0
        }
        Err(reason) => {
            println!(console, "SMOKE: FAIL {reason}");
            1
        }
    }
}

fn run(rt: &mut Runtime, console: &Console) -> Result<(), String> {
    let timer = rt
        .take::<Timer>("timer")
        .map_err(|e| format!("timer: {e}"))?;
    let spawner = rt
        .take::<ProcessSpawner>("spawner")
        .map_err(|e| format!("spawner: {e}"))?;
    let memory = rt
        .take::<VirtualMemory>("memory")
        .map_err(|e| format!("memory: {e}"))?;

    // A process that never yields, started first and never waited for: the
    // others only get the CPU because the timer preempts it. The kernel
    // stops it when init ends.
    let _spinner = spawner
        .spawn(SPINNER, SPINNER, &[])
        .map_err(|e| format!("spawn {SPINNER}: {e}"))?;

    // Start every child before waiting for any, so they run concurrently.
    let mut running = Vec::new();
    for child in CHILDREN {
        let grants: Vec<Grant<'_>> = child
            .grants
            .iter()
            .map(|granted| match granted {
                Granted::Console => Grant::new("console", console),
                Granted::Timer => Grant::new("timer", &timer),
                Granted::Memory => Grant::new("memory", &memory),
            })
            .collect();
        let handle = spawner
            .spawn(child.binary, child.binary, &grants)
            .map_err(|e| format!("spawn {}: {e}", child.binary))?;
        running.push((child, handle));
    }

    let mut unexpected = Vec::new();
    for (child, handle) in running {
        let status = handle
            .wait()
            .map_err(|e| format!("wait {}: {e}", child.binary))?;
        println!(console, "smoke-init: {} {status}", child.binary);
        if !child.expect.holds(&status) {
            unexpected.push(child.binary);
        }
    }

    match spawner.spawn(MISSING_BINARY, MISSING_BINARY, &[]) {
        Err(Error::Application { kind, reason }) => {
            println!(
                console,
                "smoke-init: missing binary refused ({kind:?}: {reason})"
            );
        }
        Err(e) => return Err(format!("spawning a missing binary failed with {e}")),
        Ok(_) => return Err("a missing binary was spawned".into()),
    }

    if !unexpected.is_empty() {
        return Err(format!(
            "unexpected exit status of {}",
            unexpected.join(", ")
        ));
    }
    Ok(())
}
