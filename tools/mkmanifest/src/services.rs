//! The `services` section: the graph init starts.
//!
//! The JSON shape is checked here (each cap names exactly one source, each
//! export a real interface id, no service name twice), then the graph goes
//! through the checks init runs at boot (`capos_lib::service_graph::validate`
//! against the manifest's binaries and the names of init's caps), so a
//! graph init would refuse never reaches the
//! boot image. Errors point at the field:
//! `services[1].caps[0].export: service "log": caps[0] ...`.
//!
//! An empty (or absent) list is not checked: such a manifest's init does
//! not start services from the manifest.

use crate::error::InputError;
use crate::input::{ServiceCapJson, ServiceJson};
use crate::manifest::{Export, Limits, Service};
use capos_lib::launch::{LaunchError, List};
use capos_lib::service_graph::{self, CapImport, CapSource, GraphError, PipeEnd};
use std::collections::HashMap;

/// Checks `services` and converts them. `binaries` are the manifest's
/// binary names, `init_caps` the names in init's CapSet.
pub fn check(
    services: &[ServiceJson],
    binaries: &[&str],
    init_caps: &[&str],
    pipes: &[String],
    pipe_factory: &str,
) -> Result<Vec<Service>, InputError> {
    if services.is_empty() {
        if !pipes.is_empty() {
            return Err(InputError::new("pipes", "pipes need services to join"));
        }
        return Ok(Vec::new());
    }
    let mut seen = HashMap::new();
    let mut checked = Vec::with_capacity(services.len());
    for (i, json) in services.iter().enumerate() {
        if let Some(first) = seen.insert(json.name.as_str(), i) {
            return Err(InputError::new(
                format!("services[{i}].name"),
                format!(
                    "service name {:?} is already used by services[{first}]",
                    json.name
                ),
            ));
        }
        checked.push(convert(i, json)?);
    }
    let graph: Vec<service_graph::Service> = checked.iter().map(Service::graph).collect();
    service_graph::validate(&graph, binaries, init_caps)
        .and_then(|_| service_graph::check_pipes(&graph, pipes, pipe_factory, init_caps))
        .map_err(|e| InputError::new(path_of(&e, &seen), e.to_string()))?;
    Ok(checked)
}

/// The JSON of service `i`, in the manifest's types.
fn convert(i: usize, json: &ServiceJson) -> Result<Service, InputError> {
    let caps = json
        .caps
        .iter()
        .enumerate()
        .map(|(c, cap)| {
            Ok(CapImport {
                name: cap.name.clone(),
                source: source(cap).ok_or_else(|| {
                    InputError::new(
                        format!("services[{i}].caps[{c}]"),
                        "give one of \"init\" (one of init's caps), \"service\" and \"export\" \
                         (another service's export), \"directory\" (a subtree of one of \
                         init's Directories), \"file\" (a file below one of them) or \"pipe\" \
                         (the \"read\" or \"write\" end of one of the manifest's pipes)",
                    )
                })?,
            })
        })
        .collect::<Result<_, InputError>>()?;
    let exports = json
        .exports
        .iter()
        .enumerate()
        .map(|(e, export)| {
            if export.interface_id == 0 {
                return Err(InputError::new(
                    format!("services[{i}].exports[{e}].interfaceId"),
                    "0 is not an interface id (give the schema type id the service implements)",
                ));
            }
            Ok(Export {
                name: export.name.clone(),
                interface_id: export.interface_id,
            })
        })
        .collect::<Result<_, InputError>>()?;
    Ok(Service {
        name: json.name.clone(),
        binary: json.binary.clone(),
        caps,
        exports,
        argv: json.argv.clone(),
        env: json.env.clone(),
        expect_fault: json.expect_fault,
        exit_code: json.exit_code,
        limits: Limits {
            kernel_bytes: json.limits.kernel_bytes,
            memory_bytes: json.limits.memory_bytes,
        },
    })
}

fn source(cap: &ServiceCapJson) -> Option<CapSource> {
    match (
        &cap.init,
        &cap.service,
        &cap.export,
        &cap.directory,
        &cap.file,
        &cap.pipe,
    ) {
        (Some(init), None, None, None, None, None) => Some(CapSource::Init(init.clone())),
        (None, Some(service), Some(export), None, None, None) => Some(CapSource::Service {
            service: service.clone(),
            export: export.clone(),
        }),
        (None, None, None, Some(d), None, None) => Some(CapSource::Directory {
            from: d.from.clone(),
            path: d.path.clone(),
            read_only: d.read_only,
        }),
        (None, None, None, None, Some(f), None) => Some(CapSource::File {
            from: f.from.clone(),
            path: f.path.clone(),
            read_only: f.read_only,
        }),
        (None, None, None, None, None, Some(p)) => Some(CapSource::Pipe {
            name: p.name.clone(),
            end: match p.end.as_str() {
                "read" => PipeEnd::Read,
                "write" => PipeEnd::Write,
                _ => return None,
            },
        }),
        _ => None,
    }
}

impl Service {
    /// The service as the graph check sees it: exports by name only.
    fn graph(&self) -> service_graph::Service {
        service_graph::Service {
            name: self.name.clone(),
            binary: self.binary.clone(),
            caps: self.caps.clone(),
            exports: self.exports.iter().map(|e| e.name.clone()).collect(),
            argv: self.argv.clone(),
            env: self.env.clone(),
        }
    }
}

/// The JSON path of the field a graph error is about. Service names are
/// unique by now (checked first), so a name finds its index.
fn path_of(error: &GraphError, index_of: &HashMap<&str, usize>) -> String {
    let at = |service: &str| format!("services[{}]", index_of.get(service).copied().unwrap_or(0));
    match error {
        GraphError::NoServices | GraphError::Cycle { .. } => "services".into(),
        GraphError::BadServiceName { index, .. } => format!("services[{index}].name"),
        GraphError::DuplicateService { service } => format!("{}.name", at(service)),
        GraphError::UnknownBinary { service, .. } => format!("{}.binary", at(service)),
        GraphError::TooManyCaps { service, .. } => format!("{}.caps", at(service)),
        GraphError::ExportNamedLikeCap { service, index, .. } => {
            format!("{}.exports[{index}].name", at(service))
        }
        GraphError::BadCapName { service, index, .. }
        | GraphError::DuplicateCap { service, index, .. } => {
            format!("{}.caps[{index}].name", at(service))
        }
        GraphError::UnknownInitCap { service, index, .. } => {
            format!("{}.caps[{index}].init", at(service))
        }
        GraphError::BadDirectoryPath { service, index, .. } => {
            format!("{}.caps[{index}].directory.path", at(service))
        }
        GraphError::BadFilePath { service, index, .. } => {
            format!("{}.caps[{index}].file.path", at(service))
        }
        GraphError::UnknownService { service, index, .. }
        | GraphError::ImportsItself { service, index, .. } => {
            format!("{}.caps[{index}].service", at(service))
        }
        GraphError::MissingExport { service, index, .. } => {
            format!("{}.caps[{index}].export", at(service))
        }
        GraphError::BadExportName { service, index, .. }
        | GraphError::DuplicateExport { service, index, .. } => {
            format!("{}.exports[{index}].name", at(service))
        }
        GraphError::BadPipeName { .. }
        | GraphError::DuplicatePipe { .. }
        | GraphError::PipeWithoutEnd { .. } => "pipes".into(),
        GraphError::NoPipeFactory { .. } => "pipeFactory".into(),
        GraphError::UnknownPipe { service, index, .. } => {
            format!("{}.caps[{index}].pipe.name", at(service))
        }
        GraphError::Launch { service, error } => match launch_field(error) {
            Some(field) => format!("{}.{field}", at(service)),
            None => at(service),
        },
    }
}

/// `argv`, `env[3]` and the like: the launch parameter an error is about,
/// if it is about one.
fn launch_field(error: &LaunchError) -> Option<String> {
    match *error {
        LaunchError::InteriorNul { list, index }
        | LaunchError::StringOutOfRange { list, index }
        | LaunchError::Unterminated { list, index } => Some(format!("{}[{index}]", list.name())),
        LaunchError::EnvMissingEquals { index } | LaunchError::EnvEmptyKey { index } => {
            Some(format!("{}[{index}]", List::Env.name()))
        }
        LaunchError::TooMany { list } | LaunchError::BadTable { list } => Some(list.name().into()),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
