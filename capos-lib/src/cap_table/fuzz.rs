//! Random sequences of table operations against a model: a map of live
//! ids, the entries taken out by reserve, and the ids retired by remove
//! and commit. Ids must be fresh and never 0, a retired id must read as
//! stale for good (its slot reused or not), the limit must count reserved
//! slots, and `len`, `room` and `iter` must match the model after every
//! step.

use super::*;
use proptest::collection;
use proptest::prelude::*;
use std::collections::{BTreeSet, HashMap};
use std::vec::Vec;

/// An id to act on: one the table handed out, or any value.
#[derive(Debug, Clone)]
enum Pick {
    Issued(prop::sample::Index),
    Raw(u32),
}

#[derive(Debug, Clone)]
enum Op {
    Insert(u64),
    Get(Pick),
    Remove(Pick),
    Reserve(Pick),
    Commit(Pick),
    Rollback(Pick),
    Clear,
}

fn pick() -> impl Strategy<Value = Pick> {
    prop_oneof![
        6 => any::<prop::sample::Index>().prop_map(Pick::Issued),
        // Small indices and generations hit real slots.
        1 => (0..8u32, 0..4u32).prop_map(|(index, generation)| Pick::Raw(generation << 16 | index)),
        1 => any::<u32>().prop_map(Pick::Raw),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => any::<u64>().prop_map(Op::Insert),
        3 => pick().prop_map(Op::Get),
        3 => pick().prop_map(Op::Remove),
        3 => pick().prop_map(Op::Reserve),
        2 => pick().prop_map(Op::Commit),
        2 => pick().prop_map(Op::Rollback),
        1 => Just(Op::Clear),
    ]
}

#[derive(Default)]
struct Model {
    /// id -> (object, interface)
    live: HashMap<CapId, (u32, u64)>,
    /// The entries reserve took out, by id, to roll back or commit.
    reserved: HashMap<CapId, Entry<u32>>,
    retired: BTreeSet<CapId>,
    issued: Vec<CapId>,
}

impl Model {
    fn id(&self, pick: &Pick) -> CapId {
        match pick {
            Pick::Issued(index) if !self.issued.is_empty() => {
                self.issued[index.index(self.issued.len())]
            }
            Pick::Issued(_) => 0,
            Pick::Raw(id) => *id,
        }
    }

    /// What looking up `id` must give, for an id neither live nor reserved.
    fn check_refusal(&self, id: CapId, got: CapError) -> Result<(), TestCaseError> {
        if self.retired.contains(&id) {
            prop_assert_eq!(got, CapError::Stale, "retired id {:#x}", id);
        } else if id >> 16 == 0 {
            prop_assert_eq!(got, CapError::Invalid, "generation 0 in {:#x}", id);
        } else {
            // Never handed out: either way, but never usable.
            prop_assert!(
                matches!(got, CapError::Invalid | CapError::Stale),
                "{:?}",
                got
            );
        }
        Ok(())
    }
}

fn step(
    table: &mut CapTable<u32>,
    model: &mut Model,
    limit: usize,
    op: &Op,
) -> Result<(), TestCaseError> {
    match op {
        Op::Insert(interface_id) => {
            let object = model.issued.len() as u32;
            let full = model.live.len() + model.reserved.len() >= limit;
            match table.insert(object, *interface_id) {
                Ok(id) => {
                    prop_assert!(!full, "insert past the limit");
                    prop_assert!(id >> 16 != 0, "generation 0 issued");
                    prop_assert!(
                        ((id & 0xffff) as usize) < limit,
                        "slot index past the limit"
                    );
                    prop_assert!(!model.issued.contains(&id), "id {:#x} issued twice", id);
                    model.issued.push(id);
                    model.live.insert(id, (object, *interface_id));
                }
                Err(e) => prop_assert!(full && e == CapError::Full, "{:?}", e),
            }
        }
        Op::Get(pick) => {
            let id = model.id(pick);
            match (table.get(id), model.live.get(&id)) {
                (Ok(entry), Some(&(object, interface_id))) => {
                    prop_assert_eq!((entry.object, entry.interface_id), (object, interface_id));
                }
                (Err(e), None) if model.reserved.contains_key(&id) => {
                    prop_assert_eq!(e, CapError::Reserved);
                }
                (Err(e), None) => model.check_refusal(id, e)?,
                (got, expected) => prop_assert!(
                    false,
                    "get {:#x}: {:?}, model {:?}",
                    id,
                    got.map(|e| e.object),
                    expected
                ),
            }
        }
        Op::Remove(pick) | Op::Reserve(pick) => {
            let id = model.id(pick);
            let got = if matches!(op, Op::Remove(_)) {
                table.remove(id)
            } else {
                table.reserve(id)
            };
            match (got, model.live.remove(&id)) {
                (Ok(entry), Some((object, interface_id))) => {
                    prop_assert_eq!((entry.object, entry.interface_id), (object, interface_id));
                    if matches!(op, Op::Remove(_)) {
                        model.retired.insert(id);
                    } else {
                        model.reserved.insert(id, entry);
                    }
                }
                (Err(e), None) if model.reserved.contains_key(&id) => {
                    prop_assert_eq!(e, CapError::Reserved);
                }
                (Err(e), None) => model.check_refusal(id, e)?,
                (got, expected) => prop_assert!(
                    false,
                    "{:?} {:#x}: {:?}, model {:?}",
                    op,
                    id,
                    got.map(|e| e.object),
                    expected
                ),
            }
        }
        Op::Commit(pick) | Op::Rollback(pick) => {
            let id = model.id(pick);
            let held = model.reserved.remove(&id);
            let was_reserved = held.is_some();
            let got = match (op, held) {
                (Op::Commit(_), _) => table.commit(id),
                (_, Some(entry)) => {
                    let (object, interface_id) = (entry.object, entry.interface_id);
                    let got = table.rollback(id, entry);
                    model.live.insert(id, (object, interface_id));
                    got
                }
                // Rolling back something never reserved: any entry.
                (_, None) => table.rollback(
                    id,
                    Entry {
                        object: u32::MAX,
                        interface_id: 0,
                    },
                ),
            };
            match got {
                Ok(()) => {
                    prop_assert!(was_reserved, "{:?} {:#x} without a reservation", op, id);
                    if matches!(op, Op::Commit(_)) {
                        model.retired.insert(id);
                    }
                }
                Err(e) if model.live.contains_key(&id) && !was_reserved => {
                    prop_assert_eq!(e, CapError::Invalid, "live id");
                }
                Err(e) => {
                    prop_assert!(!was_reserved, "{:?} of a reserved id failed: {:?}", op, e);
                    model.check_refusal(id, e)?;
                }
            }
        }
        Op::Clear => {
            let held = model.live.len() + model.reserved.len();
            prop_assert_eq!(table.clear(), held);
            // A cleared table is a new one (process exit): ids start over.
            *model = Model::default();
        }
    }
    let held = model.live.len() + model.reserved.len();
    prop_assert_eq!(table.len(), held);
    prop_assert_eq!(table.room(), limit - held);
    prop_assert_eq!(table.is_empty(), held == 0);
    let listed: Vec<(CapId, u32, u64)> = table
        .iter()
        .map(|(id, e)| (id, e.object, e.interface_id))
        .collect();
    let mut expected: Vec<(CapId, u32, u64)> =
        model.live.iter().map(|(&id, &(o, i))| (id, o, i)).collect();
    expected.sort_by_key(|&(id, ..)| id & 0xffff);
    prop_assert_eq!(listed, expected);
    Ok(())
}

#[test]
fn operation_sequences_match_the_model() {
    let limit = prop_oneof![8 => 0..10usize, 1 => Just(1usize << 20)];
    let strategy = (limit, collection::vec(op(), 0..120));
    capos_fuzz::check(256, strategy, |(asked, ops)| {
        let mut table = CapTable::new(asked);
        let limit = asked.min(1 << 16);
        let mut model = Model::default();
        for op in &ops {
            step(&mut table, &mut model, limit, op)?;
        }
        Ok(())
    });
}
