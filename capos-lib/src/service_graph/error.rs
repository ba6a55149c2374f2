//! Why a service graph was refused.

use crate::launch::LaunchError;
use alloc::string::String;
use alloc::vec::Vec;
use capos_abi::capset::{MAX_CAP_NAME, MAX_CAPSET_ENTRIES};
use core::fmt;

/// A reason [`super::validate`] refused a graph. Each names the service and
/// the field at fault; `index` is the position in that field's list. The
/// [`fmt::Display`] form is the message init prints, e.g.
/// `service "dns": caps[1] "net": service "netstack" exports no "udp"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GraphError {
    NoServices,
    /// Service number `index` has an empty or over-long name.
    BadServiceName {
        index: usize,
        service: String,
    },
    /// Two services share a name.
    DuplicateService {
        service: String,
    },
    /// The binary is not in the boot package.
    UnknownBinary {
        service: String,
        binary: String,
    },
    /// More caps and exports together than a CapSet page holds.
    TooManyCaps {
        service: String,
        count: usize,
    },
    /// A cap name is empty or over-long.
    BadCapName {
        service: String,
        index: usize,
        cap: String,
    },
    /// Two caps of one service share a name.
    DuplicateCap {
        service: String,
        index: usize,
        cap: String,
    },
    /// An `Init` source names no capability init holds.
    UnknownInitCap {
        service: String,
        index: usize,
        cap: String,
        init_cap: String,
    },
    /// A `Directory` source's path is not absolute and normalized.
    BadDirectoryPath {
        service: String,
        index: usize,
        cap: String,
        path: String,
    },
    /// A `File` source's path is not absolute and normalized, or is "/".
    BadFilePath {
        service: String,
        index: usize,
        cap: String,
        path: String,
    },
    /// A `Service` source names no service.
    UnknownService {
        service: String,
        index: usize,
        cap: String,
        source: String,
    },
    /// A `Service` source names the importing service itself.
    ImportsItself {
        service: String,
        index: usize,
        cap: String,
    },
    /// A `Service` source names an export its service does not declare.
    MissingExport {
        service: String,
        index: usize,
        cap: String,
        source: String,
        export: String,
    },
    /// An export name is empty or over-long.
    BadExportName {
        service: String,
        index: usize,
        export: String,
    },
    /// Two exports of one service share a name.
    DuplicateExport {
        service: String,
        index: usize,
        export: String,
    },
    /// An export has the name of one of the service's caps: both would be
    /// entries of the same CapSet.
    ExportNamedLikeCap {
        service: String,
        index: usize,
        export: String,
    },
    /// argv or env could never be passed to the process.
    Launch {
        service: String,
        error: LaunchError,
    },
    /// Services that import from each other in a loop, none of which could
    /// start first. Each imports from the next; the last is the first again.
    Cycle {
        services: Vec<String>,
    },
    /// A declared pipe's name is empty or over-long.
    BadPipeName {
        pipe: String,
    },
    /// Two declared pipes share a name.
    DuplicatePipe {
        pipe: String,
    },
    /// Pipes are declared but init holds no PipeFactory of that name.
    NoPipeFactory {
        factory: String,
    },
    /// A `Pipe` source names no declared pipe.
    UnknownPipe {
        service: String,
        index: usize,
        cap: String,
        pipe: String,
    },
    /// A declared pipe no service reads, or none writes: it could never
    /// carry anything, or its reader would wait forever.
    PipeWithoutEnd {
        pipe: String,
        end: super::PipeEnd,
    },
}

impl fmt::Display for GraphError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Names are printed with `{:?}`: quoted, with control characters
        // escaped, so a hostile name cannot forge a log line.
        match self {
            GraphError::NoServices => f.write_str("the manifest has no services"),
            GraphError::BadServiceName { index, service } => write!(
                f,
                "services[{index}] {service:?}: name must be 1 to {MAX_CAP_NAME} bytes"
            ),
            GraphError::DuplicateService { service } => {
                write!(
                    f,
                    "service {service:?}: name is used by more than one service"
                )
            }
            GraphError::UnknownBinary { service, binary } => write!(
                f,
                "service {service:?}: binary {binary:?} is not in the boot package"
            ),
            GraphError::TooManyCaps { service, count } => write!(
                f,
                "service {service:?}: caps and exports: {count} CapSet entries, at most {MAX_CAPSET_ENTRIES}"
            ),
            GraphError::BadCapName {
                service,
                index,
                cap,
            } => write!(
                f,
                "service {service:?}: caps[{index}] {cap:?}: name must be 1 to {MAX_CAP_NAME} bytes"
            ),
            GraphError::DuplicateCap {
                service,
                index,
                cap,
            } => write!(
                f,
                "service {service:?}: caps[{index}] {cap:?}: name already used by an earlier cap"
            ),
            GraphError::UnknownInitCap {
                service,
                index,
                cap,
                init_cap,
            } => write!(
                f,
                "service {service:?}: caps[{index}] {cap:?}: init has no cap {init_cap:?}"
            ),
            GraphError::BadDirectoryPath {
                service,
                index,
                cap,
                path,
            } => write!(
                f,
                "service {service:?}: caps[{index}] {cap:?}: directory path {path:?} is not absolute and normalized (\"/\", \"/tmp\", \"/etc/ssl\")"
            ),
            GraphError::BadFilePath {
                service,
                index,
                cap,
                path,
            } => write!(
                f,
                "service {service:?}: caps[{index}] {cap:?}: file path {path:?} is not an absolute, normalized path naming a file (\"/etc/motd\")"
            ),
            GraphError::UnknownService {
                service,
                index,
                cap,
                source,
            } => write!(
                f,
                "service {service:?}: caps[{index}] {cap:?}: no service {source:?}"
            ),
            GraphError::ImportsItself {
                service,
                index,
                cap,
            } => write!(
                f,
                "service {service:?}: caps[{index}] {cap:?}: a service cannot import from itself"
            ),
            GraphError::MissingExport {
                service,
                index,
                cap,
                source,
                export,
            } => write!(
                f,
                "service {service:?}: caps[{index}] {cap:?}: service {source:?} exports no {export:?}"
            ),
            GraphError::BadExportName {
                service,
                index,
                export,
            } => write!(
                f,
                "service {service:?}: exports[{index}] {export:?}: name must be 1 to {MAX_CAP_NAME} bytes"
            ),
            GraphError::DuplicateExport {
                service,
                index,
                export,
            } => write!(
                f,
                "service {service:?}: exports[{index}] {export:?}: exported more than once"
            ),
            GraphError::ExportNamedLikeCap {
                service,
                index,
                export,
            } => write!(
                f,
                "service {service:?}: exports[{index}] {export:?}: also the name of one of its caps (one CapSet name)"
            ),
            GraphError::Launch { service, error } => write!(f, "service {service:?}: {error}"),
            GraphError::Cycle { services } => {
                f.write_str("dependency cycle: ")?;
                for (i, service) in services.iter().enumerate() {
                    let arrow = if i == 0 { "" } else { " -> " };
                    write!(f, "{arrow}{service:?}")?;
                }
                f.write_str(" (each imports from the next)")
            }
            GraphError::BadPipeName { pipe } => {
                write!(f, "pipe {pipe:?}: name must be 1 to {MAX_CAP_NAME} bytes")
            }
            GraphError::DuplicatePipe { pipe } => {
                write!(f, "pipe {pipe:?}: declared more than once")
            }
            GraphError::NoPipeFactory { factory } => write!(
                f,
                "pipes are declared but init has no PipeFactory cap {factory:?}"
            ),
            GraphError::UnknownPipe {
                service,
                index,
                cap,
                pipe,
            } => write!(
                f,
                "service {service:?}: caps[{index}] {cap:?}: no pipe {pipe:?} is declared"
            ),
            GraphError::PipeWithoutEnd { pipe, end } => {
                let who = match end {
                    super::PipeEnd::Read => "reads",
                    super::PipeEnd::Write => "writes",
                };
                write!(f, "pipe {pipe:?}: no service {who} it")
            }
        }
    }
}
