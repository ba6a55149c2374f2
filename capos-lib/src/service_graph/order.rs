//! The start order: a stable topological sort of the import graph.

use super::{GraphError, Service};
use alloc::collections::BinaryHeap;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use core::cmp::Reverse;

/// Orders services so each starts after everything in its `dependencies`
/// entry. Among services whose dependencies have all started, the earliest
/// in the manifest goes first, so a manifest without imports starts in
/// its own order.
pub fn start_order(
    services: &[Service],
    dependencies: &[Vec<usize>],
) -> Result<Vec<usize>, GraphError> {
    let count = dependencies.len();
    let mut waiting_on: Vec<usize> = dependencies.iter().map(Vec::len).collect();
    let mut dependents = vec![Vec::new(); count];
    for (service, deps) in dependencies.iter().enumerate() {
        for &dep in deps {
            if let Some(list) = dependents.get_mut(dep) {
                list.push(service);
            }
        }
    }

    // Min-heap of services ready to start.
    let mut ready: BinaryHeap<Reverse<usize>> = (0..count)
        .filter(|&s| waiting_on[s] == 0)
        .map(Reverse)
        .collect();
    let mut order = Vec::with_capacity(count);
    while let Some(Reverse(next)) = ready.pop() {
        order.push(next);
        for &dependent in dependents.get(next).into_iter().flatten() {
            if let Some(waiting) = waiting_on.get_mut(dependent)
                && *waiting > 0
            {
                *waiting -= 1;
                if *waiting == 0 {
                    ready.push(Reverse(dependent));
                }
            }
        }
    }
    if order.len() == count {
        return Ok(order);
    }
    Err(GraphError::Cycle {
        services: find_cycle(dependencies, &waiting_on)
            .into_iter()
            .map(|i| services.get(i).map_or_else(String::new, |s| s.name.clone()))
            .collect(),
    })
}

/// A cycle among the services the sort could not start (`waiting_on` > 0),
/// as indices, the first repeated at the end. Every such service waits on
/// another such service, so following those edges from the first one must
/// loop.
fn find_cycle(dependencies: &[Vec<usize>], waiting_on: &[usize]) -> Vec<usize> {
    let stuck = |s: usize| waiting_on.get(s).is_some_and(|&w| w > 0);
    let mut position = vec![None; dependencies.len()];
    let mut path = Vec::new();
    let mut current = (0..dependencies.len()).find(|&s| stuck(s));
    while let Some(service) = current {
        if let Some(start) = position.get(service).copied().flatten() {
            let mut cycle = path.split_off(start);
            cycle.push(service);
            return cycle;
        }
        if let Some(slot) = position.get_mut(service) {
            *slot = Some(path.len());
        }
        path.push(service);
        current = dependencies
            .get(service)
            .and_then(|deps| deps.iter().copied().find(|&d| stuck(d)));
    }
    Vec::new()
}
