//! `at` on regions mapped exactly as far as its contract promises (the
//! header, or the stated length when that is possible): it must give what
//! `decode` gives for those bytes, reading nothing past them.

use super::*;
use capos_lib::launch::{MAGIC, VERSION, encode};
use proptest::collection;
use proptest::prelude::*;
use std::vec::Vec;

/// How many bytes the contract says are mapped for `blob`.
fn mapped_len(blob: &[u8]) -> usize {
    let total = blob
        .get(TOTAL_LEN_OFFSET..TOTAL_LEN_OFFSET + 4)
        .map_or(0, |raw| {
            u32::from_le_bytes(raw.try_into().unwrap()) as usize
        });
    if (HEADER_SIZE..=MAX_SIZE).contains(&total) {
        total
    } else {
        HEADER_SIZE
    }
}

/// Valid encodings with a new stated length, and random bytes behind a
/// good magic and version.
fn blob() -> impl Strategy<Value = Vec<u8>> {
    let string = collection::vec(1..=255u8, 0..8);
    let entry = collection::vec(1..=255u8, 0..8).prop_map(|mut v| {
        v.insert(0, b'K');
        v.insert(1, b'=');
        v
    });
    let total = prop_oneof![
        Just(None),
        Just(Some(0u32)),
        Just(Some(HEADER_SIZE as u32 - 1)),
        Just(Some(MAX_SIZE as u32)),
        Just(Some(MAX_SIZE as u32 + 1)),
        Just(Some(u32::MAX)),
        (0..512u32).prop_map(Some),
    ];
    let valid = (
        collection::vec(string, 0..4),
        collection::vec(entry, 0..4),
        total,
    )
        .prop_map(|(argv, env, total)| {
            let argv: Vec<&[u8]> = argv.iter().map(Vec::as_slice).collect();
            let env: Vec<&[u8]> = env.iter().map(Vec::as_slice).collect();
            let mut region = encode(&argv, &env).unwrap();
            if let Some(total) = total {
                region[TOTAL_LEN_OFFSET..TOTAL_LEN_OFFSET + 4]
                    .copy_from_slice(&total.to_le_bytes());
            }
            region
        });
    let header: Vec<u8> = [MAGIC, VERSION]
        .iter()
        .flat_map(|w| w.to_le_bytes())
        .collect();
    let random =
        collection::vec(any::<u8>(), 0..300).prop_map(move |tail| [&header[..], &tail].concat());
    prop_oneof![valid, random]
}

#[test]
fn at_reads_only_the_promised_bytes_and_agrees_with_decode() {
    capos_fuzz::check(512, blob(), |blob| {
        // Exactly what the kernel would map (the header at least, zero
        // filled): no byte more.
        let mut mapped = blob.clone();
        mapped.resize(mapped.len().max(HEADER_SIZE), 0);
        mapped.resize(mapped_len(&mapped), 0);
        let expected = launch::decode(&mapped);
        // SAFETY: `mapped` holds the header and, when the stated length
        // is possible, that many bytes; it outlives `got`, which is
        // dropped at the end of this case.
        let got = unsafe { at(mapped.as_ptr()) };
        match (got, expected) {
            (Ok(got), Ok(expected)) => {
                prop_assert_eq!(got.bytes().as_ptr(), mapped.as_ptr());
                prop_assert_eq!(got.bytes(), expected.bytes());
                prop_assert!(got.argv().iter().eq(expected.argv().iter()));
                prop_assert!(got.env().iter().eq(expected.env().iter()));
            }
            (Err(got), Err(expected)) => prop_assert_eq!(got, expected),
            (got, expected) => prop_assert!(
                false,
                "at: {:?}, decode: {:?}",
                got.map(|l| l.bytes().len()),
                expected.map(|l| l.bytes().len())
            ),
        }
        Ok(())
    });
}
