//! The metadata quota is an upper bound of the heap the store takes: a
//! counting allocator measures what the store really holds after every
//! operation of random sequences, and it never exceeds what the store
//! charged (plus its data pages, counted against the other quota).
//!
//! The allocator counts per thread, so tests running beside this one do
//! not disturb it.

use super::model::{apply, op};
use super::*;
use core::cell::Cell;
use proptest::collection;
use proptest::prelude::*;
use std::alloc::{GlobalAlloc, Layout, System};

struct Counting;

std::thread_local! {
    static LIVE: Cell<i64> = const { Cell::new(0) };
}

fn add(n: i64) {
    let _ = LIVE.try_with(|live| live.set(live.get() + n));
}

fn live() -> i64 {
    LIVE.with(Cell::get)
}

// SAFETY: every call is forwarded to the system allocator unchanged; the
// count beside it allocates nothing.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        add(layout.size() as i64);
        // SAFETY: the caller's contract is passed on.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        add(-(layout.size() as i64));
        // SAFETY: the caller's contract is passed on.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        add(new_size as i64 - layout.size() as i64);
        // SAFETY: the caller's contract is passed on.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static COUNTING: Counting = Counting;

fn bound(s: &S) -> i64 {
    let u = s.usage();
    (u.meta_bytes + u.pages * PAGE_SIZE as u64) as i64
}

#[test]
fn fuzz_charged_metadata_bounds_the_heap() {
    capos_fuzz::check(128, collection::vec(op(), 1..80), |ops| {
        let mut held = Vec::with_capacity(ops.len());
        let before = live();
        let mut s = store();
        prop_assert!(live() - before <= bound(&s), "empty store");
        for op in &ops {
            let _ = apply(&mut s, op, &mut held);
            let used = live() - before;
            prop_assert!(
                used <= bound(&s),
                "{used} bytes held, {} charged after {op:?}",
                bound(&s)
            );
        }
        Ok(())
    });
}

#[test]
fn a_big_directory_stays_within_its_charge() {
    let names: Vec<alloc::string::String> =
        (0..3000).map(|i| alloc::format!("{i:0>200}")).collect();
    let before = live();
    let mut s = store();
    for (i, name) in names.iter().enumerate() {
        s.open(
            s.root(),
            name.as_bytes(),
            Open {
                create: true,
                ..Open::default()
            },
            0,
        )
        .unwrap();
        if i % 250 == 0 {
            assert!(live() - before <= bound(&s), "after {i} files");
        }
    }
    for name in names.iter().step_by(2) {
        s.unlink(s.root(), name.as_bytes(), 0).unwrap();
    }
    assert!(live() - before <= bound(&s));
    // How close the bound is, for the record.
    std::println!(
        "3000 names of 200 bytes, half unlinked: {} bytes held, {} charged",
        live() - before,
        bound(&s)
    );
}
