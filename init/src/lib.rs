//! init: the only process the kernel starts in a manifest-driven system.
//!
//! # What it does
//!
//! 1. Takes its capabilities: "console" (Console), "spawner"
//!    (ProcessSpawner), "boot" (BootPackage), "endpoints" (EndpointFactory)
//!    and "memory" (VirtualMemory, for the buffer the manifest is read
//!    into: it holds every binary, megabytes, far more than the heap).
//!    Every other cap in its CapSet is kept to be granted by name.
//! 2. Reads the manifest through BootPackage in chunks of at most 16 KiB
//!    into that buffer, and decodes its `services` ([`manifest`]).
//! 3. Checks the graph ([`check`]) against the manifest's binaries and the
//!    names in its own CapSet. On any error it prints
//!    `init: manifest invalid: <error>` and exits 1 without starting
//!    anything.
//! 4. Starts the services in the order the check gives: each one after
//!    every service it imports from, otherwise in manifest order. For
//!    each: it creates an Endpoint per export (`EndpointFactory.create`
//!    with the export's interface id) and one client facet of it; grants
//!    the service its caps ([`grants`]); spawns it with its argv and env;
//!    prints `init: started <name>`; then drops its own owner facets, so
//!    that the Endpoint closes when the service ends. If a spawn fails it
//!    prints `init: <name> not started: <error>`, and neither that service
//!    nor any later one is started (`init: <name> not started: an earlier
//!    service failed to start`).
//! 5. Drops the client facets it kept for granting and waits for every
//!    started service, printing one line as each ends, in the order they
//!    end: `init: <name> exited <code>` or `init: <name> faulted: <fault>`.
//! 6. Prints `init: all services ended (<n> exited 0, <m> failed)` and
//!    exits 0 if every service exited 0, else 1. Services not started
//!    count as failed.
//!
//! # Graph rules
//!
//! Those of `capos_lib::service_graph::validate` (unique service names of
//! 1 to 48 bytes, known binaries, at most 63 caps with unique names, init
//! sources that name a cap init holds, imports that name another service
//! and one of its exports, unique export names, launchable argv and env,
//! no import cycles, at least one service; and, because caps and exports
//! end up in one CapSet, no export named like one of the service's caps
//! and at most 63 caps and exports together).
//!
//! A service gets, in this order: its caps (init's own capability of the
//! given name, or a client facet of another service's export), then the
//! owner facet of each of its exports under the export's name. Exporting
//! services hold the only owner facets; importers hold client facets of
//! the one init made per export.

#![no_std]

extern crate alloc;
#[cfg(test)]
extern crate std;

pub mod grants;
pub mod manifest;
pub mod tally;

use alloc::string::String;
use alloc::vec::Vec;
use capos_lib::service_graph::{self, GraphError, Service};
use core::fmt;
use manifest::ManifestError;

/// A checked service graph, ready to start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Graph {
    pub services: Vec<Service>,
    /// `interface_ids[i][j]`: the interface of `services[i].exports[j]`.
    pub interface_ids: Vec<Vec<u64>>,
    /// `expect_fault[i]`: service `i` is meant to die by a CPU fault.
    pub expect_fault: Vec<bool>,
    /// `exit_codes[i]`: the exit code that counts as service `i`'s success.
    pub exit_codes: Vec<u8>,
    /// `limits[i]`: service `i`'s quotas, carved from init's.
    pub limits: Vec<capos_rt::Limits>,
    /// The pipes to create, and init's PipeFactory that creates them.
    pub pipes: Vec<String>,
    pub pipe_factory: String,
    /// Indices into `services`, in start order.
    pub order: Vec<usize>,
}

/// Why init refuses the manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invalid {
    Manifest(ManifestError),
    Graph(GraphError),
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Invalid::Manifest(e) => e.fmt(f),
            Invalid::Graph(e) => e.fmt(f),
        }
    }
}

/// Decodes the manifest in `bytes` (8-byte aligned) and checks its
/// service graph; `init_caps` are the names in init's CapSet.
pub fn check(bytes: &[u8], init_caps: &[&str]) -> Result<Graph, Invalid> {
    let manifest = manifest::decode(bytes).map_err(Invalid::Manifest)?;
    let binaries: Vec<&str> = manifest.binaries.iter().map(|b| b.as_str()).collect();
    let plan = service_graph::validate(&manifest.services, &binaries, init_caps)
        .map_err(Invalid::Graph)?;
    service_graph::check_pipes(
        &manifest.services,
        &manifest.pipes,
        &manifest.pipe_factory,
        init_caps,
    )
    .map_err(Invalid::Graph)?;
    Ok(Graph {
        services: manifest.services,
        interface_ids: manifest.interface_ids,
        expect_fault: manifest.expect_fault,
        exit_codes: manifest.exit_codes,
        limits: manifest.limits,
        pipes: manifest.pipes,
        pipe_factory: manifest.pipe_factory,
        order: plan.order,
    })
}

#[cfg(test)]
mod tests;
