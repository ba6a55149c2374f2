use super::*;
use crate::input::{InitJson, KernelParamsJson};
use crate::test_elf::tiny_elf;
use std::collections::BTreeMap;

fn cap(name: &str, kind: &str) -> CapJson {
    CapJson {
        name: name.into(),
        kind: kind.into(),
    }
}

/// A valid system: init and a worker, three caps.
fn system() -> SystemJson {
    SystemJson {
        schema_version: 1,
        binaries: BTreeMap::from([
            ("worker".to_string(), "bin/worker".to_string()),
            ("init".to_string(), "bin/init".to_string()),
        ]),
        init: InitJson {
            binary: "init".into(),
            caps: vec![
                cap("console", "console"),
                cap("timer", "timer"),
                cap("spawner", "processSpawner"),
            ],
        },
        kernel_params: KernelParamsJson {
            motd: "hello".into(),
            audit_spawns: false,
            quiet_exits: false,
            net: None,
        },
        services: Vec::new(),
        file_system: None,
        pipes: Vec::new(),
        pipe_factory: "pipes".into(),
    }
}

fn every_binary_is_tiny(_path: &str) -> io::Result<Vec<u8>> {
    Ok(tiny_elf())
}

/// The error `validate` gives for `system()` after `change`.
fn error_after(change: impl FnOnce(&mut SystemJson)) -> InputError {
    let mut s = system();
    change(&mut s);
    validate(s, every_binary_is_tiny).unwrap_err()
}

#[test]
fn valid_system_becomes_a_manifest() {
    let mut read = Vec::new();
    let manifest = validate(system(), |path| {
        read.push(path.to_string());
        Ok(tiny_elf())
    })
    .unwrap();
    assert_eq!(read, ["bin/init", "bin/worker"]);
    assert_eq!(manifest.schema_version, SCHEMA_VERSION);
    let names: Vec<_> = manifest.binaries.iter().map(|b| b.name.as_str()).collect();
    assert_eq!(names, ["init", "worker"]);
    assert_eq!(manifest.binaries[0].elf, tiny_elf());
    assert_eq!(manifest.init_binary, "init");
    let caps: Vec<_> = manifest
        .caps
        .iter()
        .map(|c| (c.name.as_str(), c.kind))
        .collect();
    assert_eq!(
        caps,
        [
            ("console", KernelCapKind::Console),
            ("timer", KernelCapKind::Timer),
            ("spawner", KernelCapKind::ProcessSpawner),
        ]
    );
    assert_eq!(manifest.motd, "hello");
}

#[test]
fn wrong_schema_version() {
    let e = error_after(|s| s.schema_version = 2);
    assert_eq!(e.path, "schemaVersion");
    assert_eq!(e.message, "unsupported schema version 2 (expected 1)");
}

#[test]
fn bad_binary_names_and_paths() {
    for name in ["", "two words", "a/b"] {
        let e = error_after(|s| {
            s.binaries.insert(name.into(), "bin/x".into());
        });
        assert_eq!(e.path, format!("binaries.{name}"));
        assert!(e.message.starts_with("invalid binary name"), "{e}");
    }
    for path in ["", "/abs/init"] {
        let e = error_after(|s| {
            s.binaries.insert("init".into(), path.into());
        });
        assert_eq!(e.path, "binaries.init");
        assert!(e.message.contains("relative to the repository root"), "{e}");
    }
}

#[test]
fn init_binary_must_be_listed() {
    let e = error_after(|s| s.init.binary = "inti".into());
    assert_eq!(e.path, "init.binary");
    assert_eq!(e.message, r#""inti" is not one of the binaries"#);
}

#[test]
fn cap_count_is_bounded_by_the_capset_page() {
    let many = |n: usize| (0..n).map(|i| cap(&format!("c{i}"), "timer")).collect();
    let mut s = system();
    s.init.caps = many(MAX_CAPSET_ENTRIES);
    assert!(validate(s, every_binary_is_tiny).is_ok());
    let e = error_after(|s| s.init.caps = many(MAX_CAPSET_ENTRIES + 1));
    assert_eq!(e.path, "init.caps");
    assert!(e.message.contains("more than a CapSet holds"), "{e}");
}

#[test]
fn cap_names_are_non_empty_bounded_and_unique() {
    let e = error_after(|s| s.init.caps[1].name.clear());
    assert_eq!(e.path, "init.caps[1].name");
    assert_eq!(e.message, "capability name is empty");

    let mut s = system();
    s.init.caps[1].name = "n".repeat(MAX_CAP_NAME);
    assert!(validate(s, every_binary_is_tiny).is_ok());
    let e = error_after(|s| s.init.caps[1].name = "n".repeat(MAX_CAP_NAME + 1));
    assert_eq!(e.path, "init.caps[1].name");
    assert!(e.message.contains("at most 48"), "{e}");
    // Bytes count, not characters: 25 two-byte characters are too long.
    let e = error_after(|s| s.init.caps[1].name = "é".repeat(25));
    assert!(e.message.contains("is 50 bytes long"), "{e}");

    let e = error_after(|s| s.init.caps[2].name = "console".into());
    assert_eq!(e.path, "init.caps[2].name");
    assert_eq!(e.message, r#"duplicate capability name "console""#);
}

#[test]
fn unknown_kind_lists_the_known_ones() {
    let e = error_after(|s| s.init.caps[2].kind = "consol".into());
    assert_eq!(
        e.to_string(),
        r#"init.caps[2].kind: unknown kernel capability "consol" (expected one of console, timer, processSpawner, virtualMemory, bootPackage, endpointFactory, entropySource, pipeFactory, networkManager, fileSystem, processForker, terminal)"#
    );
}

#[test]
fn unreadable_binary_names_its_path() {
    let e = validate(system(), |path| {
        if path == "bin/worker" {
            Err(io::Error::new(io::ErrorKind::NotFound, "no such file"))
        } else {
            Ok(tiny_elf())
        }
    })
    .unwrap_err();
    assert_eq!(e.path, "binaries.worker");
    assert_eq!(e.message, r#"cannot read "bin/worker": no such file"#);
}

#[test]
fn every_binary_must_be_a_loadable_elf() {
    let e = validate(system(), |path| {
        let mut elf = tiny_elf();
        if path == "bin/worker" {
            elf[18] = 3; // EM_386
        }
        Ok(elf)
    })
    .unwrap_err();
    assert_eq!(e.path, "binaries.worker");
    assert_eq!(
        e.message,
        r#""bin/worker" is not a loadable capOS program: not an x86_64 ELF file"#
    );
}

#[test]
fn oversized_binary_is_refused() {
    let e = validate(system(), |_| Ok(vec![0; MAX_BINARY_BYTES + 1])).unwrap_err();
    assert_eq!(e.path, "binaries.init");
    assert!(e.message.contains("larger than 64 MiB"), "{e}");
}

/// `system()` with a tree holding /etc/motd and a service granted
/// `path` of it as a file, as `{name: "fd/0", file: {path}}` in CUE.
fn file_cap_error(path: &str) -> Option<InputError> {
    let json = format!(
        r#"{{"schemaVersion": 1,
            "binaries": {{"init": "bin/init", "worker": "bin/worker"}},
            "init": {{"binary": "init", "caps": [
                {{"name": "console", "kind": "console"}},
                {{"name": "fs", "kind": "fileSystem"}}]}},
            "kernelParams": {{"motd": ""}},
            "fileSystem": {{"dataBytes": 65536, "metaBytes": 65536, "bin": false,
                "nodes": {{"/etc/motd": {{"text": "hi\n"}}}}}},
            "services": [{{"name": "worker", "binary": "worker", "caps": [
                {{"name": "fd/0", "file": {{"from": "fs", "path": "{path}", "readOnly": true}}}},
                {{"name": "fd/1", "init": "console"}}]}}]}}"#
    );
    let system = crate::input::parse(&json).unwrap();
    validate(system, every_binary_is_tiny).err()
}

#[test]
fn file_caps_name_a_file_of_the_tree() {
    assert!(file_cap_error("/etc/motd").is_none());
    for (path, why) in [
        ("/etc", "is not a file of the fileSystem tree"),
        ("/etc/hosts", "is not a file of the fileSystem tree"),
        ("/", "naming a file"),
        ("etc/motd", "naming a file"),
    ] {
        let e = file_cap_error(path).unwrap();
        assert_eq!(e.path, "services[0].caps[0].file.path", "{path}");
        assert!(e.message.contains(why), "{path}: {}", e.message);
    }
}
