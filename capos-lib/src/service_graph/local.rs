//! The checks that need only one service (and init's view of the system):
//! names, binary, CapSet size and names, init sources, exports, and that
//! argv and env could be passed at launch.

use super::{CapSource, GraphError, Service};
use crate::launch;
use alloc::collections::BTreeSet;
use alloc::vec::Vec;
use capos_abi::capset::{MAX_CAP_NAME, MAX_CAPSET_ENTRIES};

/// Checks service number `index` on its own.
pub fn check(
    index: usize,
    service: &Service,
    binaries: &[&str],
    init_caps: &[&str],
) -> Result<(), GraphError> {
    let name = &service.name;
    if !is_valid_name(name) {
        return Err(GraphError::BadServiceName {
            index,
            service: name.clone(),
        });
    }
    if !binaries.contains(&service.binary.as_str()) {
        return Err(GraphError::UnknownBinary {
            service: name.clone(),
            binary: service.binary.clone(),
        });
    }
    check_caps(service, init_caps)?;
    check_exports(service)?;
    check_launch(service)
}

/// Service, cap and export names all become CapSet-style names, so they
/// share the CapSet's bounds.
pub(super) fn is_valid_name(name: &str) -> bool {
    (1..=MAX_CAP_NAME).contains(&name.len())
}

fn check_caps(service: &Service, init_caps: &[&str]) -> Result<(), GraphError> {
    // Caps and exports become entries of one CapSet page.
    let entries = service.caps.len() + service.exports.len();
    if entries > MAX_CAPSET_ENTRIES {
        return Err(GraphError::TooManyCaps {
            service: service.name.clone(),
            count: entries,
        });
    }
    let mut seen = BTreeSet::new();
    for (index, cap) in service.caps.iter().enumerate() {
        if !is_valid_name(&cap.name) {
            return Err(GraphError::BadCapName {
                service: service.name.clone(),
                index,
                cap: cap.name.clone(),
            });
        }
        if !seen.insert(cap.name.as_str()) {
            return Err(GraphError::DuplicateCap {
                service: service.name.clone(),
                index,
                cap: cap.name.clone(),
            });
        }
        let init_cap = match &cap.source {
            CapSource::Init(init_cap) => Some(init_cap),
            CapSource::Directory { from, path, .. } => {
                if crate::fs::path::absolute(path.as_bytes()).is_none() {
                    return Err(GraphError::BadDirectoryPath {
                        service: service.name.clone(),
                        index,
                        cap: cap.name.clone(),
                        path: path.clone(),
                    });
                }
                Some(from)
            }
            CapSource::File { from, path, .. } => {
                if crate::fs::path::absolute(path.as_bytes()).is_none_or(|names| names.is_empty()) {
                    return Err(GraphError::BadFilePath {
                        service: service.name.clone(),
                        index,
                        cap: cap.name.clone(),
                        path: path.clone(),
                    });
                }
                Some(from)
            }
            CapSource::Service { .. } | CapSource::Pipe { .. } => None,
        };
        if let Some(init_cap) = init_cap
            && !init_caps.contains(&init_cap.as_str())
        {
            return Err(GraphError::UnknownInitCap {
                service: service.name.clone(),
                index,
                cap: cap.name.clone(),
                init_cap: init_cap.clone(),
            });
        }
    }
    Ok(())
}

fn check_exports(service: &Service) -> Result<(), GraphError> {
    let mut seen = BTreeSet::new();
    for (index, export) in service.exports.iter().enumerate() {
        if !is_valid_name(export) {
            return Err(GraphError::BadExportName {
                service: service.name.clone(),
                index,
                export: export.clone(),
            });
        }
        if service.caps.iter().any(|c| &c.name == export) {
            return Err(GraphError::ExportNamedLikeCap {
                service: service.name.clone(),
                index,
                export: export.clone(),
            });
        }
        if !seen.insert(export.as_str()) {
            return Err(GraphError::DuplicateExport {
                service: service.name.clone(),
                index,
                export: export.clone(),
            });
        }
    }
    Ok(())
}

/// Encodes argv and env as the kernel will, so a manifest that could never
/// launch fails here rather than at spawn time.
fn check_launch(service: &Service) -> Result<(), GraphError> {
    let argv: Vec<&[u8]> = service.argv.iter().map(|s| s.as_bytes()).collect();
    let env: Vec<&[u8]> = service.env.iter().map(|s| s.as_bytes()).collect();
    launch::encode(&argv, &env)
        .map(|_| ())
        .map_err(|error| GraphError::Launch {
            service: service.name.clone(),
            error,
        })
}
