//! mkmanifest: builds the capOS boot manifest.
//!
//! ```text
//! mkmanifest --source system-NAME.cue --out manifest.bin [--json FILE]
//! ```
//!
//! Reads the JSON that `cue export` made of a system manifest (from FILE,
//! or from standard input when `--json` is absent or `-`), checks it, embeds
//! each binary's ELF and writes one Cap'n Proto `SystemManifest` message to
//! `--out`. Binary paths in the manifest are relative to the directory of
//! the `--source` file (the repository root for the system-*.cue files);
//! `--source` also prefixes every error, which reads
//! `system-smoke.cue: init.caps[2].kind: unknown kernel capability ...`.
//! Nothing is written unless every check passes. Exit status: 0 on success,
//! 1 for a bad manifest or an I/O error, 2 for a bad command line.
//!
//! # The JSON
//!
//! The shape `#System` in cue/defaults/defaults.cue exports; every object
//! refuses unknown fields:
//!
//! ```json
//! {
//!   "schemaVersion": 1,
//!   "binaries": {"init": "target/.../init", "echo-server": "target/.../echo-server"},
//!   "init": {"binary": "init", "caps": [{"name": "console", "kind": "console"}]},
//!   "kernelParams": {"motd": "text"},
//!   "services": [
//!     {"name": "echo", "binary": "echo-server",
//!      "caps": [{"name": "log", "init": "console"}],
//!      "exports": [{"name": "echo", "interfaceId": 15861275373181794754}],
//!      "argv": ["echo-server"], "env": ["VERBOSE=1"]},
//!     {"name": "user", "binary": "echo-client",
//!      "caps": [{"name": "echo", "service": "echo", "export": "echo"}]}
//!   ]
//! }
//! ```
//!
//! Cap kinds are `console`, `timer`, `processSpawner`, `virtualMemory`,
//! `bootPackage`, `endpointFactory`, `entropySource`, `pipeFactory` and
//! `fileSystem`. `fileSystem` (absent: none) declares the kernel's file
//! store: `{"dataBytes", "metaBytes", "bin", "nodes": {PATH: NODE}}`, each
//! node `{"directory": true}`, `{"text"}`, `{"host"}`, `{"hostDirectory"}`
//! or `{"binary"}`, with an optional `"mode"` ([`files`]; host paths are
//! read relative to `--source`'s directory, like binaries). `services` (absent: none) is the
//! graph init starts: a service cap comes from init's CapSet
//! (`{"name", "init"}`), from another service's export (`{"name",
//! "service", "export"}`) or is a subtree of one of init's Directories
//! (`{"name", "directory": {"from", "path", "readOnly"}}`); an export is an Endpoint whose clients call
//! interface `interfaceId`, a non-zero JSON integer (a full `u64`: CUE
//! writes it exactly). `caps`, `exports`, `argv` and `env` may be absent
//! (empty). A non-empty graph is checked as init checks it at boot
//! (`capos_lib::service_graph`), against the binaries and init's cap names;
//! see [`services`].

mod args;
#[cfg(test)]
mod defaults_cue;
mod error;
mod files;
mod input;
mod manifest;
mod net;
mod services;
mod strip;
#[cfg(test)]
mod test_elf;
mod validate;

use std::io::Read;
use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = match args::parse(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("mkmanifest: {message}\n{}", args::USAGE);
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &args::Args) -> Result<(), String> {
    let json = read_json(args.json.as_deref())?;
    let base = Path::new(&args.source)
        .parent()
        .unwrap_or(Path::new(""))
        .to_path_buf();
    let manifest = input::parse(&json)
        .and_then(|system| {
            validate::validate_with(
                system,
                |path| std::fs::read(base.join(path)),
                |path| list_dir(&base.join(path)),
            )
        })
        .map_err(|e| format!("{}: {e}", args.source))?;
    std::fs::write(&args.out, manifest.encode())
        .map_err(|e| format!("mkmanifest: cannot write {}: {e}", args.out.display()))
}

/// A host directory's entries, sorted by name (so the manifest does not
/// depend on the order the host lists them in): (name, is a directory).
/// Anything but files and directories (links, devices) is refused.
fn list_dir(path: &Path) -> std::io::Result<Vec<(String, bool)>> {
    let mut entries = Vec::new();
    for entry in std::fs::read_dir(path)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        let name = entry.file_name().into_string().map_err(|n| {
            std::io::Error::other(format!("{n:?} in {} is not UTF-8", path.display()))
        })?;
        if !kind.is_dir() && !kind.is_file() {
            return Err(std::io::Error::other(format!(
                "{name:?} in {} is neither a file nor a directory",
                path.display()
            )));
        }
        entries.push((name, kind.is_dir()));
    }
    entries.sort();
    Ok(entries)
}

fn read_json(path: Option<&Path>) -> Result<String, String> {
    match path {
        Some(path) => std::fs::read_to_string(path)
            .map_err(|e| format!("mkmanifest: cannot read {}: {e}", path.display())),
        None => {
            let mut json = String::new();
            std::io::stdin()
                .read_to_string(&mut json)
                .map_err(|e| format!("mkmanifest: cannot read standard input: {e}"))?;
            Ok(json)
        }
    }
}
