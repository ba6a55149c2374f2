//! Service graph validation for init.
//!
//! The manifest lists services: which binary each runs, which capabilities
//! it receives (from init's own CapSet, or exported by another service),
//! what it exports, and its argv and environment. [`validate`] checks the
//! whole graph before anything is spawned, so a bad manifest fails with a
//! message naming the service and field instead of leaving half a system
//! running, and returns the order to start services in: every service
//! after those it imports from.
//!
//! Checks run in three passes, and the first error found is returned: each
//! service on its own (in manifest order), then every import across
//! services, then dependency cycles.

mod error;
mod imports;
mod local;
mod order;
mod pipes;
#[cfg(test)]
mod tests;

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

pub use error::GraphError;
pub use pipes::check_pipes;

/// One service of the manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    /// Unique; 1 to [`capos_abi::capset::MAX_CAP_NAME`] bytes.
    pub name: String,
    /// The boot package binary it runs.
    pub binary: String,
    /// Its CapSet, in order.
    pub caps: Vec<CapImport>,
    /// Names other services may import from it.
    pub exports: Vec<String>,
    pub argv: Vec<String>,
    /// `KEY=VALUE` entries.
    pub env: Vec<String>,
}

/// One entry of a service's CapSet: the name it is found by, and where
/// the capability comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapImport {
    pub name: String,
    pub source: CapSource,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CapSource {
    /// One of init's own capabilities, by its CapSet name.
    Init(String),
    /// A capability another service exports.
    Service { service: String, export: String },
    /// The directory at `path` (absolute, normalized: see
    /// `fs::path::absolute`) below one of init's Directory capabilities,
    /// `from`, granted read-only when `read_only` is set.
    Directory {
        from: String,
        path: String,
        read_only: bool,
    },
    /// The file at `path` (absolute, normalized, not "/") below one of
    /// init's Directory capabilities, `from`, opened by init (read-only
    /// when `read_only` is set). Granted as "fd/N" it is the service's
    /// descriptor N.
    File {
        from: String,
        path: String,
        read_only: bool,
    },
    /// The `end` of the pipe `name` of the manifest's pipes, which init
    /// creates before it starts the services. Granted as "fd/N" it is the
    /// service's descriptor N: two services joined as a shell pipeline.
    Pipe { name: String, end: PipeEnd },
}

/// Which end of a pipe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PipeEnd {
    Read,
    Write,
}

/// What init does once the graph is valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartPlan {
    /// Indices into the services, in start order: each service after every
    /// service it imports from, and otherwise in manifest order.
    pub order: Vec<usize>,
}

/// Checks `services` against the binaries in the boot package and the
/// names of init's own capabilities, and plans the start order.
pub fn validate(
    services: &[Service],
    binaries: &[&str],
    init_caps: &[&str],
) -> Result<StartPlan, GraphError> {
    if services.is_empty() {
        return Err(GraphError::NoServices);
    }
    let mut by_name = BTreeMap::new();
    for (index, service) in services.iter().enumerate() {
        local::check(index, service, binaries, init_caps)?;
        if by_name.insert(service.name.as_str(), index).is_some() {
            return Err(GraphError::DuplicateService {
                service: service.name.clone(),
            });
        }
    }
    let dependencies = imports::dependencies(services, &by_name)?;
    let order = order::start_order(services, &dependencies)?;
    Ok(StartPlan { order })
}
