//! What each service is granted, and where in init each grant comes from.

use alloc::string::String;
use alloc::vec::Vec;
use capos_lib::service_graph::{CapSource, PipeEnd, Service};

/// Where init finds a capability it grants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// init's own capability of this name (from its CapSet).
    Init(String),
    /// The owner facet of export number `export` of the service itself.
    Owner { export: usize },
    /// A client facet of export number `export` of service `service`.
    Client { service: usize, export: usize },
    /// The directory at `path` below init's Directory `from`, narrowed to
    /// read-only when `read_only` is set.
    Directory {
        from: String,
        path: String,
        read_only: bool,
    },
    /// The file at `path` below init's Directory `from`, opened read-only
    /// when `read_only` is set.
    File {
        from: String,
        path: String,
        read_only: bool,
    },
    /// The `end` of the manifest's pipe `name`, which init created.
    Pipe { name: String, end: PipeEnd },
}

/// One entry of a service's CapSet: its name there, and its source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub name: String,
    pub source: Source,
}

/// The grants of service number `index`: its caps in manifest order, then
/// the owner facets of its exports under the exports' names. `None` if an
/// import names a service or export that does not exist, which a graph
/// that passed `service_graph::validate` never does.
pub fn grants(services: &[Service], index: usize) -> Option<Vec<Grant>> {
    let service = services.get(index)?;
    let mut grants = Vec::with_capacity(service.caps.len() + service.exports.len());
    for cap in &service.caps {
        let source = match &cap.source {
            CapSource::Init(name) => Source::Init(name.clone()),
            CapSource::Directory {
                from,
                path,
                read_only,
            } => Source::Directory {
                from: from.clone(),
                path: path.clone(),
                read_only: *read_only,
            },
            CapSource::File {
                from,
                path,
                read_only,
            } => Source::File {
                from: from.clone(),
                path: path.clone(),
                read_only: *read_only,
            },
            CapSource::Pipe { name, end } => Source::Pipe {
                name: name.clone(),
                end: *end,
            },
            CapSource::Service { service, export } => {
                let from = services.iter().position(|s| &s.name == service)?;
                let export = services[from].exports.iter().position(|e| e == export)?;
                Source::Client {
                    service: from,
                    export,
                }
            }
        };
        grants.push(Grant {
            name: cap.name.clone(),
            source,
        });
    }
    for (export, name) in service.exports.iter().enumerate() {
        grants.push(Grant {
            name: name.clone(),
            source: Source::Owner { export },
        });
    }
    Some(grants)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;
    use alloc::vec;
    use capos_lib::service_graph::CapImport;

    fn service(name: &str, caps: Vec<CapImport>, exports: &[&str]) -> Service {
        Service {
            name: name.into(),
            binary: "b".into(),
            caps,
            exports: exports.iter().map(|e| e.to_string()).collect(),
            argv: Vec::new(),
            env: Vec::new(),
        }
    }

    fn import(name: &str, source: CapSource) -> CapImport {
        CapImport {
            name: name.into(),
            source,
        }
    }

    fn from(service: &str, export: &str) -> CapSource {
        CapSource::Service {
            service: service.into(),
            export: export.into(),
        }
    }

    #[test]
    fn grants_resolve_to_init_caps_owner_and_client_facets() {
        let services = [
            service(
                "log",
                vec![import("out", CapSource::Init("console".into()))],
                &["a", "log"],
            ),
            service("user", vec![import("logger", from("log", "log"))], &[]),
        ];
        let log = grants(&services, 0).unwrap();
        assert_eq!(
            log,
            [
                Grant {
                    name: "out".into(),
                    source: Source::Init("console".into())
                },
                Grant {
                    name: "a".into(),
                    source: Source::Owner { export: 0 }
                },
                Grant {
                    name: "log".into(),
                    source: Source::Owner { export: 1 }
                },
            ]
        );
        let user = grants(&services, 1).unwrap();
        assert_eq!(
            user,
            [Grant {
                name: "logger".into(),
                source: Source::Client {
                    service: 0,
                    export: 1
                }
            }]
        );
    }

    #[test]
    fn directory_sources_pass_through_as_subtrees() {
        let dir = CapSource::Directory {
            from: "fs".into(),
            path: "/tmp".into(),
            read_only: true,
        };
        let services = [service("s", vec![import("/tmp", dir)], &[])];
        assert_eq!(
            grants(&services, 0).unwrap(),
            [Grant {
                name: "/tmp".into(),
                source: Source::Directory {
                    from: "fs".into(),
                    path: "/tmp".into(),
                    read_only: true
                }
            }]
        );
    }

    #[test]
    fn unresolved_imports_and_indices_give_none() {
        let services = [
            service("a", vec![import("x", from("b", "y"))], &[]),
            service("b", vec![], &["z"]),
            service("c", vec![import("x", from("d", "z"))], &[]),
        ];
        assert_eq!(grants(&services, 0), None);
        assert_eq!(grants(&services, 2), None);
        assert_eq!(grants(&services, 3), None);
        assert_eq!(grants(&services, 1).unwrap().len(), 1);
    }
}
