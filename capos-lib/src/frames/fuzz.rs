//! Random sequences of frame operations against a model: the set of free
//! frames. Byte ranges may be unaligned, reversed or huge; frame numbers
//! may lie past the end.

use super::*;
use proptest::collection;
use proptest::prelude::*;
use std::collections::BTreeSet;

#[derive(Debug, Clone)]
enum Op {
    AddFree(u64, u64),
    Reserve(u64, u64),
    Alloc,
    AllocContiguous(u64),
    Free(u64),
}

/// A byte address near the bitmap (sometimes inside a frame), or anything.
fn address(frames: u64) -> impl Strategy<Value = u64> {
    prop_oneof![
        6 => (0..=frames + 2).prop_map(|f| f * FRAME_SIZE),
        2 => 0..(frames + 2) * FRAME_SIZE,
        1 => (0..FRAME_SIZE).prop_map(|below| u64::MAX - below),
        1 => any::<u64>(),
    ]
}

fn op(frames: u64) -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => (address(frames), address(frames)).prop_map(|(s, e)| Op::AddFree(s, e)),
        1 => (address(frames), address(frames)).prop_map(|(s, e)| Op::Reserve(s, e)),
        3 => Just(Op::Alloc),
        2 => prop_oneof![0..70u64, any::<u64>()].prop_map(Op::AllocContiguous),
        3 => prop_oneof![0..frames + 3, any::<u64>()].prop_map(Op::Free),
    ]
}

fn run(frames: u64, ops: &[Op]) -> Result<(), TestCaseError> {
    let mut bitmap = FrameBitmap::new(frames);
    let mut free: BTreeSet<u64> = BTreeSet::new();
    for op in ops {
        match *op {
            Op::AddFree(start, end) => {
                bitmap.add_free_range(start, end);
                // Whole frames inside [start, end) only.
                let first = start.div_ceil(FRAME_SIZE);
                free.extend(first..(end / FRAME_SIZE).min(frames));
            }
            Op::Reserve(start, end) => {
                bitmap.reserve_range(start, end);
                // Every frame [start, end) touches.
                let last = end.div_ceil(FRAME_SIZE).min(frames);
                free.retain(|&f| !(start / FRAME_SIZE..last).contains(&f));
            }
            Op::Alloc | Op::AllocContiguous(_) => {
                let count = match *op {
                    Op::AllocContiguous(count) => count,
                    _ => 1,
                };
                let got = if count == 1 && matches!(op, Op::Alloc) {
                    bitmap.alloc()
                } else {
                    bitmap.alloc_contiguous(count)
                };
                // A run exists iff some free frame starts `count` free ones.
                let fits =
                    |first: u64| (first..first.saturating_add(count)).all(|f| free.contains(&f));
                let exists =
                    count > 0 && count <= free.len() as u64 && free.iter().any(|&f| fits(f));
                match got {
                    Some(first) => {
                        prop_assert!(count > 0 && fits(first), "{:?} gave {} not free", op, first);
                        for f in first..first + count {
                            free.remove(&f);
                        }
                    }
                    None => prop_assert!(!exists, "{:?} found nothing, but a run exists", op),
                }
            }
            Op::Free(frame) => {
                let expected = if frame >= frames {
                    Err(FrameError::OutOfRange)
                } else if free.contains(&frame) {
                    Err(FrameError::NotAllocated)
                } else {
                    Ok(())
                };
                prop_assert_eq!(bitmap.free(frame), expected);
                if expected.is_ok() {
                    free.insert(frame);
                }
            }
        }
        prop_assert_eq!(bitmap.free_count(), free.len() as u64, "after {:?}", op);
        prop_assert_eq!(bitmap.total(), frames);
    }
    Ok(())
}

#[test]
fn operation_sequences_match_the_model() {
    let strategy =
        (0..200u64).prop_flat_map(|frames| (Just(frames), collection::vec(op(frames), 0..40)));
    capos_fuzz::check(256, strategy, |(frames, ops)| run(frames, &ops));
}
