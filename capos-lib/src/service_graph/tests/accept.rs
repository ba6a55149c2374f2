use super::*;
use capos_abi::capset::{MAX_CAP_NAME, MAX_CAPSET_ENTRIES};

#[test]
fn one_service_starts_alone() {
    let plan = validate(&[service("init-child")], BINARIES, INIT_CAPS).unwrap();
    assert_eq!(plan, StartPlan { order: vec![0] });
}

#[test]
fn independent_services_keep_manifest_order() {
    let services = [
        with_caps(service("c"), vec![from_init("console", "console")]),
        service("a"),
        service("b"),
    ];
    assert_eq!(order(&services), Ok(vec![0, 1, 2]));
}

#[test]
fn exporters_start_before_importers() {
    let mut netstack = with_exports(service("netstack"), &["udp", "tcp"]);
    netstack.binary = "netstack".to_string();
    netstack.caps = vec![from_init("nic", "nic")];
    let services = [
        with_caps(
            service("dns"),
            vec![
                from_init("console", "console"),
                from_service("net", "netstack", "udp"),
                from_service("stream", "netstack", "tcp"),
            ],
        ),
        service("logger"),
        netstack,
    ];
    // dns waits; logger and netstack are ready and keep manifest order.
    assert_eq!(order(&services), Ok(vec![1, 2, 0]));
}

#[test]
fn diamond_starts_each_service_once() {
    let services = [
        with_caps(
            service("top"),
            vec![
                from_service("l", "left", "x"),
                from_service("r", "right", "x"),
            ],
        ),
        with_exports(
            with_caps(service("right"), vec![from_service("b", "base", "x")]),
            &["x"],
        ),
        with_exports(
            with_caps(service("left"), vec![from_service("b", "base", "x")]),
            &["x"],
        ),
        with_exports(service("base"), &["x"]),
    ];
    assert_eq!(order(&services), Ok(vec![3, 1, 2, 0]));
}

#[test]
fn limits_are_inclusive() {
    let name = "n".repeat(MAX_CAP_NAME);
    // Caps and the export fill the CapSet exactly.
    let caps = (0..MAX_CAPSET_ENTRIES - 1)
        .map(|i| from_init(&std::format!("cap{i}"), "timer"))
        .collect();
    let mut s = with_exports(with_caps(service(&name), caps), &[&name]);
    s.env = vec!["PATH=/bin".to_string(), "EMPTY=".to_string()];
    assert_eq!(order(&[s]), Ok(vec![0]));
}

#[test]
fn unused_exports_and_caps_named_like_other_services_are_fine() {
    let services = [
        with_exports(service("a"), &["never-imported"]),
        with_caps(service("b"), vec![from_init("a", "console")]),
    ];
    assert_eq!(order(&services), Ok(vec![0, 1]));
}
