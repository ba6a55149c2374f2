//! The JSON that `cue export` makes of a system manifest: the shape
//! cue/defaults/defaults.cue defines as `#System`. Every struct refuses
//! unknown fields, so a field CUE let through by mistake is still caught.

use crate::error::InputError;
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SystemJson {
    pub schema_version: u32,
    /// Binary name -> ELF path relative to the repository root. Sorted, so
    /// the manifest bytes do not depend on the JSON's key order.
    pub binaries: BTreeMap<String, String>,
    pub init: InitJson,
    pub kernel_params: KernelParamsJson,
    /// The service graph init starts; absent means none.
    #[serde(default)]
    pub services: Vec<ServiceJson>,
    /// The kernel's file store; absent means none.
    #[serde(default)]
    pub file_system: Option<FileSystemJson>,
    /// Pipes init creates, whose ends services are granted by name.
    #[serde(default)]
    pub pipes: Vec<String>,
    /// init's PipeFactory that creates them.
    #[serde(default = "default_pipe_factory")]
    pub pipe_factory: String,
}

fn default_pipe_factory() -> String {
    "pipes".into()
}

/// The file store: its quotas and its starting tree, by absolute path.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FileSystemJson {
    pub data_bytes: u64,
    pub meta_bytes: u64,
    /// Every binary as the file /bin/NAME.
    #[serde(default)]
    pub bin: bool,
    /// Path -> node. Sorted, so the manifest does not depend on key order.
    #[serde(default)]
    pub nodes: BTreeMap<String, FsNodeJson>,
}

/// One node; exactly one of `directory`, `text`, `host`, `hostDirectory`,
/// `binary` and `device` (checked later, for a clearer message).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FsNodeJson {
    #[serde(default)]
    pub directory: bool,
    /// The file's contents.
    pub text: Option<String>,
    /// A host file, relative to the repository, read at build time.
    pub host: Option<String>,
    /// A host directory, relative to the repository, copied whole.
    pub host_directory: Option<String>,
    /// A manifest binary's ELF.
    pub binary: Option<String>,
    /// A device node: "null", "zero", "full" or "urandom".
    pub device: Option<String>,
    /// Permission bits; absent: 0755 for directories and binaries, 0666
    /// for devices, 0644 for other files.
    pub mode: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InitJson {
    pub binary: String,
    pub caps: Vec<CapJson>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CapJson {
    pub name: String,
    /// Checked against the known kinds later, for a clearer message than
    /// serde's own.
    pub kind: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct KernelParamsJson {
    pub motd: String,
    #[serde(default)]
    pub audit_spawns: bool,
    #[serde(default)]
    pub quiet_exits: bool,
    /// Absent takes QEMU user networking's addresses (crate::net).
    #[serde(default)]
    pub net: Option<NetJson>,
}

/// `kernelParams.net`: dotted quads, checked by crate::net.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetJson {
    pub address: String,
    pub gateway: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ServiceJson {
    pub name: String,
    pub binary: String,
    #[serde(default)]
    pub caps: Vec<ServiceCapJson>,
    #[serde(default)]
    pub exports: Vec<ExportJson>,
    #[serde(default)]
    pub argv: Vec<String>,
    #[serde(default)]
    pub env: Vec<String>,
    #[serde(default)]
    pub expect_fault: bool,
    /// The exit code that counts as success (0 if absent).
    #[serde(default)]
    pub exit_code: u8,
    #[serde(default)]
    pub limits: LimitsJson,
}

/// A service's quotas in bytes; 0 (or absent) takes the kernel's default.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct LimitsJson {
    #[serde(default)]
    pub kernel_bytes: u64,
    #[serde(default)]
    pub memory_bytes: u64,
}

/// `{name, init}`, `{name, service, export}`, `{name, directory}`,
/// `{name, file}` or `{name, pipe}`;
/// which fields are present is checked later, for a clearer message than
/// an untagged enum gives.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceCapJson {
    pub name: String,
    pub init: Option<String>,
    pub service: Option<String>,
    pub export: Option<String>,
    pub directory: Option<DirectoryCapJson>,
    /// A file of one of init's Directories, with the same fields.
    pub file: Option<DirectoryCapJson>,
    /// An end of one of the manifest's pipes.
    pub pipe: Option<PipeCapJson>,
}

/// `{name, end}`: the end ("read" or "write") of the pipe `name`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PipeCapJson {
    pub name: String,
    pub end: String,
}

/// A subtree of one of init's Directories.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DirectoryCapJson {
    /// init's Directory capability.
    pub from: String,
    /// Absolute and normalized.
    pub path: String,
    #[serde(default)]
    pub read_only: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ExportJson {
    pub name: String,
    pub interface_id: u64,
}

/// Parses `json`; errors name the field path where parsing stopped.
pub fn parse(json: &str) -> Result<SystemJson, InputError> {
    let mut de = serde_json::Deserializer::from_str(json);
    let system: SystemJson = serde_path_to_error::deserialize(&mut de)
        .map_err(|e| InputError::new(path_of(e.path()), e.inner().to_string()))?;
    de.end()
        .map_err(|e| InputError::new("", format!("after the manifest: {e}")))?;
    Ok(system)
}

/// `init.caps[2].kind`, or empty at the top level (the crate prints ".").
fn path_of(path: &serde_path_to_error::Path) -> String {
    let text = path.to_string();
    if text == "." { String::new() } else { text }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALID: &str = r#"{
        "schemaVersion": 1,
        "binaries": {"b": "target/b", "a": "target/a"},
        "init": {"binary": "a", "caps": [{"name": "console", "kind": "console"}]},
        "kernelParams": {"motd": "hi"}
    }"#;

    fn error_of(json: &str) -> InputError {
        parse(json).unwrap_err()
    }

    #[test]
    fn parses_the_cue_export_shape() {
        let s = parse(VALID).unwrap();
        assert_eq!(s.schema_version, 1);
        assert_eq!(s.binaries.keys().collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(s.init.binary, "a");
        assert_eq!(s.init.caps[0].name, "console");
        assert_eq!(s.init.caps[0].kind, "console");
        assert_eq!(s.kernel_params.motd, "hi");
        assert!(s.services.is_empty());
    }

    #[test]
    fn parses_services() {
        let json = VALID.replace(
            r#""kernelParams""#,
            r#""services": [{
                "name": "echo", "binary": "b",
                "caps": [{"name": "log", "init": "console"},
                         {"name": "up", "service": "s", "export": "e"}],
                "exports": [{"name": "echo", "interfaceId": 18446744073709551615}],
                "argv": ["b", "-v"], "env": ["A=1"]
            }, {"name": "min", "binary": "a"}], "kernelParams""#,
        );
        let s = parse(&json).unwrap();
        let echo = &s.services[0];
        assert_eq!((echo.name.as_str(), echo.binary.as_str()), ("echo", "b"));
        assert_eq!(echo.caps[0].init.as_deref(), Some("console"));
        assert_eq!(echo.caps[1].export.as_deref(), Some("e"));
        assert_eq!(echo.exports[0].interface_id, u64::MAX);
        assert_eq!((echo.argv.len(), echo.env.len()), (2, 1));
        let min = &s.services[1];
        assert!(min.caps.is_empty() && min.exports.is_empty() && min.argv.is_empty());
        let e = error_of(&json.replace("18446744073709551615", "-1"));
        assert_eq!(e.path, "services[0].exports[0].interfaceId");
        let e = error_of(&json.replace(r#""init": "console""#, r#""from": "console""#));
        assert_eq!(e.path, "services[0].caps[0].from");
    }

    #[test]
    fn unknown_fields_are_refused_at_every_level() {
        let cases = [
            (
                r#""schemaVersion": 1,"#,
                r#""schemaVersion": 1, "extra": 0,"#,
                "extra",
            ),
            (
                r#""binary": "a","#,
                r#""binary": "a", "argv": [],"#,
                "init.argv",
            ),
            (
                r#""kind": "console""#,
                r#""kind": "console", "x": 1"#,
                "init.caps[0].x",
            ),
            (
                r#""motd": "hi""#,
                r#""motd": "hi", "mtod": """#,
                "kernelParams.mtod",
            ),
        ];
        for (from, to, path) in cases {
            let e = error_of(&VALID.replace(from, to));
            assert_eq!(e.path, path, "{e}");
            assert!(e.message.contains("unknown field"), "{e}");
        }
    }

    #[test]
    fn missing_and_mistyped_fields_are_located() {
        let e = error_of(&VALID.replace(r#""motd": "hi""#, ""));
        assert_eq!(e.path, "kernelParams");
        assert!(e.message.contains("missing field `motd`"), "{e}");
        let e = error_of(&VALID.replace(r#""schemaVersion": 1"#, r#""schemaVersion": "1""#));
        assert_eq!(e.path, "schemaVersion");
        let e = error_of(&VALID.replace(r#""target/b""#, "7"));
        assert_eq!(e.path, "binaries.b");
    }

    #[test]
    fn malformed_json_is_refused() {
        assert!(error_of("").message.contains("EOF"));
        let e = error_of(&format!("{VALID} {{}}"));
        assert!(e.message.starts_with("after the manifest"), "{e}");
    }
}
