//! Bad graphs, through the whole JSON path: parse, then validate.

use crate::error::InputError;
use crate::input;
use crate::test_elf::tiny_elf;
use crate::validate::validate;

/// A manifest with binaries "init", "server" and "client", init caps
/// "console", "spawner", "boot", "endpoints", and `services` as given.
fn manifest(services: &str) -> String {
    format!(
        r#"{{
        "schemaVersion": 1,
        "binaries": {{"init": "bin/init", "server": "bin/server", "client": "bin/client"}},
        "init": {{"binary": "init", "caps": [
            {{"name": "console", "kind": "console"}},
            {{"name": "spawner", "kind": "processSpawner"}},
            {{"name": "boot", "kind": "bootPackage"}},
            {{"name": "endpoints", "kind": "endpointFactory"}}
        ]}},
        "kernelParams": {{"motd": ""}},
        "services": {services}
    }}"#
    )
}

/// A server exporting "echo" and a client importing it.
const GOOD: &str = r#"[
    {"name": "echo", "binary": "server",
     "caps": [{"name": "log", "init": "console"}],
     "exports": [{"name": "echo", "interfaceId": 4660}],
     "argv": ["server"], "env": ["MODE=echo"]},
    {"name": "user", "binary": "client",
     "caps": [{"name": "echo", "service": "echo", "export": "echo"},
              {"name": "console", "init": "console"}]}
]"#;

fn check(services: &str) -> Result<crate::manifest::Manifest, InputError> {
    let system = input::parse(&manifest(services))?;
    validate(system, |_| Ok(tiny_elf()))
}

/// The error for GOOD with `from` replaced by `to`.
fn error_after(from: &str, to: &str) -> InputError {
    assert!(GOOD.contains(from), "{from}");
    check(&GOOD.replace(from, to)).unwrap_err()
}

#[test]
fn a_valid_graph_is_kept_in_manifest_order() {
    let manifest = check(GOOD).unwrap();
    let names: Vec<_> = manifest.services.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["echo", "user"]);
    assert_eq!(manifest.services[0].exports[0].interface_id, 4660);
    assert_eq!(manifest.services[0].env, ["MODE=echo"]);
    assert!(check("[]").unwrap().services.is_empty());
}

#[test]
fn each_cap_has_exactly_one_source() {
    let e = error_after(
        r#""init": "console"}]"#,
        r#""init": "console", "service": "x"}]"#,
    );
    assert_eq!(e.path, "services[0].caps[0]");
    assert!(e.message.contains("give one of"), "{e}");
    let e = error_after(r#", "export": "echo"}"#, "}");
    assert_eq!(e.path, "services[1].caps[0]");
}

#[test]
fn exports_need_a_real_interface_id() {
    let e = error_after("4660", "0");
    assert_eq!(e.path, "services[0].exports[0].interfaceId");
    assert!(e.message.contains("not an interface id"), "{e}");
}

#[test]
fn service_names_are_unique() {
    let e = error_after(r#""name": "user""#, r#""name": "echo""#);
    assert_eq!(e.path, "services[1].name");
    assert_eq!(
        e.message,
        r#"service name "echo" is already used by services[0]"#
    );
}

#[test]
fn graph_errors_point_at_their_field() {
    let cases = [
        (
            r#""binary": "client""#,
            r#""binary": "cleint""#,
            "services[1].binary",
        ),
        (
            r#""name": "log", "init": "console""#,
            r#""name": "log", "init": "timer""#,
            "services[0].caps[0].init",
        ),
        (
            r#""service": "echo", "export": "echo""#,
            r#""service": "ehco", "export": "echo""#,
            "services[1].caps[0].service",
        ),
        (
            r#""service": "echo", "export": "echo""#,
            r#""service": "echo", "export": "ecoh""#,
            "services[1].caps[0].export",
        ),
        (
            r#"{"name": "console", "init": "console"}"#,
            r#"{"name": "echo", "init": "console"}"#,
            "services[1].caps[1].name",
        ),
        (r#""MODE=echo""#, r#""MODE""#, "services[0].env[0]"),
        (
            r#""name": "echo", "binary""#,
            r#""name": "", "binary""#,
            "services[0].name",
        ),
    ];
    for (from, to, path) in cases {
        let e = error_after(from, to);
        assert_eq!(e.path, path, "{e}");
    }
    let e = error_after(
        r#""name": "log", "init": "console""#,
        r#""name": "log", "init": "timer""#,
    );
    assert_eq!(
        e.message,
        r#"service "echo": caps[0] "log": init has no cap "timer""#
    );
}

#[test]
fn caps_and_exports_share_the_capset() {
    let e = error_after(
        r#"{"name": "log", "init": "console"}"#,
        r#"{"name": "echo", "init": "console"}"#,
    );
    assert_eq!(e.path, "services[0].exports[0].name");
    assert_eq!(
        e.message,
        r#"service "echo": exports[0] "echo": also the name of one of its caps (one CapSet name)"#
    );
    let many: Vec<String> = (0..63)
        .map(|i| format!(r#"{{"name": "c{i}", "init": "console"}}"#))
        .collect();
    let e = error_after(
        r#"[{"name": "log", "init": "console"}]"#,
        &format!("[{}]", many.join(",")),
    );
    assert_eq!(e.path, "services[0].caps");
    assert!(
        e.message
            .contains("caps and exports: 64 CapSet entries, at most 63"),
        "{e}"
    );
}

#[test]
fn cycles_are_refused() {
    let e = error_after(
        r#""caps": [{"name": "log", "init": "console"}]"#,
        r#""caps": [{"name": "u", "service": "user", "export": "u"}]"#,
    );
    // "user" exports nothing yet, so the import itself is refused first.
    assert_eq!(e.path, "services[0].caps[0].export");
    let cyclic = GOOD
        .replace(
            r#""caps": [{"name": "log", "init": "console"}]"#,
            r#""caps": [{"name": "u", "service": "user", "export": "u"}]"#,
        )
        .replace(
            r#"{"name": "console", "init": "console"}]}"#,
            r#"{"name": "console", "init": "console"}],
              "exports": [{"name": "u", "interfaceId": 1}]}"#,
        );
    let e = check(&cyclic).unwrap_err();
    assert_eq!(e.path, "services");
    assert!(e.message.starts_with("dependency cycle: "), "{e}");
}

#[test]
fn messages_are_the_graph_checks_own() {
    let e = error_after(r#""binary": "client""#, r#""binary": "cleint""#);
    assert_eq!(
        e.to_string(),
        r#"services[1].binary: service "user": binary "cleint" is not in the boot package"#
    );
}

/// `services` with `extra` top-level fields and a "pipes" PipeFactory
/// (of `kind`) among init's caps.
fn check_piped(
    extra: &str,
    kind: &str,
    services: &str,
) -> Result<crate::manifest::Manifest, InputError> {
    let json = manifest(services)
        .replace(
            r#"{"name": "endpoints", "kind": "endpointFactory"}"#,
            &format!(r#"{{"name": "endpoints", "kind": "endpointFactory"}}, {{"name": "pipes", "kind": "{kind}"}}"#),
        )
        .replace(r#""kernelParams""#, &format!(r#"{extra} "kernelParams""#));
    validate(input::parse(&json)?, |_| Ok(tiny_elf()))
}

/// A writer and a reader of pipe "p1", as fd/1 and fd/0.
const PIPED: &str = r#"[
    {"name": "seq", "binary": "server", "caps": [{"name": "fd/1", "pipe": {"name": "p1", "end": "write"}}]},
    {"name": "wc", "binary": "client", "caps": [{"name": "fd/0", "pipe": {"name": "p1", "end": "read"}}]}
]"#;

#[test]
fn pipes_are_declared_joined_and_encoded() {
    let m = check_piped(r#""pipes": ["p1"],"#, "pipeFactory", PIPED).unwrap();
    assert_eq!(m.pipes, ["p1"]);
    assert_eq!(m.pipe_factory, "pipes");
    assert_eq!(
        m.services[1].caps[0].source,
        capos_lib::service_graph::CapSource::Pipe {
            name: "p1".into(),
            end: capos_lib::service_graph::PipeEnd::Read
        }
    );
}

#[test]
fn pipe_mistakes_are_refused_at_their_field() {
    let err = |extra, kind, services: &str| {
        let e = check_piped(extra, kind, services).unwrap_err();
        (e.path.clone(), e.message.clone())
    };
    // Not declared.
    let (path, msg) = err("", "pipeFactory", PIPED);
    assert_eq!(path, "services[0].caps[0].pipe.name");
    assert!(msg.contains("no pipe \"p1\" is declared"), "{msg}");
    // No reader.
    let writer_only = PIPED.replace(r#""end": "read""#, r#""end": "write""#);
    let (path, msg) = err(r#""pipes": ["p1"],"#, "pipeFactory", &writer_only);
    assert_eq!(path, "pipes");
    assert!(msg.contains("no service reads it"), "{msg}");
    // Not an end.
    let (path, msg) = err(
        r#""pipes": ["p1"],"#,
        "pipeFactory",
        &PIPED.replace("\"read\"", "\"both\""),
    );
    assert_eq!(path, "services[1].caps[0]");
    assert!(msg.contains("\"read\" or \"write\" end"), "{msg}");
    // The factory must be a PipeFactory init holds.
    let (path, msg) = err(r#""pipes": ["p1"],"#, "timer", PIPED);
    assert_eq!(path, "init.caps[4].kind");
    assert!(msg.contains("must be a pipeFactory"), "{msg}");
    let (path, msg) = err(
        r#""pipes": ["p1"], "pipeFactory": "mine","#,
        "pipeFactory",
        PIPED,
    );
    assert_eq!(path, "pipeFactory");
    assert!(msg.contains("no PipeFactory cap \"mine\""), "{msg}");
}
