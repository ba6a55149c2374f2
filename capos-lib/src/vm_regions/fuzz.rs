//! Random sequences of find, insert, remove, splits and covers against a
//! model: a plain list of byte ranges with the same unmerged,
//! split-on-remove meaning, queried by brute force. Addresses and lengths
//! include unaligned and overflowing values.

use super::*;
use proptest::collection;
use proptest::prelude::*;

const P: u64 = 4096;
const BASE: u64 = 0x1000_0000;
const LIMIT: u64 = BASE + 32 * P;

#[derive(Debug, Clone)]
enum Op {
    /// find_free(hint, len), then insert what it found if the flag says so.
    Find(u64, u64, bool),
    /// insert(start, len) if the model says the range is free and inside.
    Insert(u64, u64),
    Remove(u64, u64),
    Covers(u64, u64),
}

/// Around the region, mostly page-aligned, sometimes not, sometimes huge.
fn address() -> impl Strategy<Value = u64> {
    prop_oneof![
        8 => (0..40u64).prop_map(|page| BASE - 4 * P + page * P),
        2 => (0..40 * P).prop_map(|offset| BASE - 4 * P + offset),
        1 => Just(0u64),
        1 => (0..P).prop_map(|below| u64::MAX - below),
        1 => any::<u64>(),
    ]
}

fn length() -> impl Strategy<Value = u64> {
    prop_oneof![
        8 => (0..12u64).prop_map(|pages| pages * P),
        2 => 0..40 * P,
        1 => (0..P).prop_map(|below| u64::MAX - below),
        1 => any::<u64>(),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (address(), length(), any::<bool>()).prop_map(|(h, l, t)| Op::Find(h, l, t)),
        2 => (address(), length()).prop_map(|(s, l)| Op::Insert(s, l)),
        2 => (address(), length()).prop_map(|(s, l)| Op::Remove(s, l)),
        2 => (address(), length()).prop_map(|(s, l)| Op::Covers(s, l)),
    ]
}

/// The ranges in use, `[start, end)`, sorted by start, never overlapping.
#[derive(Default)]
struct Model(Vec<(u64, u64)>);

impl Model {
    fn inside(start: u64, len: u64) -> bool {
        start >= BASE && u128::from(start) + u128::from(len) <= u128::from(LIMIT)
    }

    fn free(&self, start: u64, len: u64) -> bool {
        let end = u128::from(start) + u128::from(len);
        self.0
            .iter()
            .all(|&(s, e)| u128::from(e) <= u128::from(start) || u128::from(s) >= end)
    }

    /// The lowest fit starts at the base or where a range ends: anywhere
    /// else, one byte lower would fit too.
    fn find(&self, hint: u64, len: u64) -> Option<u64> {
        if len == 0 {
            return None;
        }
        if hint != 0 && Self::inside(hint, len) && self.free(hint, len) {
            return Some(hint);
        }
        let candidates = core::iter::once(BASE).chain(self.0.iter().map(|&(_, e)| e));
        candidates
            .filter(|&s| Self::inside(s, len) && self.free(s, len))
            .min()
    }

    fn insert(&mut self, start: u64, len: u64) {
        self.0.push((start, start + len));
        self.0.sort();
    }

    fn remove(&mut self, start: u64, len: u64) -> Vec<(u64, u64)> {
        let end = start.saturating_add(len);
        let mut kept = Vec::new();
        let mut removed = Vec::new();
        for &(s, e) in &self.0 {
            if s >= end || e <= start {
                kept.push((s, e));
                continue;
            }
            removed.push((s.max(start), e.min(end)));
            if s < start {
                kept.push((s, start));
            }
            if e > end {
                kept.push((end, e));
            }
        }
        kept.sort();
        self.0 = kept;
        removed
    }

    /// Some range runs past both ends of `[start, start+len)`.
    fn splits(&self, start: u64, len: u64) -> bool {
        let end = start.saturating_add(len);
        self.0.iter().any(|&(s, e)| s < start && e > end)
    }

    fn covers(&self, start: u64, len: u64) -> bool {
        let end = start.saturating_add(len);
        let mut at = start;
        // Ranges are sorted; walk the ones that touch [at, end).
        for &(s, e) in &self.0 {
            if at >= end {
                break;
            }
            if e <= at {
                continue;
            }
            if s > at {
                return false;
            }
            at = e;
        }
        at >= end
    }
}

#[test]
fn operation_sequences_match_the_model() {
    capos_fuzz::check(256, collection::vec(op(), 0..60), |ops| {
        let mut regions = VmRegions::new(BASE, LIMIT);
        let mut model = Model::default();
        for op in &ops {
            match *op {
                Op::Find(hint, len, take) => {
                    let found = regions.find_free(hint, len);
                    prop_assert_eq!(found, model.find(hint, len), "{:?}", op);
                    if let (Some(start), true) = (found, take) {
                        regions.insert(start, len);
                        model.insert(start, len);
                    }
                }
                Op::Insert(start, len) => {
                    if len > 0 && Model::inside(start, len) && model.free(start, len) {
                        regions.insert(start, len);
                        model.insert(start, len);
                    }
                }
                Op::Remove(start, len) => {
                    let splits = regions.splits(start, len);
                    prop_assert_eq!(splits, model.splits(start, len), "splits {:?}", op);
                    let before = regions.len();
                    let removed = regions.remove(start, len);
                    prop_assert_eq!(removed, model.remove(start, len), "{:?}", op);
                    // Only a cut in two adds a range (the kernel charges
                    // for a record on that answer alone).
                    prop_assert!(splits || regions.len() <= before, "{:?} added a range", op);
                }
                Op::Covers(start, len) => {
                    prop_assert_eq!(
                        regions.covers(start, len),
                        model.covers(start, len),
                        "{:?}",
                        op
                    );
                }
            }
            prop_assert_eq!(regions.len(), model.0.len());
            prop_assert_eq!(regions.is_empty(), model.0.is_empty());
            for &(s, e) in &model.0 {
                prop_assert!(regions.covers(s, e - s));
            }
        }
        Ok(())
    });
}
