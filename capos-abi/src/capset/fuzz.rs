//! CapSet entries from arbitrary bytes (the page is the kernel's, but a
//! reader must not trust a length it did not check) and from arbitrary
//! names.

extern crate std;

use super::*;
use proptest::collection::vec;
use proptest::prelude::*;
use std::string::String;
use std::vec::Vec;

/// An entry read from 64 arbitrary bytes, as a program reads its page.
fn entry_from(bytes: &[u8; 64]) -> CapSetEntry {
    // SAFETY: CapSetEntry is repr(C), 64 bytes of integers and bytes
    // without padding, so every bit pattern is a valid value;
    // read_unaligned needs no alignment.
    unsafe { bytes.as_ptr().cast::<CapSetEntry>().read_unaligned() }
}

#[test]
fn name_of_any_entry_is_its_stated_prefix_or_empty() {
    let len = prop_oneof![0..=MAX_CAP_NAME as u32 + 2, any::<u32>()];
    capos_fuzz::check(1024, (any::<[u8; 64]>(), len), |(bytes, len)| {
        let mut entry = entry_from(&bytes);
        entry.name_len = len;
        let name = entry.name();
        if (len as usize) <= MAX_CAP_NAME {
            prop_assert_eq!(name, &entry.name[..len as usize]);
        } else {
            prop_assert!(name.is_empty());
        }
        Ok(())
    });
}

#[test]
fn new_accepts_exactly_the_names_that_fit_and_reads_them_back() {
    let name = prop_oneof!["[a-z]{0,50}", "\\PC{0,20}", any::<String>()];
    let strategy = (name, any::<u32>(), any::<u64>());
    capos_fuzz::check(1024, strategy, |(name, cap_id, interface_id)| {
        let fits = (1..=MAX_CAP_NAME).contains(&name.len());
        match CapSetEntry::new(&name, cap_id, interface_id) {
            Some(entry) => {
                prop_assert!(fits);
                prop_assert_eq!(entry.name(), name.as_bytes());
                prop_assert_eq!((entry.cap_id, entry.interface_id), (cap_id, interface_id));
                // The bytes past the name are zero, so the page leaks nothing.
                prop_assert!(entry.name[name.len()..].iter().all(|&b| b == 0));
            }
            None => prop_assert!(!fits),
        }
        Ok(())
    });
}

#[test]
fn find_returns_the_first_entry_of_that_name() {
    // A few short names, so that duplicates and misses both occur.
    let names = vec(
        prop_oneof![Just(""), Just("a"), Just("b"), Just("ab")],
        0..8,
    );
    let strategy = (vec(any::<[u8; 64]>(), 0..8), names, vec(0..60u32, 0..8));
    capos_fuzz::check(512, strategy, |(raw, names, lens)| {
        let entries: Vec<CapSetEntry> = raw
            .iter()
            .zip(lens.iter().cycle())
            .map(|(bytes, &len)| CapSetEntry {
                name_len: len,
                ..entry_from(bytes)
            })
            .collect();
        for wanted in names
            .iter()
            .map(|n| n.as_bytes())
            .chain(entries.iter().map(|e| e.name()))
        {
            let expected = entries.iter().position(|e| e.name() == wanted);
            let got = find(&entries, wanted).map(|e| {
                let at = entries.iter().position(|x| core::ptr::eq(x, e));
                at.expect("find returns an element of the slice")
            });
            prop_assert_eq!(got, expected);
        }
        Ok(())
    });
}
