use super::*;

/// A valid region with two arguments and one env entry, after `change`.
fn decode_with(change: impl FnOnce(&mut Vec<u8>)) -> Result<(), LaunchError> {
    let mut region = encoded(&["prog", "arg"], &["K=v"]);
    change(&mut region);
    decode(&region).map(|_| ())
}

fn rejects(expected: LaunchError, change: impl FnOnce(&mut Vec<u8>)) {
    assert_eq!(decode_with(change), Err(expected));
}

// Header field offsets, from the layout table.
const TOTAL: usize = 8;
const ARGC: usize = 12;
const ENVC: usize = 16;
const ARGV_TABLE: usize = 20;
const ENV_TABLE: usize = 24;
const RESERVED: usize = 28;
/// Where the first argv offset sits in the region `decode_with` builds.
const FIRST_ARG: usize = HEADER_SIZE;
/// Where the env offset sits in that region.
const FIRST_ENV: usize = HEADER_SIZE + 8;

#[test]
fn unchanged_region_decodes() {
    assert_eq!(decode_with(|_| {}), Ok(()));
}

#[test]
fn truncated_regions_are_refused() {
    assert_eq!(decode(&[]).map(|_| ()), Err(LaunchError::Truncated));
    rejects(LaunchError::Truncated, |r| r.truncate(HEADER_SIZE - 1));
    rejects(LaunchError::Truncated, |r| {
        r.pop();
    });
}

#[test]
fn header_identity_is_checked() {
    rejects(LaunchError::BadMagic, |r| r[0] = b'X');
    rejects(LaunchError::BadVersion, |r| put_u32(r, 4, 2));
    rejects(LaunchError::ReservedNotZero, |r| put_u32(r, RESERVED, 1));
}

#[test]
fn total_length_is_bounded() {
    rejects(LaunchError::BadTotalLength, |r| put_u32(r, TOTAL, 31));
    rejects(LaunchError::BadTotalLength, |r| {
        put_u32(r, TOTAL, MAX_SIZE as u32 + 1)
    });
    rejects(LaunchError::BadTotalLength, |r| put_u32(r, TOTAL, u32::MAX));
}

#[test]
fn huge_counts_are_refused() {
    let argv = LaunchError::TooMany { list: List::Argv };
    rejects(argv, |r| put_u32(r, ARGC, u32::MAX));
    rejects(argv, |r| put_u32(r, ARGC, MAX_ARGS as u32 + 1));
    let env = LaunchError::TooMany { list: List::Env };
    rejects(env, |r| put_u32(r, ENVC, u32::MAX));
}

#[test]
fn tables_must_be_aligned_and_inside() {
    let argv = LaunchError::BadTable { list: List::Argv };
    rejects(argv, |r| put_u32(r, ARGV_TABLE, 0));
    rejects(argv, |r| put_u32(r, ARGV_TABLE, 34));
    rejects(argv, |r| put_u32(r, ARGV_TABLE, u32::MAX - 3));
    // A count the region cannot hold runs the table past the end.
    rejects(argv, |r| put_u32(r, ARGC, 100));
    let env = LaunchError::BadTable { list: List::Env };
    rejects(env, |r| {
        let end = r.len() as u32;
        put_u32(r, ENV_TABLE, end);
    });
}

#[test]
fn string_offsets_must_be_inside() {
    let arg1 = LaunchError::StringOutOfRange {
        list: List::Argv,
        index: 1,
    };
    rejects(arg1, |r| put_u32(r, FIRST_ARG + 4, 0));
    rejects(arg1, |r| put_u32(r, FIRST_ARG + 4, HEADER_SIZE as u32 - 1));
    rejects(arg1, |r| {
        let end = r.len() as u32;
        put_u32(r, FIRST_ARG + 4, end);
    });
    rejects(arg1, |r| put_u32(r, FIRST_ARG + 4, u32::MAX));
    let env0 = LaunchError::StringOutOfRange {
        list: List::Env,
        index: 0,
    };
    rejects(env0, |r| put_u32(r, FIRST_ENV, 1 << 20));
}

#[test]
fn strings_must_be_terminated() {
    let env0 = LaunchError::Unterminated {
        list: List::Env,
        index: 0,
    };
    // The env entry is the last string: its NUL is the region's last byte.
    rejects(env0, |r| *r.last_mut().unwrap() = b'x');
    rejects(env0, |r| {
        let shorter = r.len() as u32 - 1;
        put_u32(r, TOTAL, shorter);
    });
}

#[test]
fn env_rule_is_rechecked() {
    let at = |r: &Vec<u8>| r.len() - 3;
    rejects(LaunchError::EnvMissingEquals { index: 0 }, |r| {
        let eq = at(r);
        r[eq] = b'+';
    });
    rejects(LaunchError::EnvEmptyKey { index: 0 }, |r| {
        let key = at(r) - 1;
        r[key] = b'=';
    });
}

#[test]
fn shared_and_reordered_strings_are_accepted() {
    let mut region = encoded(&["prog", "arg"], &["K=v"]);
    let first = u32::from_le_bytes(region[FIRST_ARG..FIRST_ARG + 4].try_into().unwrap());
    put_u32(&mut region, FIRST_ARG + 4, first);
    let launch = decode(&region).unwrap();
    assert_eq!(launch.argv().get(1), Some(&b"prog"[..]));
}
