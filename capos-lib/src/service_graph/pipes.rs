//! The manifest's pipes: declared once by name, created by init, and each
//! end granted to the services that name it.

use alloc::collections::BTreeMap;
use alloc::string::String;

use super::local::is_valid_name;
use super::{CapSource, GraphError, PipeEnd, Service};

/// Checks the declared `pipes` against the services' `Pipe` sources: each
/// name valid and declared once, init holding the PipeFactory `factory`
/// when there is any pipe, every source naming a declared pipe, and every
/// pipe with at least one reader and one writer.
pub fn check_pipes(
    services: &[Service],
    pipes: &[String],
    factory: &str,
    init_caps: &[&str],
) -> Result<(), GraphError> {
    // pipe -> (has a reader, has a writer)
    let mut ends = BTreeMap::new();
    for pipe in pipes {
        if !is_valid_name(pipe) {
            return Err(GraphError::BadPipeName { pipe: pipe.clone() });
        }
        if ends.insert(pipe.as_str(), (false, false)).is_some() {
            return Err(GraphError::DuplicatePipe { pipe: pipe.clone() });
        }
    }
    if !pipes.is_empty() && !init_caps.contains(&factory) {
        return Err(GraphError::NoPipeFactory {
            factory: factory.into(),
        });
    }
    for service in services {
        for (index, cap) in service.caps.iter().enumerate() {
            let CapSource::Pipe { name, end } = &cap.source else {
                continue;
            };
            let Some((read, write)) = ends.get_mut(name.as_str()) else {
                return Err(GraphError::UnknownPipe {
                    service: service.name.clone(),
                    index,
                    cap: cap.name.clone(),
                    pipe: name.clone(),
                });
            };
            match end {
                PipeEnd::Read => *read = true,
                PipeEnd::Write => *write = true,
            }
        }
    }
    // Reported in declaration order.
    for pipe in pipes {
        let (read, write) = ends[pipe.as_str()];
        for (has, end) in [(read, PipeEnd::Read), (write, PipeEnd::Write)] {
            if !has {
                return Err(GraphError::PipeWithoutEnd {
                    pipe: pipe.clone(),
                    end,
                });
            }
        }
    }
    Ok(())
}
