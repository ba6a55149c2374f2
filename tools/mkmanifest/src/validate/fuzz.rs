//! Properties of the whole JSON-to-manifest path. Generated valid
//! manifests (any names within the rules, service graphs listed in any
//! order) must be accepted as written, and their encoding must read back,
//! through Cap'n Proto as the kernel and init read it, into the same
//! manifest, which passes the boot-time checks. Mutated manifests, random
//! text and random binaries must be refused with a message, never a panic;
//! a mutation that is still accepted must give a manifest those checks
//! accept too.

use super::*;
use crate::input;
use crate::manifest::{Export, Limits, Service};
use crate::test_elf::tiny_elf;
use capnp::message::ReaderOptions;
use capos_lib::service_graph::{self, CapImport, CapSource, PipeEnd};
use capos_schema::{service_cap, system_manifest};
use proptest::collection;
use proptest::prelude::*;
use serde_json::{Map, Value, json};
use std::collections::BTreeSet;

/// A valid manifest: its JSON, and the manifest it must become (with
/// every binary the tiny ELF).
#[derive(Debug, Clone)]
struct Valid {
    json: Value,
    manifest: Manifest,
}

/// Printable text of up to `max` characters, NULs and all control
/// characters excluded (launch strings may not hold a NUL).
fn text(max: usize) -> impl Strategy<Value = String> {
    prop_oneof![
        collection::vec(prop::char::range('a', 'z'), 0..=max).prop_map(String::from_iter),
        proptest::string::string_regex(&format!("\\PC{{0,{max}}}")).unwrap(),
    ]
}

/// A CapSet-style name, unique by its suffix, at most 48 bytes.
fn name(prefix: String, index: usize) -> String {
    format!("{prefix}#{index}")
}

fn limits() -> impl Strategy<Value = Option<Limits>> {
    prop_oneof![
        Just(None),
        (any::<u64>(), any::<u64>()).prop_map(|(kernel_bytes, memory_bytes)| Some(Limits {
            kernel_bytes,
            memory_bytes
        })),
    ]
}

/// One service before its place in the graph is known: name prefix,
/// binary, export interface ids, imports as (from init?, which source,
/// which export), argv, env values, expectFault, limits.
type ServiceDraw = (
    String,
    prop::sample::Index,
    Vec<u64>,
    Vec<(bool, prop::sample::Index, prop::sample::Index)>,
    Vec<String>,
    Vec<String>,
    bool,
    Option<Limits>,
);

fn service_draw() -> impl Strategy<Value = ServiceDraw> {
    (
        text(8),
        any::<prop::sample::Index>(),
        collection::vec(1..=u64::MAX, 0..3),
        collection::vec(
            (
                any::<bool>(),
                any::<prop::sample::Index>(),
                any::<prop::sample::Index>(),
            ),
            0..4,
        ),
        collection::vec(text(8), 0..3),
        collection::vec(text(6), 0..3),
        any::<bool>(),
        limits(),
    )
}

fn valid() -> impl Strategy<Value = Valid> {
    let binaries = collection::btree_set("[A-Za-z0-9._-]{1,12}", 1..5);
    // fileSystem needs a fileSystem section, which these manifests have
    // not (files::tests covers it).
    let kinds: Vec<_> = KINDS
        .iter()
        .copied()
        .filter(|(_, k)| *k != KernelCapKind::FileSystem)
        .collect();
    let caps = collection::vec((text(10), prop::sample::select(kinds)), 0..6);
    let strategy = (
        binaries,
        any::<prop::sample::Index>(),
        caps,
        text(40),
        collection::vec(service_draw(), 0..5),
    );
    let manifest = strategy
        .prop_map(|(binaries, init, caps, motd, draws)| build(binaries, init, caps, motd, draws));
    (manifest, any::<bool>()).prop_flat_map(|(manifest, sparse)| {
        // List the services in any order: imports name their source.
        let order = Just((0..manifest.services.len()).collect::<Vec<usize>>()).prop_shuffle();
        (Just(manifest), order).prop_map(move |(mut manifest, order)| {
            let services = std::mem::take(&mut manifest.services);
            manifest.services = order.iter().map(|&i| services[i].clone()).collect();
            Valid {
                json: to_json(&manifest, sparse),
                manifest,
            }
        })
    })
}

/// Builds the expected manifest; services are made in dependency order
/// (each imports only from earlier ones).
fn build(
    binaries: BTreeSet<String>,
    init: prop::sample::Index,
    caps: Vec<(String, (&'static str, KernelCapKind))>,
    motd: String,
    draws: Vec<ServiceDraw>,
) -> Manifest {
    let binary_names: Vec<String> = binaries.iter().cloned().collect();
    let caps: Vec<Cap> = caps
        .into_iter()
        .enumerate()
        .map(|(i, (prefix, (_, kind)))| Cap {
            name: name(prefix, i),
            kind,
        })
        .collect();
    let mut services: Vec<Service> = Vec::new();
    for (i, (prefix, binary, ids, imports, argv, values, expect_fault, limits)) in
        draws.into_iter().enumerate()
    {
        let exports: Vec<Export> = ids
            .iter()
            .enumerate()
            .map(|(e, &interface_id)| Export {
                name: format!("export{e}"),
                interface_id,
            })
            .collect();
        let mut imported = Vec::new();
        for (k, (from_init, source, export)) in imports.into_iter().enumerate() {
            // From init when asked (or when no earlier service exports),
            // else from an earlier service's export; skipped if neither
            // exists.
            let exporters: Vec<&Service> =
                services.iter().filter(|s| !s.exports.is_empty()).collect();
            let source = if !caps.is_empty() && (from_init || exporters.is_empty()) {
                CapSource::Init(caps[source.index(caps.len())].name.clone())
            } else if let Some(from) = exporters.get(source.index(exporters.len().max(1))) {
                CapSource::Service {
                    service: from.name.clone(),
                    export: from.exports[export.index(from.exports.len())].name.clone(),
                }
            } else {
                continue;
            };
            imported.push(CapImport {
                name: format!("cap{k}"),
                source,
            });
        }
        services.push(Service {
            name: name(prefix, i),
            binary: binary_names[binary.index(binary_names.len())].clone(),
            caps: imported,
            exports,
            argv,
            env: values
                .iter()
                .enumerate()
                .map(|(j, v)| format!("K{j}={v}"))
                .collect(),
            expect_fault,
            // Some services expect a status other than 0.
            exit_code: (i % 4) as u8,
            limits: limits.unwrap_or_default(),
        });
    }
    Manifest {
        schema_version: SCHEMA_VERSION,
        binaries: binary_names
            .iter()
            .map(|name| Binary {
                name: name.clone(),
                elf: tiny_elf(),
            })
            .collect(),
        init_binary: binary_names[init.index(binary_names.len())].clone(),
        caps,
        motd,
        audit_spawns: false,
        quiet_exits: false,
        net: crate::net::DEFAULT,
        services,
        file_system: None,
        pipes: Vec::new(),
        pipe_factory: "pipes".into(),
    }
}

/// The manifest's JSON, as `cue export` would write it. `sparse` leaves
/// optional fields out where they hold their defaults.
fn to_json(m: &Manifest, sparse: bool) -> Value {
    let binaries: Map<String, Value> = m
        .binaries
        .iter()
        .map(|b| (b.name.clone(), json!(format!("bin/{}", b.name))))
        .collect();
    let caps: Vec<Value> = m
        .caps
        .iter()
        .map(|c| {
            let kind = KINDS.iter().find(|(_, k)| *k == c.kind).unwrap().0;
            json!({"name": c.name, "kind": kind})
        })
        .collect();
    let services: Vec<Value> = m
        .services
        .iter()
        .map(|s| {
            let caps: Vec<Value> = s
                .caps
                .iter()
                .map(|c| match &c.source {
                    CapSource::Init(init) => json!({"name": c.name, "init": init}),
                    CapSource::Service { service, export } => {
                        json!({"name": c.name, "service": service, "export": export})
                    }
                    CapSource::Directory {
                        from,
                        path,
                        read_only,
                    } => json!({"name": c.name, "directory":
                        {"from": from, "path": path, "readOnly": read_only}}),
                    CapSource::File {
                        from,
                        path,
                        read_only,
                    } => json!({"name": c.name, "file":
                        {"from": from, "path": path, "readOnly": read_only}}),
                    CapSource::Pipe { name, end } => json!({"name": c.name, "pipe":
                        {"name": name, "end": if *end == PipeEnd::Read { "read" } else { "write" }}}),
                })
                .collect();
            let exports: Vec<Value> = s
                .exports
                .iter()
                .map(|e| json!({"name": e.name, "interfaceId": e.interface_id}))
                .collect();
            let mut service = json!({"name": s.name, "binary": s.binary});
            let fields = [
                ("caps", json!(caps), caps.is_empty()),
                ("exports", json!(exports), exports.is_empty()),
                ("argv", json!(s.argv), s.argv.is_empty()),
                ("env", json!(s.env), s.env.is_empty()),
                ("expectFault", json!(s.expect_fault), !s.expect_fault),
                ("exitCode", json!(s.exit_code), s.exit_code == 0),
                (
                    "limits",
                    json!({
                        "kernelBytes": s.limits.kernel_bytes,
                        "memoryBytes": s.limits.memory_bytes,
                    }),
                    s.limits == Limits::default(),
                ),
            ];
            for (key, value, default) in fields {
                if !(sparse && default) {
                    service[key] = value;
                }
            }
            service
        })
        .collect();
    let mut system = json!({
        "schemaVersion": m.schema_version,
        "binaries": binaries,
        "init": {"binary": m.init_binary, "caps": caps},
        "kernelParams": {"motd": m.motd},
    });
    if !(sparse && services.is_empty()) {
        system["services"] = json!(services);
    }
    system
}

fn read_tiny(_path: &str) -> io::Result<Vec<u8>> {
    Ok(tiny_elf())
}

/// A text field, or why it is not one.
fn string(field: capnp::Result<capnp::text::Reader<'_>>) -> Result<String, String> {
    let text = field.map_err(|e| e.to_string())?;
    text.to_str().map(String::from).map_err(|e| e.to_string())
}

fn strings(list: capnp::Result<capnp::text_list::Reader<'_>>) -> Result<Vec<String>, String> {
    list.map_err(|e| e.to_string())?
        .iter()
        .map(string)
        .collect()
}

/// Reads an encoded manifest back as the kernel and init do (same reader
/// limits as the kernel), into the type mkmanifest encoded it from.
fn decode(bytes: &[u8]) -> Result<Manifest, String> {
    let e = |e: capnp::Error| e.to_string();
    let options = ReaderOptions {
        traversal_limit_in_words: Some(bytes.len() / 8 * 2 + 1024),
        nesting_limit: 16,
    };
    let message =
        capnp::serialize::read_message_from_flat_slice(&mut &bytes[..], options).map_err(e)?;
    let root: system_manifest::Reader = message.get_root().map_err(e)?;
    let mut binaries = Vec::new();
    for b in root.get_binaries().map_err(e)? {
        binaries.push(Binary {
            name: string(b.get_name())?,
            elf: b.get_elf().map_err(e)?.to_vec(),
        });
    }
    let init = root.get_init().map_err(e)?;
    let mut caps = Vec::new();
    for c in init.get_caps().map_err(e)? {
        let kind = c.get_kind().map_err(|_| "unknown kind")?;
        caps.push(Cap {
            name: string(c.get_name())?,
            kind,
        });
    }
    let mut services = Vec::new();
    for s in root.get_services().map_err(e)? {
        let mut imports = Vec::new();
        for c in s.get_caps().map_err(e)? {
            let source = match c.get_source().which().map_err(|_| "unknown source")? {
                service_cap::source::Init(name) => CapSource::Init(string(name)?),
                service_cap::source::Service(from) => CapSource::Service {
                    service: string(from.get_service())?,
                    export: string(from.get_export())?,
                },
                service_cap::source::Directory(d) => CapSource::Directory {
                    from: string(d.get_from())?,
                    path: string(d.get_path())?,
                    read_only: d.get_read_only(),
                },
                service_cap::source::File(f) => CapSource::File {
                    from: string(f.get_from())?,
                    path: string(f.get_path())?,
                    read_only: f.get_read_only(),
                },
                service_cap::source::Pipe(p) => CapSource::Pipe {
                    name: string(p.get_name())?,
                    end: match p.get_end().map_err(|_| "unknown pipe end")? {
                        capos_schema::PipeEnd::Read => PipeEnd::Read,
                        capos_schema::PipeEnd::Write => PipeEnd::Write,
                    },
                },
            };
            imports.push(CapImport {
                name: string(c.get_name())?,
                source,
            });
        }
        let mut exports = Vec::new();
        for x in s.get_exports().map_err(e)? {
            exports.push(Export {
                name: string(x.get_name())?,
                interface_id: x.get_interface_id(),
            });
        }
        let limits = s.get_limits().map_err(e)?;
        services.push(Service {
            name: string(s.get_name())?,
            binary: string(s.get_binary())?,
            caps: imports,
            exports,
            argv: strings(s.get_argv())?,
            env: strings(s.get_env())?,
            expect_fault: s.get_expect_fault(),
            exit_code: s.get_exit_code(),
            limits: Limits {
                kernel_bytes: limits.get_kernel_bytes(),
                memory_bytes: limits.get_memory_bytes(),
            },
        });
    }
    Ok(Manifest {
        schema_version: root.get_schema_version(),
        binaries,
        init_binary: string(init.get_binary())?,
        caps,
        motd: string(root.get_kernel_params().map_err(e)?.get_motd())?,
        audit_spawns: root.get_kernel_params().map_err(e)?.get_audit_spawns(),
        quiet_exits: root.get_kernel_params().map_err(e)?.get_quiet_exits(),
        net: {
            let net = root.get_kernel_params().map_err(e)?.get_net().map_err(e)?;
            crate::net::NetConfig {
                address: net.get_address(),
                prefix_length: net.get_prefix_length(),
                gateway: net.get_gateway(),
            }
        },
        services,
        file_system: None,
        pipes: strings(root.get_pipes())?,
        pipe_factory: string(root.get_pipe_factory())?,
    })
}

/// What the kernel and init require of a boot manifest.
fn boot_checks_accept(m: &Manifest) -> Result<(), TestCaseError> {
    prop_assert_eq!(m.schema_version, SCHEMA_VERSION);
    let names: Vec<&str> = m.binaries.iter().map(|b| b.name.as_str()).collect();
    prop_assert!(
        names.windows(2).all(|w| w[0] < w[1]),
        "binaries sorted, unique"
    );
    prop_assert!(names.contains(&m.init_binary.as_str()));
    for b in &m.binaries {
        prop_assert!(
            capos_lib::elf::load_plan(&b.elf).is_ok(),
            "{} does not load",
            b.name
        );
    }
    prop_assert!(m.caps.len() <= MAX_CAPSET_ENTRIES);
    let caps: Vec<&str> = m.caps.iter().map(|c| c.name.as_str()).collect();
    for (i, cap) in caps.iter().enumerate() {
        prop_assert!((1..=MAX_CAP_NAME).contains(&cap.len()));
        prop_assert!(!caps[..i].contains(cap), "init cap {:?} twice", cap);
    }
    if !m.services.is_empty() {
        let graph: Vec<service_graph::Service> = m
            .services
            .iter()
            .map(|s| service_graph::Service {
                name: s.name.clone(),
                binary: s.binary.clone(),
                caps: s.caps.clone(),
                exports: s.exports.iter().map(|e| e.name.clone()).collect(),
                argv: s.argv.clone(),
                env: s.env.clone(),
            })
            .collect();
        let verdict = service_graph::validate(&graph, &names, &caps);
        prop_assert!(verdict.is_ok(), "{:?}", verdict);
        let exports = m.services.iter().flat_map(|s| &s.exports);
        prop_assert!(exports.clone().all(|e| e.interface_id != 0));
    }
    Ok(())
}

/// The checks every accepted manifest must pass: the encoding reads back
/// into the same manifest, which the boot-time checks accept.
fn round_trips(manifest: &Manifest) -> Result<(), TestCaseError> {
    let decoded = decode(&manifest.encode());
    prop_assert_eq!(decoded.as_ref(), Ok(manifest));
    boot_checks_accept(manifest)
}

#[test]
fn valid_manifests_are_accepted_as_written_and_round_trip() {
    capos_fuzz::check(128, (valid(), any::<bool>()), |(valid, pretty)| {
        let text = if pretty {
            serde_json::to_string_pretty(&valid.json)
        } else {
            serde_json::to_string(&valid.json)
        };
        let system = input::parse(&text.unwrap());
        prop_assert!(system.is_ok(), "{:?}", system.err());
        let manifest = validate(system.unwrap(), read_tiny);
        prop_assert_eq!(manifest.as_ref(), Ok(&valid.manifest));
        round_trips(&valid.manifest)
    });
}

/// One change to a valid manifest's JSON tree or text.
#[derive(Debug, Clone)]
enum Mutation {
    /// At the node picked, one of: drop it, replace it with a scalar,
    /// add an unknown field, empty it, double it.
    Tree(prop::sample::Index, u8, Value),
    /// Replaces the bytes in a range of the text with others.
    Text(prop::sample::Index, usize, String),
}

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        Just(json!(0)),
        Just(json!(-1)),
        Just(json!("")),
        Just(json!("/abs/path")),
        Just(json!("a\u{0}b")),
        Just(json!("n".repeat(MAX_CAP_NAME + 1))),
        Just(json!([])),
        Just(json!({})),
        text(12).prop_map(Value::from),
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (any::<prop::sample::Index>(), 0..5u8, scalar())
            .prop_map(|(at, how, v)| Mutation::Tree(at, how, v)),
        1 => (any::<prop::sample::Index>(), 0..4usize, "[\\PC{}\\[\\]\",:]{0,3}")
            .prop_map(|(at, len, with)| Mutation::Text(at, len, with)),
    ]
}

/// Every node of the tree, by its path of keys and indices.
fn paths(value: &Value, at: &mut Vec<Value>, out: &mut Vec<Vec<Value>>) {
    out.push(at.clone());
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                at.push(json!(key));
                paths(child, at, out);
                at.pop();
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                at.push(json!(i));
                paths(child, at, out);
                at.pop();
            }
        }
        _ => {}
    }
}

fn node<'a>(root: &'a mut Value, path: &[Value]) -> &'a mut Value {
    path.iter().fold(root, |v, step| match step {
        Value::String(key) => &mut v[key.as_str()],
        step => &mut v[step.as_u64().unwrap() as usize],
    })
}

fn mutate_tree(root: &mut Value, at: &prop::sample::Index, how: u8, with: Value) {
    let mut all = Vec::new();
    paths(root, &mut Vec::new(), &mut all);
    let path = all[at.index(all.len())].clone();
    match (how, path.split_last()) {
        // Drop the node from its parent.
        (0, Some((last, parent))) => match (node(root, parent), last) {
            (Value::Object(map), Value::String(key)) => {
                map.remove(key);
            }
            (Value::Array(items), index) => {
                items.remove(index.as_u64().unwrap() as usize);
            }
            _ => {}
        },
        (1, _) | (0, None) => *node(root, &path) = with,
        (2, _) => {
            if let Value::Object(map) = node(root, &path) {
                map.insert("unexpected".into(), with);
            } else {
                *node(root, &path) = with;
            }
        }
        (3, _) => match node(root, &path) {
            Value::Array(items) => items.clear(),
            Value::Object(map) => map.clear(),
            Value::String(s) => s.clear(),
            other => *other = with,
        },
        (_, _) => match node(root, &path) {
            Value::Array(items) if !items.is_empty() => items.push(items[0].clone()),
            Value::String(s) => *s = s.repeat(3),
            other => *other = with,
        },
    }
}

fn mutate_text(text: &str, at: &prop::sample::Index, len: usize, with: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let start = at.index(chars.len() + 1);
    let end = (start + len).min(chars.len());
    chars[..start]
        .iter()
        .chain(with.chars().collect::<Vec<_>>().iter())
        .chain(&chars[end..])
        .collect()
}

/// Binaries the manifest may name: the tiny ELF, or random bytes.
fn reader(junk: Vec<u8>, which: u8) -> impl FnMut(&str) -> io::Result<Vec<u8>> {
    move |path| match which {
        0 => Ok(junk.clone()),
        1 if path.ends_with('a') => Err(io::Error::new(io::ErrorKind::NotFound, "no such file")),
        _ => Ok(tiny_elf()),
    }
}

#[test]
fn mutated_manifests_are_refused_with_a_message_or_still_sound() {
    let strategy = (
        valid(),
        collection::vec(mutation(), 1..4),
        collection::vec(any::<u8>(), 0..128),
        prop_oneof![1 => Just(0u8), 1 => Just(1u8), 6 => Just(2u8)],
    );
    capos_fuzz::check(256, strategy, |(valid, mutations, junk, which)| {
        let mut json = valid.json;
        let mut text = serde_json::to_string(&json).unwrap();
        for m in &mutations {
            match m {
                Mutation::Tree(at, how, with) => {
                    mutate_tree(&mut json, at, *how, with.clone());
                    text = serde_json::to_string(&json).unwrap();
                }
                Mutation::Text(at, len, with) => {
                    text = mutate_text(&text, at, *len, with);
                    // Later tree mutations start from what still parses.
                    json = serde_json::from_str(&text).unwrap_or(json);
                }
            }
        }
        let result = input::parse(&text).and_then(|system| validate(system, reader(junk, which)));
        match result {
            Ok(manifest) => round_trips(&manifest),
            Err(error) => {
                prop_assert!(!error.message.is_empty());
                prop_assert!(!error.to_string().is_empty());
                Ok(())
            }
        }
    });
}

#[test]
fn random_text_is_refused_with_a_message() {
    let strategy = prop_oneof![
        any::<String>(),
        "[{}\\[\\]\":,0-9a-zA-Z ]{0,64}",
        Just(String::new()),
    ];
    capos_fuzz::check(512, strategy, |text| {
        match input::parse(&text).and_then(|system| validate(system, read_tiny)) {
            Ok(manifest) => round_trips(&manifest),
            Err(error) => {
                prop_assert!(!error.to_string().is_empty());
                Ok(())
            }
        }
    });
}
