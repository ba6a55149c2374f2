use super::*;
use std::string::String;

fn end(name: &str, pipe: &str, end: PipeEnd) -> CapImport {
    CapImport {
        name: name.to_string(),
        source: CapSource::Pipe {
            name: pipe.to_string(),
            end,
        },
    }
}

/// seq | wc: "seq" writes p1 on fd/1, "wc" reads it on fd/0.
fn pipeline() -> Vec<Service> {
    vec![
        with_caps(service("seq"), vec![end("fd/1", "p1", PipeEnd::Write)]),
        with_caps(service("wc"), vec![end("fd/0", "p1", PipeEnd::Read)]),
    ]
}

const CAPS: &[&str] = &["console", "pipes"];

/// The refusal and its message; `None` when the pipes pass.
fn check(services: &[Service], pipes: &[&str]) -> Option<(GraphError, String)> {
    let pipes: Vec<String> = pipes.iter().map(|p| p.to_string()).collect();
    check_pipes(services, &pipes, "pipes", CAPS)
        .err()
        .map(|e| (e.clone(), e.to_string()))
}

#[test]
fn a_pipe_with_a_reader_and_a_writer_passes_and_is_no_import() {
    assert_eq!(check(&pipeline(), &["p1"]), None);
    // Pipe ends do not order the services: each may start first.
    assert_eq!(
        validate(&pipeline(), BINARIES, INIT_CAPS).unwrap().order,
        [0, 1]
    );
    // No pipes and no sources need no factory.
    check_pipes(&[service("a")], &[], "pipes", &[]).unwrap();
}

#[test]
fn undeclared_pipes_and_lonely_ends_are_refused() {
    let (e, msg) = check(&pipeline(), &[]).unwrap();
    assert_eq!(
        e,
        GraphError::UnknownPipe {
            service: "seq".into(),
            index: 0,
            cap: "fd/1".into(),
            pipe: "p1".into()
        }
    );
    assert_eq!(
        msg,
        "service \"seq\": caps[0] \"fd/1\": no pipe \"p1\" is declared"
    );
    let writer_only = &pipeline()[..1];
    let (e, msg) = check(writer_only, &["p1"]).unwrap();
    assert_eq!(
        e,
        GraphError::PipeWithoutEnd {
            pipe: "p1".into(),
            end: PipeEnd::Read
        }
    );
    assert_eq!(msg, "pipe \"p1\": no service reads it");
    let (_, msg) = check(&pipeline()[1..], &["p1"]).unwrap();
    assert_eq!(msg, "pipe \"p1\": no service writes it");
    let (_, msg) = check(&pipeline(), &["p1", "p2"]).unwrap();
    assert_eq!(msg, "pipe \"p2\": no service reads it");
}

#[test]
fn pipe_names_and_the_factory_are_checked() {
    let (e, _) = check(&pipeline(), &["p1", "p1"]).unwrap();
    assert_eq!(e, GraphError::DuplicatePipe { pipe: "p1".into() });
    let (e, _) = check(&pipeline(), &["p1", ""]).unwrap();
    assert_eq!(e, GraphError::BadPipeName { pipe: "".into() });
    let long = "p".repeat(49);
    let (e, _) = check(&pipeline(), &["p1", &long]).unwrap();
    assert_eq!(e, GraphError::BadPipeName { pipe: long });
    let pipes = ["p1".to_string()];
    let e = check_pipes(&pipeline(), &pipes, "pipes", &["console"]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "pipes are declared but init has no PipeFactory cap \"pipes\""
    );
}
