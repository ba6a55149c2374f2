//! Every check a system manifest must pass before it becomes a boot module.
//!
//! CUE already checks the shape; this repeats what the kernel relies on and
//! adds what CUE cannot see: that each binary exists and is an ELF the
//! kernel will load, and that the service graph is one init will accept
//! ([`crate::services`]). Binaries are read through a caller-supplied
//! function, so the checks run in tests without files.

use crate::error::InputError;
use crate::input::{CapJson, SystemJson};
use crate::manifest::{Binary, Cap, Manifest};
use crate::{files, services, strip};
use capos_abi::capset::{MAX_CAP_NAME, MAX_CAPSET_ENTRIES};
use capos_lib::service_graph::CapSource;
use capos_schema::KernelCapKind;
use std::collections::HashSet;
use std::io;
use std::path::Path;

/// The `SystemManifest.schemaVersion` this tool writes.
pub const SCHEMA_VERSION: u32 = 1;

/// Largest binary embedded. The kernel holds the whole manifest in memory,
/// and Cap'n Proto `Data` cannot exceed 2^29 bytes anyway.
pub const MAX_BINARY_BYTES: usize = 64 << 20;

/// The kernel capabilities init can be given, by their manifest names.
pub const KINDS: [(&str, KernelCapKind); 12] = [
    ("console", KernelCapKind::Console),
    ("timer", KernelCapKind::Timer),
    ("processSpawner", KernelCapKind::ProcessSpawner),
    ("virtualMemory", KernelCapKind::VirtualMemory),
    ("bootPackage", KernelCapKind::BootPackage),
    ("endpointFactory", KernelCapKind::EndpointFactory),
    ("entropySource", KernelCapKind::EntropySource),
    ("pipeFactory", KernelCapKind::PipeFactory),
    ("networkManager", KernelCapKind::NetworkManager),
    ("fileSystem", KernelCapKind::FileSystem),
    ("processForker", KernelCapKind::ProcessForker),
    ("terminal", KernelCapKind::Terminal),
];

/// Checks `system` and loads its binaries with `read_binary`, which gets
/// each path as written in the manifest (a manifest with no host
/// directories: the tests').
#[cfg(test)]
pub fn validate(
    system: SystemJson,
    read_binary: impl FnMut(&str) -> io::Result<Vec<u8>>,
) -> Result<Manifest, InputError> {
    validate_with(system, read_binary, |path| {
        Err(io::Error::other(format!(
            "no host directory {path:?} in this context"
        )))
    })
}

/// [`validate`], with `list_dir` listing a host directory for the file
/// system's `hostDirectory` nodes: (name, is a directory) per entry.
pub fn validate_with(
    system: SystemJson,
    mut read_binary: impl FnMut(&str) -> io::Result<Vec<u8>>,
    mut list_dir: impl FnMut(&str) -> io::Result<Vec<(String, bool)>>,
) -> Result<Manifest, InputError> {
    if system.schema_version != SCHEMA_VERSION {
        return Err(InputError::new(
            "schemaVersion",
            format!(
                "unsupported schema version {} (expected {SCHEMA_VERSION})",
                system.schema_version
            ),
        ));
    }
    for (name, path) in &system.binaries {
        check_binary_entry(name, path)?;
    }
    if !system.binaries.contains_key(&system.init.binary) {
        return Err(InputError::new(
            "init.binary",
            format!("{:?} is not one of the binaries", system.init.binary),
        ));
    }
    let caps = check_caps(&system.init.caps)?;
    let net = crate::net::check(system.kernel_params.net.as_ref())?;
    let binary_names: Vec<&str> = system.binaries.keys().map(String::as_str).collect();
    let init_caps: Vec<&str> = caps.iter().map(|c| c.name.as_str()).collect();
    let services = services::check(
        &system.services,
        &binary_names,
        &init_caps,
        &system.pipes,
        &system.pipe_factory,
    )?;
    if !system.pipes.is_empty()
        && let Some(i) = caps.iter().position(|c| c.name == system.pipe_factory)
        && caps[i].kind != KernelCapKind::PipeFactory
    {
        return Err(InputError::new(
            format!("init.caps[{i}].kind"),
            format!(
                "{:?} creates the manifest's pipes: it must be a pipeFactory",
                system.pipe_factory
            ),
        ));
    }
    let file_system = match &system.file_system {
        Some(fs) => Some(files::check(
            fs,
            &binary_names,
            &mut read_binary,
            &mut list_dir,
        )?),
        None => None,
    };
    check_file_system_grants(&caps, &services, file_system.as_ref())?;

    let mut binaries = Vec::with_capacity(system.binaries.len());
    for (name, path) in system.binaries {
        let elf = load_binary(&name, &path, &mut read_binary)?;
        binaries.push(Binary { name, elf });
    }
    Ok(Manifest {
        schema_version: SCHEMA_VERSION,
        binaries,
        init_binary: system.init.binary,
        caps,
        motd: system.kernel_params.motd,
        audit_spawns: system.kernel_params.audit_spawns,
        quiet_exits: system.kernel_params.quiet_exits,
        net,
        services,
        file_system,
        pipes: system.pipes,
        pipe_factory: system.pipe_factory,
    })
}

/// init's fileSystem capability needs a declared file system, and a
/// service granted a subtree of it must name a directory of the tree.
fn check_file_system_grants(
    caps: &[Cap],
    services: &[crate::manifest::Service],
    file_system: Option<&crate::manifest::FileSystem>,
) -> Result<(), InputError> {
    let fs_caps: Vec<&str> = caps
        .iter()
        .filter(|c| c.kind == KernelCapKind::FileSystem)
        .map(|c| c.name.as_str())
        .collect();
    if file_system.is_none()
        && let Some(i) = caps
            .iter()
            .position(|c| c.kind == KernelCapKind::FileSystem)
    {
        return Err(InputError::new(
            format!("init.caps[{i}].kind"),
            "fileSystem needs a fileSystem section (its quotas and tree)",
        ));
    }
    for (i, service) in services.iter().enumerate() {
        for (c, cap) in service.caps.iter().enumerate() {
            if let CapSource::Directory { from, path, .. } = &cap.source
                && fs_caps.contains(&from.as_str())
                && let Some(fs) = file_system
                && !files::is_directory(fs, path)
            {
                return Err(InputError::new(
                    format!("services[{i}].caps[{c}].directory.path"),
                    format!("{path:?} is not a directory of the fileSystem tree"),
                ));
            }
            if let CapSource::File { from, path, .. } = &cap.source
                && fs_caps.contains(&from.as_str())
                && let Some(fs) = file_system
                && !files::is_file(fs, path)
            {
                return Err(InputError::new(
                    format!("services[{i}].caps[{c}].file.path"),
                    format!("{path:?} is not a file of the fileSystem tree"),
                ));
            }
        }
    }
    Ok(())
}

/// Binary names are what init and ProcessSpawner refer to; keep them to a
/// plain character set (the same pattern as #System in CUE). Paths must be
/// relative, so a manifest never depends on one machine's directories.
fn check_binary_entry(name: &str, path: &str) -> Result<(), InputError> {
    let at = format!("binaries.{name}");
    let plain = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
    if name.is_empty() || !name.chars().all(plain) {
        return Err(InputError::new(
            at,
            format!("invalid binary name {name:?} (use letters, digits, '.', '_', '-')"),
        ));
    }
    if path.is_empty() || Path::new(path).is_absolute() {
        return Err(InputError::new(
            at,
            format!(
                "binary path {path:?} must be a non-empty path relative to the repository root"
            ),
        ));
    }
    Ok(())
}

/// Reads one binary and checks the kernel would load it.
fn load_binary(
    name: &str,
    path: &str,
    read_binary: &mut impl FnMut(&str) -> io::Result<Vec<u8>>,
) -> Result<Vec<u8>, InputError> {
    let at = format!("binaries.{name}");
    let elf = read_binary(path)
        .map_err(|e| InputError::new(at.as_str(), format!("cannot read {path:?}: {e}")))?;
    if elf.len() > MAX_BINARY_BYTES {
        return Err(InputError::new(
            at,
            format!("{path:?} is larger than {} MiB", MAX_BINARY_BYTES >> 20),
        ));
    }
    capos_lib::elf::load_plan(&elf).map_err(|e| {
        InputError::new(
            at.as_str(),
            format!("{path:?} is not a loadable capOS program: {}", e.message()),
        )
    })?;
    // Only what the kernel loads goes into the boot image (strip.rs).
    strip::loadable(&elf)
        .ok_or_else(|| InputError::new(at.as_str(), format!("{path:?}: its headers do not read")))
}

/// Checks init's capabilities: they become its CapSet page, so they must
/// fit in it and be found unambiguously by name.
fn check_caps(caps: &[CapJson]) -> Result<Vec<Cap>, InputError> {
    if caps.len() > MAX_CAPSET_ENTRIES {
        return Err(InputError::new(
            "init.caps",
            format!(
                "{} capabilities, more than a CapSet holds ({MAX_CAPSET_ENTRIES})",
                caps.len()
            ),
        ));
    }
    let mut seen = HashSet::new();
    let mut checked = Vec::with_capacity(caps.len());
    for (i, cap) in caps.iter().enumerate() {
        let name_error = |message: String| InputError::new(format!("init.caps[{i}].name"), message);
        if cap.name.is_empty() {
            return Err(name_error("capability name is empty".into()));
        }
        if cap.name.len() > MAX_CAP_NAME {
            return Err(name_error(format!(
                "capability name {:?} is {} bytes long (at most {MAX_CAP_NAME})",
                cap.name,
                cap.name.len()
            )));
        }
        if !seen.insert(cap.name.as_str()) {
            return Err(name_error(format!(
                "duplicate capability name {:?}",
                cap.name
            )));
        }
        checked.push(Cap {
            name: cap.name.clone(),
            kind: kind_of(&cap.kind).ok_or_else(|| {
                InputError::new(format!("init.caps[{i}].kind"), unknown_kind(&cap.kind))
            })?,
        });
    }
    Ok(checked)
}

fn kind_of(name: &str) -> Option<KernelCapKind> {
    KINDS.iter().find(|(n, _)| *n == name).map(|(_, k)| *k)
}

fn unknown_kind(name: &str) -> String {
    let expected: Vec<&str> = KINDS.iter().map(|(n, _)| *n).collect();
    format!(
        "unknown kernel capability {name:?} (expected one of {})",
        expected.join(", ")
    )
}

#[cfg(test)]
mod fuzz;
#[cfg(test)]
mod tests;
