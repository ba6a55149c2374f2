use super::*;
use alloc::vec;
use capnp::message::Builder;

/// A manifest with binaries "init" and "echo" and two services: "echo"
/// (exporting "echo" with interface 0xec40) and "user" (importing it).
/// `edit` may change the services before encoding.
fn encoded(
    version: u32,
    edit: impl FnOnce(capnp::struct_list::Builder<'_, service_config::Owned>),
) -> Vec<u64> {
    let mut message = Builder::new_default();
    let mut root = message.init_root::<system_manifest::Builder>();
    root.set_schema_version(version);
    let mut binaries = root.reborrow().init_binaries(2);
    for (i, name) in ["init", "echo"].iter().enumerate() {
        let mut b = binaries.reborrow().get(i as u32);
        b.set_name(*name);
        b.set_elf(&[0x7f; 100]);
    }
    let mut services = root.init_services(2);
    {
        let mut echo = services.reborrow().get(0);
        echo.set_name("echo");
        echo.set_binary("echo");
        let mut cap = echo.reborrow().init_caps(1).get(0);
        cap.set_name("log");
        cap.init_source().set_init("console");
        let mut export = echo.reborrow().init_exports(1).get(0);
        export.set_name("echo");
        export.set_interface_id(0xec40);
        let mut argv = echo.reborrow().init_argv(2);
        argv.set(0, "echo");
        argv.set(1, "-v");
        echo.init_env(1).set(0, "A=1");
    }
    {
        let mut user = services.reborrow().get(1);
        user.set_name("user");
        user.set_binary("init");
        let mut cap = user.init_caps(1).get(0);
        cap.set_name("echo");
        let mut from = cap.init_source().init_service();
        from.set_service("echo");
        from.set_export("echo");
    }
    edit(services);
    aligned(&capnp::serialize::write_message_to_words(&message))
}

/// A message's bytes in word-aligned memory, as init's mapping gives them.
fn aligned(raw: &[u8]) -> Vec<u64> {
    let mut words = vec![0u64; raw.len().div_ceil(8)];
    capos_rt::message::as_bytes_mut(&mut words)[..raw.len()].copy_from_slice(raw);
    words
}

fn bytes(words: &[u64]) -> &[u8] {
    capos_rt::message::as_bytes(words)
}

#[test]
fn services_and_binaries_are_read() {
    let words = encoded(1, |_| {});
    let m = decode(bytes(&words)).unwrap();
    assert_eq!(m.binaries, ["init", "echo"]);
    assert_eq!(m.services.len(), 2);
    let echo = &m.services[0];
    assert_eq!((echo.name.as_str(), echo.binary.as_str()), ("echo", "echo"));
    assert_eq!(
        echo.caps,
        [CapImport {
            name: "log".into(),
            source: CapSource::Init("console".into()),
        }]
    );
    assert_eq!(echo.exports, ["echo"]);
    assert_eq!(
        (echo.argv.clone(), echo.env.clone()),
        (
            vec!["echo".to_string(), "-v".into()],
            vec!["A=1".to_string()]
        )
    );
    assert_eq!(m.interface_ids, [vec![0xec40], vec![]]);
    assert_eq!(
        m.services[1].caps[0].source,
        CapSource::Service {
            service: "echo".into(),
            export: "echo".into()
        }
    );
}

#[test]
fn other_versions_are_refused() {
    let words = encoded(2, |_| {});
    let e = decode(bytes(&words)).unwrap_err();
    assert_eq!(e, ManifestError::Version(2));
    assert_eq!(
        e.to_string(),
        "schemaVersion 2 is not supported (expected 1)"
    );
}

#[test]
fn text_that_is_not_utf8_is_named_by_its_path() {
    let words = encoded(1, |mut services| {
        let user = services.reborrow().get(1);
        let mut cap = user.get_caps().unwrap().get(0);
        cap.set_name(capnp::text::Reader::from(&[0xff, 0xfe][..]));
    });
    let e = decode(bytes(&words)).unwrap_err();
    assert_eq!(e.to_string(), "services[1].caps[0].name is not UTF-8");
}

#[test]
fn garbage_and_truncation_are_errors() {
    assert!(matches!(decode(&[]), Err(ManifestError::Malformed(_))));
    assert!(matches!(
        decode(&[0xff; 64]),
        Err(ManifestError::Malformed(_))
    ));
    let words = encoded(1, |_| {});
    let cut = &bytes(&words)[..bytes(&words).len() / 2];
    assert!(matches!(decode(cut), Err(ManifestError::Malformed(_))));
}

#[test]
fn an_empty_service_list_decodes_as_empty() {
    let mut message = Builder::new_default();
    message
        .init_root::<system_manifest::Builder>()
        .set_schema_version(1);
    let words = aligned(&capnp::serialize::write_message_to_words(&message));
    let m = decode(bytes(&words)).unwrap();
    assert!(m.binaries.is_empty() && m.services.is_empty());
}

/// Two services joined by pipe "p1" ("w" writes it as fd/1, "r" reads it
/// as fd/0 unless `reader` is false), with `pipes` declared.
fn piped(pipes: &[&str], reader: bool) -> Vec<u64> {
    let mut message = Builder::new_default();
    let mut root = message.init_root::<system_manifest::Builder>();
    root.set_schema_version(SCHEMA_VERSION);
    root.reborrow().init_binaries(1).get(0).set_name("init");
    let mut list = root.reborrow().init_pipes(pipes.len() as u32);
    for (i, p) in pipes.iter().enumerate() {
        list.set(i as u32, *p);
    }
    root.set_pipe_factory("pipes");
    let mut services = root.init_services(2);
    for (i, (name, fd, end)) in [("w", "fd/1", PipeEnd::Write), ("r", "fd/0", PipeEnd::Read)]
        .into_iter()
        .enumerate()
    {
        let mut s = services.reborrow().get(i as u32);
        s.set_name(name);
        s.set_binary("init");
        let mut cap = s.init_caps(1).get(0);
        cap.set_name(fd);
        let mut pipe = cap.init_source().init_pipe();
        pipe.set_name(if reader || i == 0 { "p1" } else { "p2" });
        pipe.set_end(end);
    }
    aligned(&capnp::serialize::write_message_to_words(&message))
}

#[test]
fn pipes_and_pipe_ends_are_read_and_checked() {
    let words = piped(&["p1"], true);
    let manifest = decode(bytes(&words)).unwrap();
    assert_eq!(manifest.pipes, ["p1"]);
    assert_eq!(manifest.pipe_factory, "pipes");
    assert_eq!(
        manifest.services[1].caps[0].source,
        CapSource::Pipe {
            name: "p1".into(),
            end: service_graph::PipeEnd::Read
        }
    );
    let graph = crate::check(bytes(&words), &["pipes"]).unwrap();
    assert_eq!(graph.pipes, ["p1"]);
    // init refuses what mkmanifest would have: no PipeFactory, an
    // undeclared pipe, a pipe nobody reads.
    let refusal = |words: &[u64], caps: &[&str]| {
        alloc::string::ToString::to_string(&crate::check(bytes(words), caps).unwrap_err())
    };
    assert_eq!(
        refusal(&words, &[]),
        "pipes are declared but init has no PipeFactory cap \"pipes\""
    );
    assert_eq!(
        refusal(&piped(&["p1"], false), &["pipes"]),
        "service \"r\": caps[0] \"fd/0\": no pipe \"p2\" is declared"
    );
    assert_eq!(
        refusal(&piped(&["p1", "p2"], false), &["pipes"]),
        "pipe \"p1\": no service reads it"
    );
}
