mod accept;
mod cycles;
mod fuzz;
mod imports;
mod local;
mod pipes;

use super::*;
use std::string::ToString;
use std::vec;
use std::vec::Vec;

const BINARIES: &[&str] = &["app", "netstack"];
const INIT_CAPS: &[&str] = &["console", "timer", "nic"];

/// A service running "app" with nothing else.
fn service(name: &str) -> Service {
    Service {
        name: name.to_string(),
        binary: "app".to_string(),
        caps: Vec::new(),
        exports: Vec::new(),
        argv: vec![name.to_string()],
        env: Vec::new(),
    }
}

fn from_init(name: &str, init_cap: &str) -> CapImport {
    CapImport {
        name: name.to_string(),
        source: CapSource::Init(init_cap.to_string()),
    }
}

fn from_service(name: &str, service: &str, export: &str) -> CapImport {
    CapImport {
        name: name.to_string(),
        source: CapSource::Service {
            service: service.to_string(),
            export: export.to_string(),
        },
    }
}

fn with_caps(mut s: Service, caps: Vec<CapImport>) -> Service {
    s.caps = caps;
    s
}

fn with_exports(mut s: Service, exports: &[&str]) -> Service {
    s.exports = exports.iter().map(|e| e.to_string()).collect();
    s
}

fn order(services: &[Service]) -> Result<Vec<usize>, GraphError> {
    validate(services, BINARIES, INIT_CAPS).map(|plan| plan.order)
}

/// The error for `services`, and its message.
fn refusal(services: &[Service]) -> (GraphError, std::string::String) {
    let error = order(services).unwrap_err();
    let message = error.to_string();
    (error, message)
}
