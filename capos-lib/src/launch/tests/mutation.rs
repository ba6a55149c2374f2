//! Every small corruption of a valid region must decode to `Ok` or `Err`,
//! and a region that decodes must be fully readable, never a panic.

use super::*;

fn read_everything(region: &[u8]) {
    let Ok(launch) = decode(region) else {
        return;
    };
    for strings in [launch.argv(), launch.env()] {
        for index in 0..=strings.len() {
            let _ = (strings.offset(index), strings.c_str(index));
        }
        assert_eq!(strings.iter().count(), strings.len());
    }
    let _ = launch.var(b"K");
}

#[test]
fn every_byte_mutation_decodes_or_errs() {
    let original = encoded(&["ab", "", "c"], &["K=v", "LONGER=value"]);
    for at in 0..original.len() {
        let bits = (0..8).map(|bit| original[at] ^ (1 << bit));
        for value in bits.chain([0x00, 0xff, 0x20, 0x3d]) {
            let mut region = original.clone();
            region[at] = value;
            read_everything(&region);
        }
    }
}

#[test]
fn every_truncation_decodes_or_errs() {
    let original = encoded(&["ab", "c"], &["K=v"]);
    for len in 0..original.len() {
        assert!(decode(&original[..len]).is_err());
    }
}

#[test]
fn every_header_word_extreme_decodes_or_errs() {
    let original = encoded(&["ab", "c"], &["K=v"]);
    for at in (0..HEADER_SIZE + 12).step_by(4) {
        for value in [0, 1, 3, 4, 31, 32, 33, 0x7fff_ffff, 0xffff_fffc, u32::MAX] {
            let mut region = original.clone();
            put_u32(&mut region, at, value);
            read_everything(&region);
        }
    }
}
