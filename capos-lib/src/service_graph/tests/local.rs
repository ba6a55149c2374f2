use super::*;
use crate::launch::{LaunchError, List};
use capos_abi::capset::{MAX_CAP_NAME, MAX_CAPSET_ENTRIES};

#[test]
fn empty_manifest_is_refused() {
    let (error, message) = refusal(&[]);
    assert_eq!(error, GraphError::NoServices);
    assert_eq!(message, "the manifest has no services");
}

#[test]
fn service_names_are_bounded() {
    let (error, message) = refusal(&[service("ok"), service("")]);
    assert_eq!(
        error,
        GraphError::BadServiceName {
            index: 1,
            service: "".to_string()
        }
    );
    assert_eq!(message, "services[1] \"\": name must be 1 to 48 bytes");
    let long = "x".repeat(MAX_CAP_NAME + 1);
    let (error, _) = refusal(&[service(&long)]);
    assert_eq!(
        error,
        GraphError::BadServiceName {
            index: 0,
            service: long
        }
    );
}

#[test]
fn service_names_are_unique() {
    let (error, message) = refusal(&[service("a"), service("b"), service("a")]);
    assert_eq!(
        error,
        GraphError::DuplicateService {
            service: "a".to_string()
        }
    );
    assert_eq!(
        message,
        "service \"a\": name is used by more than one service"
    );
}

#[test]
fn binary_must_be_in_the_boot_package() {
    let mut s = service("dns");
    s.binary = "dnsd".to_string();
    let (error, message) = refusal(&[s]);
    assert!(matches!(error, GraphError::UnknownBinary { .. }));
    assert_eq!(
        message,
        "service \"dns\": binary \"dnsd\" is not in the boot package"
    );
}

#[test]
fn capset_size_is_bounded() {
    let caps = (0..=MAX_CAPSET_ENTRIES)
        .map(|i| from_init(&std::format!("cap{i}"), "timer"))
        .collect();
    let (error, message) = refusal(&[with_caps(service("big"), caps)]);
    assert_eq!(
        error,
        GraphError::TooManyCaps {
            service: "big".to_string(),
            count: 64
        }
    );
    assert_eq!(
        message,
        "service \"big\": caps and exports: 64 CapSet entries, at most 63"
    );
}

#[test]
fn cap_names_are_bounded() {
    let long = "c".repeat(MAX_CAP_NAME + 1);
    for name in ["", long.as_str()] {
        let caps = vec![from_init("console", "console"), from_init(name, "timer")];
        let (error, _) = refusal(&[with_caps(service("s"), caps)]);
        assert_eq!(
            error,
            GraphError::BadCapName {
                service: "s".to_string(),
                index: 1,
                cap: name.to_string()
            }
        );
    }
}

#[test]
fn cap_names_are_unique_within_a_service() {
    let caps = vec![from_init("log", "console"), from_init("log", "timer")];
    let (error, message) = refusal(&[with_caps(service("s"), caps)]);
    assert!(matches!(error, GraphError::DuplicateCap { index: 1, .. }));
    assert_eq!(
        message,
        "service \"s\": caps[1] \"log\": name already used by an earlier cap"
    );
}

#[test]
fn init_sources_must_exist() {
    let caps = vec![from_init("console", "konsole")];
    let (error, message) = refusal(&[with_caps(service("s"), caps)]);
    assert!(matches!(error, GraphError::UnknownInitCap { index: 0, .. }));
    assert_eq!(
        message,
        "service \"s\": caps[0] \"console\": init has no cap \"konsole\""
    );
}

#[test]
fn export_names_are_bounded_and_unique() {
    let (error, _) = refusal(&[with_exports(service("s"), &["ok", ""])]);
    assert!(matches!(error, GraphError::BadExportName { index: 1, .. }));
    let long = "e".repeat(MAX_CAP_NAME + 1);
    let (error, _) = refusal(&[with_exports(service("s"), &[&long])]);
    assert!(matches!(error, GraphError::BadExportName { index: 0, .. }));
    let (error, message) = refusal(&[with_exports(service("s"), &["udp", "tcp", "udp"])]);
    assert!(matches!(
        error,
        GraphError::DuplicateExport { index: 2, .. }
    ));
    assert_eq!(
        message,
        "service \"s\": exports[2] \"udp\": exported more than once"
    );
}

#[test]
fn argv_and_env_must_be_launchable() {
    let mut s = service("dns");
    s.argv.push("bad\0arg".to_string());
    let (error, message) = refusal(&[s]);
    assert_eq!(
        error,
        GraphError::Launch {
            service: "dns".to_string(),
            error: LaunchError::InteriorNul {
                list: List::Argv,
                index: 1
            }
        }
    );
    assert_eq!(message, "service \"dns\": argv[1]: contains a NUL byte");

    let mut s = service("dns");
    s.env = vec!["OK=1".to_string(), "NOEQUALS".to_string()];
    let (_, message) = refusal(&[s]);
    assert_eq!(
        message,
        "service \"dns\": env[1]: is not of the form KEY=VALUE (no '=')"
    );

    let mut s = service("dns");
    s.argv = vec!["a".repeat(crate::launch::MAX_SIZE)];
    let (error, _) = refusal(&[s]);
    assert!(matches!(
        error,
        GraphError::Launch {
            error: LaunchError::TooLarge,
            ..
        }
    ));
}

#[test]
fn hostile_names_are_escaped_in_messages() {
    let (_, message) = refusal(&[service("a\"\nb"), service("a\"\nb")]);
    assert_eq!(
        message,
        "service \"a\\\"\\nb\": name is used by more than one service"
    );
}

#[test]
fn caps_and_exports_share_one_capset() {
    let caps = (0..MAX_CAPSET_ENTRIES)
        .map(|i| from_init(&std::format!("cap{i}"), "timer"))
        .collect();
    let (error, _) = refusal(&[with_exports(
        with_caps(service("full"), caps),
        &["one-more"],
    )]);
    assert_eq!(
        error,
        GraphError::TooManyCaps {
            service: "full".to_string(),
            count: 64
        }
    );
    let s = with_exports(
        with_caps(service("echo"), vec![from_init("log", "console")]),
        &["log"],
    );
    let (error, message) = refusal(&[s]);
    assert_eq!(
        error,
        GraphError::ExportNamedLikeCap {
            service: "echo".to_string(),
            index: 0,
            export: "log".to_string()
        }
    );
    assert_eq!(
        message,
        "service \"echo\": exports[0] \"log\": also the name of one of its caps (one CapSet name)"
    );
}

fn from_directory(name: &str, from: &str, path: &str) -> CapImport {
    CapImport {
        name: name.to_string(),
        source: CapSource::Directory {
            from: from.to_string(),
            path: path.to_string(),
            read_only: true,
        },
    }
}

#[test]
fn directory_sources_need_an_init_cap_and_a_normalized_absolute_path() {
    let ok = vec![
        from_directory("/", "nic", "/"),
        from_directory("/tmp", "nic", "/tmp"),
    ];
    assert!(validate(&[with_caps(service("s"), ok)], BINARIES, INIT_CAPS).is_ok());
    let caps = vec![from_directory("/", "fs", "/")];
    let (error, _) = refusal(&[with_caps(service("s"), caps)]);
    assert!(matches!(error, GraphError::UnknownInitCap { index: 0, .. }));
    for bad in ["tmp", "/tmp/", "/tmp/../etc", "//tmp", ""] {
        let caps = vec![from_directory("t", "nic", bad)];
        let (error, message) = refusal(&[with_caps(service("s"), caps)]);
        assert!(
            matches!(error, GraphError::BadDirectoryPath { index: 0, .. }),
            "{bad:?}"
        );
        assert!(
            message.contains("is not absolute and normalized"),
            "{message}"
        );
    }
}

fn from_file(name: &str, from: &str, path: &str) -> CapImport {
    CapImport {
        name: name.to_string(),
        source: CapSource::File {
            from: from.to_string(),
            path: path.to_string(),
            read_only: true,
        },
    }
}

#[test]
fn file_sources_need_an_init_cap_and_a_path_naming_a_file() {
    let ok = vec![
        from_file("fd/0", "nic", "/script.sh"),
        from_file("fd/3", "nic", "/etc/motd"),
    ];
    assert!(validate(&[with_caps(service("s"), ok)], BINARIES, INIT_CAPS).is_ok());
    let caps = vec![from_file("fd/0", "fs", "/script.sh")];
    let (error, _) = refusal(&[with_caps(service("s"), caps)]);
    assert!(matches!(error, GraphError::UnknownInitCap { index: 0, .. }));
    // "/" is a directory, never a file.
    for bad in ["/", "etc/motd", "/etc/", "/etc/../motd", "//motd", ""] {
        let caps = vec![from_file("fd/0", "nic", bad)];
        let (error, message) = refusal(&[with_caps(service("s"), caps)]);
        assert!(
            matches!(error, GraphError::BadFilePath { index: 0, .. }),
            "{bad:?}"
        );
        assert!(message.contains("naming a file"), "{message}");
    }
}
