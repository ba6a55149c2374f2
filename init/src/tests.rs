//! The whole check, from manifest bytes.

use super::*;
use alloc::string::ToString;
use alloc::vec;
use capnp::message::Builder;
use capos_schema::system_manifest;

/// An import: (cap name, service, export).
type Import<'a> = (&'a str, &'a str, &'a str);

/// A service: (name, binary, imports, exports).
type Spec<'a> = (&'a str, &'a str, &'a [Import<'a>], &'a [&'a str]);

/// A manifest of binaries "server" and "client" with `services`; each
/// also gets init's "console".
fn manifest(services: &[Spec<'_>]) -> Vec<u64> {
    let mut message = Builder::new_default();
    let mut root = message.init_root::<system_manifest::Builder>();
    root.set_schema_version(1);
    let mut binaries = root.reborrow().init_binaries(2);
    binaries.reborrow().get(0).set_name("server");
    binaries.reborrow().get(1).set_name("client");
    let mut list = root.init_services(services.len() as u32);
    for (i, (name, binary, imports, exports)) in services.iter().enumerate() {
        let mut s = list.reborrow().get(i as u32);
        s.set_name(*name);
        s.set_binary(*binary);
        let mut caps = s.reborrow().init_caps(imports.len() as u32 + 1);
        let mut console = caps.reborrow().get(0);
        console.set_name("console");
        console.init_source().set_init("console");
        for (c, (cap, service, export)) in imports.iter().enumerate() {
            let mut entry = caps.reborrow().get(c as u32 + 1);
            entry.set_name(*cap);
            let mut from = entry.init_source().init_service();
            from.set_service(*service);
            from.set_export(*export);
        }
        let mut list = s.init_exports(exports.len() as u32);
        for (e, export) in exports.iter().enumerate() {
            let mut entry = list.reborrow().get(e as u32);
            entry.set_name(*export);
            entry.set_interface_id(0x100 + e as u64);
        }
    }
    let raw = capnp::serialize::write_message_to_words(&message);
    let mut words = vec![0u64; raw.len() / 8];
    capos_rt::message::as_bytes_mut(&mut words).copy_from_slice(&raw);
    words
}

fn check_words(words: &[u64]) -> Result<Graph, Invalid> {
    check(capos_rt::message::as_bytes(words), &["console", "spawner"])
}

#[test]
fn importers_start_after_exporters() {
    let words = manifest(&[
        ("user", "client", &[("echo", "echo", "echo")], &[]),
        ("echo", "server", &[], &["echo", "admin"]),
    ]);
    let graph = check_words(&words).unwrap();
    assert_eq!(graph.order, [1, 0]);
    assert_eq!(graph.interface_ids, [vec![], vec![0x100, 0x101]]);
    assert_eq!(graph.services[1].exports, ["echo", "admin"]);
}

#[test]
fn bad_graphs_are_refused_with_the_checks_message() {
    let cases: [(Vec<u64>, &str); 4] = [
        (manifest(&[]), "the manifest has no services"),
        (
            manifest(&[("a", "nope", &[], &[])]),
            r#"service "a": binary "nope" is not in the boot package"#,
        ),
        (
            manifest(&[
                ("a", "client", &[("x", "b", "x")], &["x"]),
                ("b", "client", &[], &["x"]),
            ]),
            r#"service "a": exports[0] "x": also the name of one of its caps (one CapSet name)"#,
        ),
        (
            manifest(&[
                ("a", "client", &[("y", "b", "x")], &["x"]),
                ("b", "client", &[("y", "a", "x")], &["x"]),
            ]),
            r#"dependency cycle: "a" -> "b" -> "a" (each imports from the next)"#,
        ),
    ];
    for (words, message) in cases {
        assert_eq!(check_words(&words).unwrap_err().to_string(), message);
    }
    let e = check(&[0; 8], &[]).unwrap_err();
    assert!(matches!(e, Invalid::Manifest(_)), "{e}");
}
