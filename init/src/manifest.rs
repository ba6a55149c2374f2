//! Decoding the service graph out of the boot manifest.
//!
//! The manifest is a Cap'n Proto `SystemManifest` read in place from the
//! buffer init copied it into. Only the binaries' names and the services
//! are read; the ELF images are never touched. The bytes came through the
//! kernel from the boot image, but are still parsed as untrusted input:
//! with a traversal limit proportional to their size and a nesting limit,
//! and every text checked to be UTF-8.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use capnp::message::ReaderOptions;
use capnp::serialize;
use capos_lib::service_graph::{self, CapImport, CapSource, Service};
use capos_schema::{PipeEnd, service_cap, service_config, system_manifest};
use core::fmt;

/// The only manifest version init understands.
pub const SCHEMA_VERSION: u32 = 1;

/// Deepest pointer nesting of a valid manifest is 6 (root, services list,
/// service, caps list, cap, text); 16 leaves room without allowing abuse.
const NESTING_LIMIT: i32 = 16;

/// What init needs from the manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    /// The names `ProcessSpawner` can start.
    pub binaries: Vec<String>,
    /// In manifest order, in the shape the graph check takes.
    pub services: Vec<Service>,
    /// `interface_ids[i][j]`: the interface of `services[i].exports[j]`.
    pub interface_ids: Vec<Vec<u64>>,
    /// `expect_fault[i]`: service `i` is meant to die by a CPU fault.
    pub expect_fault: Vec<bool>,
    /// `exit_codes[i]`: the exit code that counts as service `i`'s success.
    pub exit_codes: Vec<u8>,
    /// `limits[i]`: service `i`'s quotas.
    pub limits: Vec<capos_rt::Limits>,
    /// The pipes init creates for the services' `Pipe` sources.
    pub pipes: Vec<String>,
    /// init's PipeFactory that creates them, by CapSet name.
    pub pipe_factory: String,
}

/// Why the manifest could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ManifestError {
    /// Not a valid Cap'n Proto `SystemManifest`.
    Malformed(String),
    Version(u32),
    /// The text at this path is not UTF-8.
    NotUtf8(String),
}

impl fmt::Display for ManifestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ManifestError::Malformed(why) => write!(f, "not a valid manifest: {why}"),
            ManifestError::Version(v) => write!(
                f,
                "schemaVersion {v} is not supported (expected {SCHEMA_VERSION})"
            ),
            ManifestError::NotUtf8(path) => write!(f, "{path} is not UTF-8"),
        }
    }
}

impl From<capnp::Error> for ManifestError {
    fn from(e: capnp::Error) -> Self {
        ManifestError::Malformed(e.to_string())
    }
}

impl From<capnp::NotInSchema> for ManifestError {
    /// A union member this init does not know (a newer schema's).
    fn from(e: capnp::NotInSchema) -> Self {
        ManifestError::Malformed(alloc::format!("unknown union member {}", e.0))
    }
}

/// Decodes the manifest in `bytes`, which must be 8-byte aligned (as any
/// mapping is).
pub fn decode(bytes: &[u8]) -> Result<Manifest, ManifestError> {
    // Reading every field once reads each word at most once; twice the
    // size (plus the framing's slack) bounds the work a hostile message
    // with shared pointers can cause.
    let mut options = ReaderOptions::new();
    options
        .traversal_limit_in_words(Some(bytes.len() / 4 + 1024))
        .nesting_limit(NESTING_LIMIT);
    let mut slice = bytes;
    let message = serialize::read_message_from_flat_slice_no_alloc(&mut slice, options)?;
    let root: system_manifest::Reader = message.get_root()?;
    if root.get_schema_version() != SCHEMA_VERSION {
        return Err(ManifestError::Version(root.get_schema_version()));
    }
    let binaries = root
        .get_binaries()?
        .iter()
        .enumerate()
        .map(|(i, b)| text(b.get_name(), || alloc::format!("binaries[{i}].name")))
        .collect::<Result<_, _>>()?;
    let mut services = Vec::new();
    let mut interface_ids = Vec::new();
    let mut expect_fault = Vec::new();
    let mut exit_codes = Vec::new();
    let mut limits = Vec::new();
    for (i, config) in root.get_services()?.iter().enumerate() {
        let (service, ids) = service(i, config)?;
        services.push(service);
        interface_ids.push(ids);
        expect_fault.push(config.get_expect_fault());
        exit_codes.push(config.get_exit_code());
        let quotas = config.get_limits()?;
        limits.push(capos_rt::Limits {
            kernel_bytes: quotas.get_kernel_bytes(),
            memory_bytes: quotas.get_memory_bytes(),
        });
    }
    Ok(Manifest {
        binaries,
        services,
        interface_ids,
        expect_fault,
        exit_codes,
        limits,
        pipes: texts(root.get_pipes(), |p| alloc::format!("pipes[{p}]"))?,
        pipe_factory: text(root.get_pipe_factory(), || "pipeFactory".into())?,
    })
}

/// A text field as an owned string; `path` names it in the error.
fn text(
    field: capnp::Result<capnp::text::Reader<'_>>,
    path: impl FnOnce() -> String,
) -> Result<String, ManifestError> {
    field?
        .to_str()
        .map(String::from)
        .map_err(|_| ManifestError::NotUtf8(path()))
}

/// Every entry of a text list.
fn texts(
    list: capnp::Result<capnp::text_list::Reader<'_>>,
    path: impl Fn(usize) -> String,
) -> Result<Vec<String>, ManifestError> {
    list?
        .iter()
        .enumerate()
        .map(|(i, t)| text(t, || path(i)))
        .collect()
}

/// Service number `i`, and its exports' interface ids.
fn service(
    i: usize,
    config: service_config::Reader<'_>,
) -> Result<(Service, Vec<u64>), ManifestError> {
    let at = |field: &str| alloc::format!("services[{i}].{field}");
    let mut caps = Vec::new();
    for (c, cap) in config.get_caps()?.iter().enumerate() {
        let path = |field: &str| at(&alloc::format!("caps[{c}].{field}"));
        let source = match cap.get_source().which()? {
            service_cap::source::Init(name) => CapSource::Init(text(name, || path("init"))?),
            service_cap::source::Service(from) => CapSource::Service {
                service: text(from.get_service(), || path("service"))?,
                export: text(from.get_export(), || path("export"))?,
            },
            service_cap::source::Directory(d) => CapSource::Directory {
                from: text(d.get_from(), || path("from"))?,
                path: text(d.get_path(), || path("path"))?,
                read_only: d.get_read_only(),
            },
            service_cap::source::File(f) => CapSource::File {
                from: text(f.get_from(), || path("from"))?,
                path: text(f.get_path(), || path("path"))?,
                read_only: f.get_read_only(),
            },
            service_cap::source::Pipe(p) => CapSource::Pipe {
                name: text(p.get_name(), || path("pipe.name"))?,
                end: match p.get_end()? {
                    PipeEnd::Read => service_graph::PipeEnd::Read,
                    PipeEnd::Write => service_graph::PipeEnd::Write,
                },
            },
        };
        caps.push(CapImport {
            name: text(cap.get_name(), || path("name"))?,
            source,
        });
    }
    let mut exports = Vec::new();
    let mut ids = Vec::new();
    for (e, export) in config.get_exports()?.iter().enumerate() {
        exports.push(text(export.get_name(), || {
            at(&alloc::format!("exports[{e}].name"))
        })?);
        ids.push(export.get_interface_id());
    }
    let service = Service {
        name: text(config.get_name(), || at("name"))?,
        binary: text(config.get_binary(), || at("binary"))?,
        caps,
        exports,
        argv: texts(config.get_argv(), |a| at(&alloc::format!("argv[{a}]")))?,
        env: texts(config.get_env(), |v| at(&alloc::format!("env[{v}]")))?,
    };
    Ok((service, ids))
}

#[cfg(test)]
mod tests;
