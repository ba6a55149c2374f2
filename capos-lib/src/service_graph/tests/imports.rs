use super::*;

#[test]
fn source_service_must_exist() {
    let caps = vec![from_service("net", "netstak", "udp")];
    let services = [
        with_exports(service("netstack"), &["udp"]),
        with_caps(service("dns"), caps),
    ];
    let (error, message) = refusal(&services);
    assert!(matches!(error, GraphError::UnknownService { index: 0, .. }));
    assert_eq!(
        message,
        "service \"dns\": caps[0] \"net\": no service \"netstak\""
    );
}

#[test]
fn a_service_cannot_import_from_itself() {
    let s = with_exports(service("loop"), &["x"]);
    let (error, message) = refusal(&[with_caps(s, vec![from_service("me", "loop", "x")])]);
    assert_eq!(
        error,
        GraphError::ImportsItself {
            service: "loop".to_string(),
            index: 0,
            cap: "me".to_string()
        }
    );
    assert_eq!(
        message,
        "service \"loop\": caps[0] \"me\": a service cannot import from itself"
    );
}

#[test]
fn export_must_be_declared() {
    let caps = vec![
        from_init("console", "console"),
        from_service("net", "netstack", "udp"),
    ];
    let services = [
        with_caps(service("dns"), caps),
        with_exports(service("netstack"), &["tcp"]),
    ];
    let (error, message) = refusal(&services);
    assert_eq!(
        error,
        GraphError::MissingExport {
            service: "dns".to_string(),
            index: 1,
            cap: "net".to_string(),
            source: "netstack".to_string(),
            export: "udp".to_string()
        }
    );
    assert_eq!(
        message,
        "service \"dns\": caps[1] \"net\": service \"netstack\" exports no \"udp\""
    );
}

#[test]
fn local_errors_come_before_import_errors() {
    let services = [
        with_caps(service("a"), vec![from_service("x", "nobody", "x")]),
        with_caps(service("b"), vec![from_init("x", "nothing")]),
    ];
    let (error, _) = refusal(&services);
    assert!(matches!(error, GraphError::UnknownInitCap { .. }));
}
