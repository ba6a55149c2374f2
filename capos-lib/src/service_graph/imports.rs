//! Resolving imports from other services into dependencies.

use super::{CapSource, GraphError, Service};
use alloc::collections::BTreeMap;
use alloc::vec::Vec;

/// For each service, the indices of the services it imports from, each
/// once, in first-import order. Every `Service` source must name another
/// service and an export that service declares.
pub fn dependencies(
    services: &[Service],
    by_name: &BTreeMap<&str, usize>,
) -> Result<Vec<Vec<usize>>, GraphError> {
    let mut all = Vec::with_capacity(services.len());
    for (me, service) in services.iter().enumerate() {
        let mut deps = Vec::new();
        for (index, cap) in service.caps.iter().enumerate() {
            let CapSource::Service {
                service: source,
                export,
            } = &cap.source
            else {
                continue;
            };
            let Some(&from) = by_name.get(source.as_str()) else {
                return Err(GraphError::UnknownService {
                    service: service.name.clone(),
                    index,
                    cap: cap.name.clone(),
                    source: source.clone(),
                });
            };
            if from == me {
                return Err(GraphError::ImportsItself {
                    service: service.name.clone(),
                    index,
                    cap: cap.name.clone(),
                });
            }
            let exporter = services.get(from).map_or(&[][..], |s| &s.exports[..]);
            if !exporter.contains(export) {
                return Err(GraphError::MissingExport {
                    service: service.name.clone(),
                    index,
                    cap: cap.name.clone(),
                    source: source.clone(),
                    export: export.clone(),
                });
            }
            if !deps.contains(&from) {
                deps.push(from);
            }
        }
        all.push(deps);
    }
    Ok(all)
}
