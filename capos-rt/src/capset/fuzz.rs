//! `CapSet::from_ptr` on CapSet pages of random content: it accepts a page
//! exactly when the magic, version and count are right, sees exactly
//! `count` entries, and finds names and checks interfaces as a plain
//! search over those entries would.

use super::*;
use capos_abi::capset::MAX_CAP_NAME;
use core::mem::size_of;
use proptest::collection;
use proptest::prelude::*;
use std::boxed::Box;
use std::vec::Vec;

#[repr(C, align(8))]
struct Page([u8; 4096]);

const NAMES: &[&str] = &["console", "timer", "log", "x"];

/// An entry's bytes: one of a few names (so that lookups hit and repeat),
/// sometimes with a length past the name field.
fn entry() -> impl Strategy<Value = [u8; 64]> {
    let len = prop_oneof![8 => Just(None), 1 => any::<u32>().prop_map(Some)];
    (prop::sample::select(NAMES), any::<u32>(), 0..3u64, len).prop_map(
        |(name, cap_id, interface_id, len)| {
            let mut bytes = [0u8; 64];
            let len = len.unwrap_or(name.len() as u32);
            bytes[..4].copy_from_slice(&cap_id.to_le_bytes());
            bytes[4..8].copy_from_slice(&len.to_le_bytes());
            bytes[8..16].copy_from_slice(&interface_id.to_le_bytes());
            bytes[16..16 + name.len()].copy_from_slice(name.as_bytes());
            bytes
        },
    )
}

fn page() -> impl Strategy<Value = (u32, u32, u32, u64, Vec<[u8; 64]>)> {
    let word = |good: u32| prop_oneof![6 => Just(good), 1 => any::<u32>()];
    let count = prop_oneof![
        6 => 0..=MAX_CAPSET_ENTRIES as u32,
        1 => Just(MAX_CAPSET_ENTRIES as u32 + 1),
        1 => any::<u32>(),
    ];
    let entries = collection::vec(entry(), MAX_CAPSET_ENTRIES);
    (
        word(CAPSET_MAGIC),
        word(CAPSET_VERSION),
        count,
        any::<u64>(),
        entries,
    )
}

#[test]
fn any_page_is_refused_or_read_exactly() {
    capos_fuzz::check(512, page(), |(magic, version, count, pid, entries)| {
        let mut page = Box::new(Page([0; 4096]));
        let header = size_of::<CapSetHeader>();
        page.0[..4].copy_from_slice(&magic.to_le_bytes());
        page.0[4..8].copy_from_slice(&version.to_le_bytes());
        page.0[8..12].copy_from_slice(&count.to_le_bytes());
        page.0[16..24].copy_from_slice(&pid.to_le_bytes());
        for (i, entry) in entries.iter().enumerate() {
            page.0[header + 64 * i..header + 64 * (i + 1)].copy_from_slice(entry);
        }
        // SAFETY: the page is 4 KiB, 8-aligned, and not written while
        // `got` is alive.
        let got = unsafe { CapSet::from_ptr(page.0.as_ptr().cast()) };
        let expected = if magic != CAPSET_MAGIC {
            Err(CapSetError::BadMagic(magic))
        } else if version != CAPSET_VERSION {
            Err(CapSetError::BadVersion(version))
        } else if count as usize > MAX_CAPSET_ENTRIES {
            Err(CapSetError::TooManyEntries(count))
        } else {
            Ok(count as usize)
        };
        let set = match (got, expected) {
            (Ok(set), Ok(count)) => {
                prop_assert_eq!(set.entries().len(), count);
                set
            }
            (got, expected) => {
                prop_assert_eq!(got.map(|s| s.entries().len()), expected);
                return Ok(());
            }
        };
        prop_assert_eq!(set.pid(), pid);
        let names = |e: &[u8; 64]| {
            let len = u32::from_le_bytes(e[4..8].try_into().unwrap()) as usize;
            if len <= MAX_CAP_NAME {
                e[16..16 + len].to_vec()
            } else {
                Vec::new()
            }
        };
        let listed = &entries[..set.entries().len()];
        for name in NAMES.iter().chain(&["", "absent"]) {
            let first = listed.iter().position(|e| names(e) == name.as_bytes());
            let found = set.find(name).map(|(i, e)| (i, e.cap_id));
            let expected = first.map(|i| (i, set.entries()[i].cap_id));
            prop_assert_eq!(found.ok(), expected);
            for interface_id in 0..3 {
                let got = set.lookup(name, interface_id);
                match first {
                    None => prop_assert_eq!(got.map(|(i, _)| i), Err(LookupError::NotFound)),
                    Some(i) if set.entries()[i].interface_id == interface_id => {
                        prop_assert_eq!(got.map(|(i, _)| i), Ok(i));
                    }
                    Some(i) => prop_assert_eq!(
                        got.map(|(i, _)| i),
                        Err(LookupError::WrongInterface {
                            expected: interface_id,
                            actual: set.entries()[i].interface_id
                        })
                    ),
                }
            }
        }
        Ok(())
    });
}
