//! Which page ranges of a process's mapping region are in use.
//!
//! The page tables say what is mapped; this map answers the questions they
//! answer slowly: where is a free range of a given size, and is a range
//! entirely mapped. Ranges are page-aligned `[start, end)`; adjacent ranges
//! are not merged, so an unmap of part of a range splits it.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

#[derive(Clone)]
pub struct VmRegions {
    /// start -> end
    ranges: BTreeMap<u64, u64>,
    base: u64,
    limit: u64,
}

impl VmRegions {
    pub fn new(base: u64, limit: u64) -> Self {
        VmRegions {
            ranges: BTreeMap::new(),
            base,
            limit,
        }
    }

    fn inside(&self, start: u64, len: u64) -> bool {
        start >= self.base && start.checked_add(len).is_some_and(|end| end <= self.limit)
    }

    /// True if no part of `[start, start+len)` is in use.
    fn is_free(&self, start: u64, len: u64) -> bool {
        let end = start + len;
        // The last range starting before `end` is the only one that can overlap.
        self.ranges
            .range(..end)
            .next_back()
            .is_none_or(|(_, &e)| e <= start)
    }

    /// A free range of `len` bytes: `hint` if it is free and inside the
    /// region, otherwise the lowest free one.
    pub fn find_free(&self, hint: u64, len: u64) -> Option<u64> {
        if len == 0 {
            return None;
        }
        if hint != 0 && self.inside(hint, len) && self.is_free(hint, len) {
            return Some(hint);
        }
        let mut candidate = self.base;
        for (&start, &end) in &self.ranges {
            if start >= candidate && start - candidate >= len {
                break;
            }
            candidate = candidate.max(end);
        }
        self.inside(candidate, len).then_some(candidate)
    }

    /// How many ranges are recorded (the kernel charges memory per range).
    pub fn len(&self) -> usize {
        self.ranges.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// Records `[start, start+len)` as in use; the caller checked it is free.
    pub fn insert(&mut self, start: u64, len: u64) {
        self.ranges.insert(start, start + len);
    }

    /// Marks `[start, start+len)` free; returns the pieces that were in use.
    pub fn remove(&mut self, start: u64, len: u64) -> Vec<(u64, u64)> {
        let end = start.saturating_add(len);
        let overlapping: Vec<(u64, u64)> = self
            .ranges
            .range(..end)
            .filter(|&(_, &e)| e > start)
            .map(|(&s, &e)| (s, e))
            .collect();
        let mut removed = Vec::new();
        for (s, e) in overlapping {
            self.ranges.remove(&s);
            if s < start {
                self.ranges.insert(s, start);
            }
            if e > end {
                self.ranges.insert(end, e);
            }
            removed.push((s.max(start), e.min(end)));
        }
        removed
    }

    /// True if freeing `[start, start+len)` would cut one range in two (the
    /// only way [`VmRegions::remove`] adds a range).
    pub fn splits(&self, start: u64, len: u64) -> bool {
        let end = start.saturating_add(len);
        self.ranges
            .range(..start)
            .next_back()
            .is_some_and(|(_, &e)| e > end)
    }

    /// True if every byte of `[start, start+len)` is in use.
    pub fn covers(&self, start: u64, len: u64) -> bool {
        let end = start.saturating_add(len);
        let mut at = start;
        for (&s, &e) in self.ranges.range(..end) {
            if e <= at {
                continue;
            }
            if s > at {
                return false;
            }
            at = e;
            if at >= end {
                return true;
            }
        }
        at >= end
    }
}

#[cfg(test)]
mod fuzz;

#[cfg(test)]
mod tests {
    use super::*;

    const P: u64 = 4096;

    #[test]
    fn only_a_hole_strictly_inside_one_range_splits_it() {
        let mut r = VmRegions::new(0, 100 * P);
        r.insert(10 * P, 10 * P);
        assert!(r.splits(12 * P, P));
        assert!(!r.splits(10 * P, P), "a head is cut off, not split");
        assert!(!r.splits(19 * P, P), "a tail is cut off, not split");
        assert!(!r.splits(10 * P, 10 * P));
        assert!(!r.splits(5 * P, 30 * P));
        assert!(!r.splits(30 * P, P));
        let before = r.len();
        r.remove(12 * P, P);
        assert_eq!(r.len(), before + 1);
    }

    fn regions() -> VmRegions {
        VmRegions::new(0x1000_0000, 0x1000_0000 + 16 * P)
    }

    #[test]
    fn first_fit_and_hint() {
        let mut r = regions();
        let a = r.find_free(0, 2 * P).unwrap();
        assert_eq!(a, 0x1000_0000);
        r.insert(a, 2 * P);
        let b = r.find_free(0, P).unwrap();
        assert_eq!(b, a + 2 * P);
        // A free hint is honoured; a busy one is not.
        let h = 0x1000_0000 + 8 * P;
        assert_eq!(r.find_free(h, P), Some(h));
        r.insert(h, P);
        assert_eq!(r.find_free(h, P), Some(b));
        // Hints outside the region are ignored.
        assert_eq!(r.find_free(0x10, P), Some(b));
    }

    #[test]
    fn exhaustion_and_zero_length() {
        let mut r = regions();
        assert_eq!(r.find_free(0, 17 * P), None);
        assert_eq!(r.find_free(0, 0), None);
        r.insert(r.find_free(0, 16 * P).unwrap(), 16 * P);
        assert_eq!(r.find_free(0, P), None);
    }

    #[test]
    fn gaps_are_found_between_ranges() {
        let mut r = regions();
        let base = 0x1000_0000;
        r.insert(base, P);
        r.insert(base + 3 * P, P);
        assert_eq!(r.find_free(0, 2 * P), Some(base + P));
        assert_eq!(r.find_free(0, 3 * P), Some(base + 4 * P));
    }

    #[test]
    fn partial_unmap_splits() {
        let mut r = regions();
        let base = 0x1000_0000;
        r.insert(base, 4 * P);
        assert!(r.covers(base, 4 * P));
        let removed = r.remove(base + P, P);
        assert_eq!(removed, [(base + P, base + 2 * P)]);
        assert!(r.covers(base, P));
        assert!(!r.covers(base, 2 * P));
        assert!(r.covers(base + 2 * P, 2 * P));
        assert_eq!(r.find_free(0, P), Some(base + P));
        // Removing a range nothing occupies changes nothing.
        assert!(r.remove(base + 8 * P, P).is_empty());
    }

    #[test]
    fn covers_spans_adjacent_ranges() {
        let mut r = regions();
        let base = 0x1000_0000;
        r.insert(base, P);
        r.insert(base + P, P);
        assert!(r.covers(base, 2 * P));
        assert!(!r.covers(base, 3 * P));
        assert!(!r.covers(base - P, 2 * P));
    }
}
