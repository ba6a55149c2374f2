//! The CapSet each service will get: its caps and its exports together.
//!
//! The graph check looks at caps and exports separately; but both become
//! entries of one CapSet, so their names must differ from each other and
//! together they must fit in the CapSet page. A spawn would refuse either
//! mistake, after earlier services had started; checking every service
//! first keeps "nothing starts from a bad manifest" true.

use alloc::string::String;
use capos_abi::capset::MAX_CAPSET_ENTRIES;
use capos_lib::service_graph::Service;
use core::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CapSetError {
    /// An export has the name of one of the service's caps.
    NameClash { service: String, name: String },
    /// Caps and exports together do not fit in a CapSet.
    TooMany { service: String, count: usize },
}

impl fmt::Display for CapSetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CapSetError::NameClash { service, name } => write!(
                f,
                "service {service:?}: {name:?} is both a cap and an export (one CapSet name)"
            ),
            CapSetError::TooMany { service, count } => write!(
                f,
                "service {service:?}: {count} caps and exports, at most {MAX_CAPSET_ENTRIES}"
            ),
        }
    }
}

/// Checks every service's combined CapSet.
pub fn check(services: &[Service]) -> Result<(), CapSetError> {
    for service in services {
        let count = service.caps.len() + service.exports.len();
        if count > MAX_CAPSET_ENTRIES {
            return Err(CapSetError::TooMany {
                service: service.name.clone(),
                count,
            });
        }
        if let Some(export) = service
            .exports
            .iter()
            .find(|e| service.caps.iter().any(|c| &c.name == *e))
        {
            return Err(CapSetError::NameClash {
                service: service.name.clone(),
                name: export.clone(),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;
    use alloc::vec::Vec;
    use capos_lib::service_graph::{CapImport, CapSource};

    fn service(caps: usize, exports: &[&str]) -> Service {
        Service {
            name: "s".into(),
            binary: "b".into(),
            caps: (0..caps)
                .map(|i| CapImport {
                    name: alloc::format!("c{i}"),
                    source: CapSource::Init("console".into()),
                })
                .collect(),
            exports: exports.iter().map(|e| e.to_string()).collect(),
            argv: Vec::new(),
            env: Vec::new(),
        }
    }

    #[test]
    fn caps_and_exports_share_one_capset() {
        assert_eq!(check(&[service(2, &["a", "b"])]), Ok(()));
        let e = check(&[service(2, &["a"]), service(2, &["c1"])]).unwrap_err();
        assert_eq!(
            e.to_string(),
            r#"service "s": "c1" is both a cap and an export (one CapSet name)"#
        );
        let full = service(MAX_CAPSET_ENTRIES - 1, &["a"]);
        assert_eq!(check(&[full]), Ok(()));
        let over = service(MAX_CAPSET_ENTRIES, &["a"]);
        assert_eq!(
            check(&[over]),
            Err(CapSetError::TooMany {
                service: "s".into(),
                count: MAX_CAPSET_ENTRIES + 1
            })
        );
        assert_eq!(check(&[]), Ok(()));
    }
}
