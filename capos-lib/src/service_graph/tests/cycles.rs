use super::*;

/// A service exporting "x" and importing "x" from each of `from`.
fn node(name: &str, from: &[&str]) -> Service {
    let caps = from
        .iter()
        .map(|f| from_service(&std::format!("from-{f}"), f, "x"))
        .collect();
    with_exports(with_caps(service(name), caps), &["x"])
}

fn cycle(services: &[Service]) -> Vec<std::string::String> {
    match refusal(services).0 {
        GraphError::Cycle { services } => services,
        other => panic!("expected a cycle, got {other:?}"),
    }
}

#[test]
fn two_services_importing_each_other() {
    let services = [node("a", &["b"]), node("b", &["a"])];
    assert_eq!(cycle(&services), ["a", "b", "a"]);
    assert_eq!(
        refusal(&services).1,
        "dependency cycle: \"a\" -> \"b\" -> \"a\" (each imports from the next)"
    );
}

#[test]
fn cycle_behind_a_tail_is_reported_without_the_tail() {
    // "tail" waits on the loop c -> d -> e -> c but is not part of it.
    let services = [
        node("ok", &[]),
        node("tail", &["c", "ok"]),
        node("c", &["d"]),
        node("d", &["e"]),
        node("e", &["c"]),
    ];
    assert_eq!(cycle(&services), ["c", "d", "e", "c"]);
}

#[test]
fn acyclic_parts_do_not_hide_a_cycle() {
    let services = [node("free", &[]), node("p", &["q"]), node("q", &["p"])];
    assert_eq!(cycle(&services), ["p", "q", "p"]);
}
