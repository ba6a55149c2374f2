//! `validate` against a reference written for clarity, not speed, on
//! random graphs: one drawn from small pools of names (so that duplicates,
//! unknown names and bad lengths are common), one built to be nearly
//! valid (so that import orders and cycles are common). Both must agree
//! on every verdict: the start order, or the first error in the
//! documented order; for a cycle, any cycle the stuck services really
//! form.

use super::*;
use crate::launch;
use capos_abi::capset::{MAX_CAP_NAME, MAX_CAPSET_ENTRIES};
use proptest::collection;
use proptest::prelude::*;
use std::string::String;

const INIT_SOURCES: &[&str] = &["console", "timer", "nic", "disk"];

/// What the reference expects.
#[derive(Debug)]
enum Expected {
    Order(Vec<usize>),
    Error(GraphError),
    /// A cycle among these services (the ones that can never start).
    Cycle(Vec<usize>),
}

fn name_ok(name: &str) -> bool {
    !name.is_empty() && name.len() <= MAX_CAP_NAME
}

/// The checks of one service, in the documented order.
fn check_one(index: usize, s: &Service) -> Result<(), GraphError> {
    let service = s.name.clone();
    if !name_ok(&s.name) {
        return Err(GraphError::BadServiceName { index, service });
    }
    if !BINARIES.contains(&s.binary.as_str()) {
        let binary = s.binary.clone();
        return Err(GraphError::UnknownBinary { service, binary });
    }
    let count = s.caps.len() + s.exports.len();
    if count > MAX_CAPSET_ENTRIES {
        return Err(GraphError::TooManyCaps { service, count });
    }
    for (index, c) in s.caps.iter().enumerate() {
        let cap = c.name.clone();
        if !name_ok(&c.name) {
            return Err(GraphError::BadCapName {
                service,
                index,
                cap,
            });
        }
        if s.caps[..index].iter().any(|e| e.name == c.name) {
            return Err(GraphError::DuplicateCap {
                service,
                index,
                cap,
            });
        }
        if let CapSource::Init(init_cap) = &c.source
            && !INIT_CAPS.contains(&init_cap.as_str())
        {
            let init_cap = init_cap.clone();
            return Err(GraphError::UnknownInitCap {
                service,
                index,
                cap,
                init_cap,
            });
        }
    }
    for (index, e) in s.exports.iter().enumerate() {
        let export = e.clone();
        if !name_ok(e) {
            return Err(GraphError::BadExportName {
                service,
                index,
                export,
            });
        }
        if s.caps.iter().any(|c| c.name == *e) {
            return Err(GraphError::ExportNamedLikeCap {
                service,
                index,
                export,
            });
        }
        if s.exports[..index].contains(e) {
            return Err(GraphError::DuplicateExport {
                service,
                index,
                export,
            });
        }
    }
    let argv: Vec<&[u8]> = s.argv.iter().map(|a| a.as_bytes()).collect();
    let env: Vec<&[u8]> = s.env.iter().map(|e| e.as_bytes()).collect();
    match launch::encode(&argv, &env) {
        Ok(_) => Ok(()),
        Err(error) => Err(GraphError::Launch { service, error }),
    }
}

/// The indices service `i` imports from, or the first bad import.
fn imports_of(services: &[Service], i: usize) -> Result<Vec<usize>, GraphError> {
    let s = &services[i];
    let mut from = Vec::new();
    for (index, c) in s.caps.iter().enumerate() {
        let CapSource::Service {
            service: source,
            export,
        } = &c.source
        else {
            continue;
        };
        let (service, cap) = (s.name.clone(), c.name.clone());
        let Some(j) = services.iter().position(|t| t.name == *source) else {
            let source = source.clone();
            return Err(GraphError::UnknownService {
                service,
                index,
                cap,
                source,
            });
        };
        if j == i {
            return Err(GraphError::ImportsItself {
                service,
                index,
                cap,
            });
        }
        if !services[j].exports.contains(export) {
            let (source, export) = (source.clone(), export.clone());
            return Err(GraphError::MissingExport {
                service,
                index,
                cap,
                source,
                export,
            });
        }
        from.push(j);
    }
    Ok(from)
}

fn reference(services: &[Service]) -> Expected {
    if services.is_empty() {
        return Expected::Error(GraphError::NoServices);
    }
    for (i, s) in services.iter().enumerate() {
        if let Err(e) = check_one(i, s) {
            return Expected::Error(e);
        }
        if services[..i].iter().any(|t| t.name == s.name) {
            return Expected::Error(GraphError::DuplicateService {
                service: s.name.clone(),
            });
        }
    }
    let mut imports = Vec::new();
    for i in 0..services.len() {
        match imports_of(services, i) {
            Ok(from) => imports.push(from),
            Err(e) => return Expected::Error(e),
        }
    }
    // Start, again and again, the first service whose imports all started.
    let mut order: Vec<usize> = Vec::new();
    while order.len() < services.len() {
        let next = (0..services.len())
            .find(|i| !order.contains(i) && imports[*i].iter().all(|j| order.contains(j)));
        match next {
            Some(i) => order.push(i),
            None => {
                let stuck = (0..services.len()).filter(|i| !order.contains(i)).collect();
                return Expected::Cycle(stuck);
            }
        }
    }
    Expected::Order(order)
}

/// Checks that `names` is a cycle of stuck services, each importing from
/// the next, the first repeated at the end.
fn check_cycle(
    services: &[Service],
    stuck: &[usize],
    names: &[String],
) -> Result<(), TestCaseError> {
    prop_assert!(names.len() >= 3, "a cycle needs two services: {:?}", names);
    prop_assert_eq!(names.first(), names.last());
    let index = |name: &String| services.iter().position(|s| s.name == *name).unwrap();
    let members: Vec<usize> = names[1..].iter().map(index).collect();
    for (k, m) in members.iter().enumerate() {
        prop_assert!(stuck.contains(m), "{} can start", names[k + 1]);
        prop_assert!(!members[..k].contains(m), "a service twice in {:?}", names);
    }
    for pair in names.windows(2) {
        let imports_next = services[index(&pair[0])].caps.iter().any(
            |c| matches!(&c.source, CapSource::Service { service, .. } if *service == pair[1]),
        );
        prop_assert!(imports_next, "{} does not import from {}", pair[0], pair[1]);
    }
    Ok(())
}

fn agree(services: &[Service]) -> Result<(), TestCaseError> {
    let got = validate(services, BINARIES, INIT_CAPS);
    match (reference(services), got) {
        (Expected::Order(order), Ok(plan)) => prop_assert_eq!(plan.order, order),
        (Expected::Error(expected), Err(error)) => prop_assert_eq!(error, expected),
        (Expected::Cycle(stuck), Err(GraphError::Cycle { services: names })) => {
            check_cycle(services, &stuck, &names)?
        }
        (expected, got) => prop_assert!(false, "expected {:?}, got {:?}", expected, got),
    }
    Ok(())
}

/// One of a few names, or an empty or over-long one.
fn pick(pool: &'static [&'static str]) -> BoxedStrategy<String> {
    prop_oneof![
        12 => prop::sample::select(pool).prop_map(String::from),
        1 => Just(String::new()),
        1 => Just("n".repeat(MAX_CAP_NAME + 1)),
    ]
    .boxed()
}

fn launch_lists() -> impl Strategy<Value = (Vec<String>, Vec<String>)> {
    let arg = prop_oneof![20 => Just("app"), 5 => Just(""), 1 => Just("a\0b")];
    let env = prop_oneof![20 => Just("K=v"), 1 => Just("=v"), 1 => Just("novalue")];
    let strings = |s: BoxedStrategy<&'static str>| collection::vec(s.prop_map(String::from), 0..3);
    (strings(arg.boxed()), strings(env.boxed()))
}

/// Graphs from small pools of names: every kind of error is common.
fn noisy_graph() -> impl Strategy<Value = Vec<Service>> {
    let names: &'static [&'static str] = &["a", "b", "c", "d"];
    let source = prop_oneof![
        pick(INIT_SOURCES).prop_map(CapSource::Init),
        (pick(names), pick(&["x", "y", "log"]))
            .prop_map(|(service, export)| CapSource::Service { service, export }),
    ];
    let cap = (pick(&["log", "net", "up", "down"]), source)
        .prop_map(|(name, source)| CapImport { name, source });
    let caps = prop_oneof![
        12 => collection::vec(cap.clone(), 0..4),
        1 => collection::vec(cap, 60..66),
    ];
    let service = (
        pick(names),
        prop_oneof![8 => Just("app"), 4 => Just("netstack"), 1 => Just("gone")]
            .prop_map(String::from),
        caps,
        collection::vec(pick(&["x", "y", "log"]), 0..3),
        launch_lists(),
    )
        .prop_map(|(name, binary, caps, exports, (argv, env))| Service {
            name,
            binary,
            caps,
            exports,
            argv,
            env,
        });
    prop_oneof![1 => Just(Vec::new()), 20 => collection::vec(service, 1..6)]
}

/// Graphs of distinct services importing from one another at random:
/// mostly valid, often cyclic, now and then importing from themselves or
/// an export their source lacks.
fn import_graph() -> impl Strategy<Value = Vec<Service>> {
    // (source, export, kind): kind 0 imports from itself, 1 to 12 from
    // init, anything else from another service.
    let import = (any::<prop::sample::Index>(), 0..3usize, 0..60u8);
    let exports = prop_oneof![20 => Just(3usize), 1 => 0..3usize];
    let service = (exports, collection::vec(import, 0..4));
    collection::vec(service, 1..8).prop_map(|specs| {
        let count = specs.len();
        specs
            .iter()
            .enumerate()
            .map(|(i, (exports, imports))| {
                let caps = imports
                    .iter()
                    .enumerate()
                    .map(|(k, &(from, export, kind))| {
                        let from = match kind {
                            0 => i,
                            _ if count == 1 => i,
                            // Any index but i.
                            _ => (i + 1 + from.index(count - 1)) % count,
                        };
                        let source = if (1..=12).contains(&kind) {
                            CapSource::Init("console".into())
                        } else {
                            CapSource::Service {
                                service: std::format!("s{from}"),
                                export: std::format!("e{export}"),
                            }
                        };
                        CapImport {
                            name: std::format!("c{k}"),
                            source,
                        }
                    })
                    .collect();
                Service {
                    name: std::format!("s{i}"),
                    binary: "app".into(),
                    caps,
                    exports: (0..*exports).map(|e| std::format!("e{e}")).collect(),
                    argv: vec!["app".into()],
                    env: Vec::new(),
                }
            })
            .collect()
    })
}

#[test]
fn noisy_graphs_get_the_reference_verdict() {
    capos_fuzz::check(1024, noisy_graph(), |services| agree(&services));
}

#[test]
fn import_graphs_get_the_reference_verdict() {
    capos_fuzz::check(1024, import_graph(), |services| agree(&services));
}
