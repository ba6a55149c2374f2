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
#[serde(deny_unknown_fields)]
pub struct KernelParamsJson {
    pub motd: String,
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
