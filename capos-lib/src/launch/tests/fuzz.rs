//! Properties of the launch encoding on random lists and on random,
//! mutated and truncated regions: exact round trips, the encoder's rules
//! against a model, and a decoder that answers every region with `Ok` or
//! `Err` and, with `Ok`, only ever hands out bytes inside the region.

use super::*;
use proptest::collection;
use proptest::prelude::*;
use std::vec;
use std::vec::Vec;

type Bytes = Vec<u8>;

/// An argument: any bytes but NUL, sometimes none.
fn arg() -> impl Strategy<Value = Bytes> {
    prop_oneof![
        collection::vec(1..=255u8, 0..12),
        "[ -~]{0,12}".prop_map(Bytes::from)
    ]
}

/// A valid `KEY=VALUE` entry; the value may hold more `=`.
fn env_entry() -> impl Strategy<Value = Bytes> {
    // Any byte but NUL and '=' (mapped, not filtered, so no case is
    // thrown away however many run).
    let key_byte = (1..=255u8).prop_map(|b| if b == b'=' { b'k' } else { b });
    let key = collection::vec(key_byte, 1..8);
    (key, collection::vec(1..=255u8, 0..10)).prop_map(|(mut key, value)| {
        key.push(b'=');
        key.extend(value);
        key
    })
}

fn slices(list: &[Bytes]) -> Vec<&[u8]> {
    list.iter().map(Bytes::as_slice).collect()
}

/// Reads every part of a decoded region and checks it lies inside it.
/// `region` is what was decoded, `launch` the view it gave.
fn check_view(region: &[u8], launch: &Launch<'_>) -> Result<(), TestCaseError> {
    let bytes = launch.bytes();
    prop_assert!(region.starts_with(bytes));
    let stated = u32::from_le_bytes(region[8..12].try_into().unwrap()) as usize;
    prop_assert_eq!(bytes.len(), stated);
    prop_assert!((HEADER_SIZE..=MAX_SIZE).contains(&bytes.len()));
    for strings in [launch.argv(), launch.env()] {
        prop_assert!(strings.len() <= MAX_ARGS.max(MAX_ENV));
        for index in 0..strings.len() {
            let at = strings.offset(index).unwrap() as usize;
            let s = strings.get(index).unwrap();
            // The string and its NUL lie past the header, inside the region.
            prop_assert!(at >= HEADER_SIZE && at + s.len() < bytes.len());
            prop_assert_eq!(&bytes[at..at + s.len()], s);
            prop_assert_eq!(bytes[at + s.len()], 0);
            prop_assert_eq!(strings.c_str(index).unwrap().to_bytes(), s);
        }
        prop_assert_eq!(strings.offset(strings.len()), None);
        prop_assert_eq!(strings.get(strings.len()), None);
        prop_assert_eq!(strings.iter().count(), strings.len());
        prop_assert_eq!(strings.is_empty(), strings.iter().next().is_none());
    }
    for entry in launch.env().iter() {
        let eq = entry.iter().position(|&b| b == b'=');
        prop_assert!(eq.is_some_and(|eq| eq > 0), "env entry without a key");
        let key = &entry[..eq.unwrap_or(0)];
        // `var` gives the value of the first entry with this key.
        let first = launch
            .env()
            .iter()
            .find(|e| e.starts_with(key) && e.get(key.len()) == Some(&b'='));
        prop_assert_eq!(launch.var(key), first.map(|e| &e[key.len() + 1..]));
    }
    Ok(())
}

#[test]
fn random_lists_round_trip_exactly() {
    let strategy = (
        collection::vec(arg(), 0..10),
        collection::vec(env_entry(), 0..10),
        collection::vec(any::<u8>(), 0..8),
    );
    capos_fuzz::check(512, strategy, |(argv, env, junk)| {
        let region = encode(&slices(&argv), &slices(&env)).unwrap();
        // The kernel maps whole pages: bytes past the total are ignored.
        let mut mapped = region.clone();
        mapped.extend(junk);
        let launch = decode(&mapped).unwrap();
        prop_assert_eq!(launch.bytes(), &region[..]);
        prop_assert_eq!(launch.argv().iter().collect::<Vec<_>>(), slices(&argv));
        prop_assert_eq!(launch.env().iter().collect::<Vec<_>>(), slices(&env));
        check_view(&mapped, &launch)
    });
}

/// What `encode` must answer, rule by rule in its documented order: the
/// encoded length, or the first rule broken.
fn encode_model(argv: &[Bytes], env: &[Bytes]) -> Result<usize, LaunchError> {
    for (strings, list, max) in [(argv, List::Argv, MAX_ARGS), (env, List::Env, MAX_ENV)] {
        if strings.len() > max {
            return Err(LaunchError::TooMany { list });
        }
        if let Some(index) = strings.iter().position(|s| s.contains(&0)) {
            return Err(LaunchError::InteriorNul { list, index });
        }
    }
    for (index, entry) in env.iter().enumerate() {
        match entry.iter().position(|&b| b == b'=') {
            None => return Err(LaunchError::EnvMissingEquals { index }),
            Some(0) => return Err(LaunchError::EnvEmptyKey { index }),
            Some(_) => {}
        }
    }
    let strings: usize = argv.iter().chain(env).map(|s| s.len() + 1).sum();
    let total = HEADER_SIZE + 4 * (argv.len() + env.len()) + strings;
    if total > MAX_SIZE {
        return Err(LaunchError::TooLarge);
    }
    Ok(total)
}

/// Lists that break each rule now and then: NULs, entries without a key
/// or an `=`, too many strings, too many bytes.
fn any_lists() -> impl Strategy<Value = (Vec<Bytes>, Vec<Bytes>)> {
    let string = prop_oneof![
        8 => collection::vec(any::<u8>(), 0..8),
        4 => env_entry(),
        1 => (60_000..70_000usize).prop_map(|n| vec![b'x'; n]),
    ];
    let list = prop_oneof![
        8 => collection::vec(string, 0..6),
        1 => (MAX_ARGS - 1..=MAX_ARGS + 1).prop_map(|n| vec![b"K=v".to_vec(); n]),
    ];
    (list.clone(), list)
}

#[test]
fn encode_follows_its_rules() {
    capos_fuzz::check(512, any_lists(), |(argv, env)| {
        let got = encode(&slices(&argv), &slices(&env));
        let len = got.as_ref().map(Vec::len).map_err(|e| *e);
        prop_assert_eq!(len, encode_model(&argv, &env));
        if let Ok(region) = got {
            let launch = decode(&region).unwrap();
            prop_assert_eq!(launch.argv().iter().collect::<Vec<_>>(), slices(&argv));
            prop_assert_eq!(launch.env().iter().collect::<Vec<_>>(), slices(&env));
        }
        Ok(())
    });
}

/// A region with a sound header and tables whose offsets point anywhere
/// past the header, over random bytes rich in NULs and `=`: it reaches
/// the string checks, and sometimes passes them.
fn plausible_region() -> impl Strategy<Value = Bytes> {
    let byte = prop_oneof![3 => any::<u8>(), 2 => Just(0u8), 2 => Just(b'=')];
    let strategy = (
        0..5usize,
        0..5usize,
        collection::vec(byte, 1..64),
        collection::vec(any::<prop::sample::Index>(), 10),
    );
    strategy.prop_map(|(argc, envc, body, picks)| {
        let tables_end = HEADER_SIZE + 4 * (argc + envc);
        let total = tables_end + body.len();
        let header = [
            MAGIC,
            VERSION,
            total as u32,
            argc as u32,
            envc as u32,
            HEADER_SIZE as u32,
            (HEADER_SIZE + 4 * argc) as u32,
            0,
        ];
        let mut region: Bytes = header.iter().flat_map(|w| w.to_le_bytes()).collect();
        for pick in &picks[..argc + envc] {
            let offset = HEADER_SIZE + pick.index(total - HEADER_SIZE);
            region.extend_from_slice(&(offset as u32).to_le_bytes());
        }
        region.extend(body);
        region
    })
}

#[test]
fn any_region_decodes_to_a_safe_view_or_an_error() {
    let strategy = prop_oneof![collection::vec(any::<u8>(), 0..128), plausible_region()];
    capos_fuzz::check(1024, strategy, |region| {
        match decode(&region) {
            Ok(launch) => check_view(&region, &launch)?,
            Err(_) if region.len() < HEADER_SIZE => {
                prop_assert_eq!(decode(&region).unwrap_err(), LaunchError::Truncated);
            }
            Err(_) => {}
        }
        Ok(())
    });
}

/// One corruption of a valid region.
#[derive(Debug, Clone)]
enum Mutation {
    /// Sets the byte at (index modulo the length).
    Byte(usize, u8),
    /// Sets the little-endian word at (index modulo the word count).
    Word(usize, u32),
    /// Cuts the region to (index modulo its length).
    Truncate(usize),
    Append(Bytes),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let extreme = prop_oneof![
        Just(0u32),
        Just(1),
        Just(3),
        Just(HEADER_SIZE as u32),
        Just(MAX_SIZE as u32),
        Just(MAX_SIZE as u32 + 1),
        Just(0x7fff_ffff),
        Just(u32::MAX - 3),
        Just(u32::MAX),
        any::<u32>(),
    ];
    prop_oneof![
        4 => (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Byte(i, b)),
        4 => (0..24usize, extreme).prop_map(|(i, w)| Mutation::Word(i, w)),
        1 => any::<usize>().prop_map(Mutation::Truncate),
        1 => collection::vec(any::<u8>(), 1..16).prop_map(Mutation::Append),
    ]
}

fn apply(region: &mut Bytes, mutation: &Mutation) {
    match mutation {
        Mutation::Byte(index, value) => {
            let len = region.len();
            region[index % len] = *value;
        }
        Mutation::Word(index, value) => {
            let at = 4 * (index % (region.len() / 4));
            put_u32(region, at, *value);
        }
        Mutation::Truncate(index) => region.truncate(index % region.len()),
        Mutation::Append(bytes) => region.extend(bytes),
    }
}

#[test]
fn mutated_regions_decode_to_a_safe_view_or_an_error() {
    let strategy = (
        collection::vec(arg(), 0..6),
        collection::vec(env_entry(), 0..6),
        collection::vec(mutation(), 1..5),
    );
    capos_fuzz::check(1024, strategy, |(argv, env, mutations)| {
        let mut region = encode(&slices(&argv), &slices(&env)).unwrap();
        for m in &mutations {
            if region.len() < 4 {
                break;
            }
            apply(&mut region, m);
        }
        if let Ok(launch) = decode(&region) {
            check_view(&region, &launch)?;
        }
        Ok(())
    });
}

#[test]
fn every_truncation_is_refused_as_truncated() {
    let strategy = (
        collection::vec(arg(), 0..6),
        collection::vec(env_entry(), 0..6),
        any::<prop::sample::Index>(),
    );
    capos_fuzz::check(512, strategy, |(argv, env, cut)| {
        let region = encode(&slices(&argv), &slices(&env)).unwrap();
        let cut = cut.index(region.len());
        prop_assert_eq!(decode(&region[..cut]).unwrap_err(), LaunchError::Truncated);
        Ok(())
    });
}

/// Lays out `argv` and `env` unlike `encode`: padding after the header, the
/// strings first (last one first), then the env table, then the argv
/// table, then more padding. Returns the region, starting `shift` bytes
/// into the buffer so that it is not aligned.
fn other_layout(argv: &[Bytes], env: &[Bytes], pad: usize, shift: usize) -> (Bytes, usize) {
    let mut out = vec![0xa5; shift + HEADER_SIZE + pad];
    let strings: Vec<&Bytes> = argv.iter().chain(env).collect();
    let mut offsets = vec![0u32; strings.len()];
    for (i, s) in strings.iter().enumerate().rev() {
        offsets[i] = (out.len() - shift) as u32;
        out.extend_from_slice(s);
        out.push(0);
    }
    while !(out.len() - shift).is_multiple_of(4) {
        out.push(0xa5);
    }
    let env_table = (out.len() - shift) as u32;
    for offset in &offsets[argv.len()..] {
        out.extend_from_slice(&offset.to_le_bytes());
    }
    let argv_table = (out.len() - shift) as u32;
    for offset in &offsets[..argv.len()] {
        out.extend_from_slice(&offset.to_le_bytes());
    }
    out.extend_from_slice(&vec![0xa5; pad]);
    let total = (out.len() - shift) as u32;
    let header = [
        MAGIC,
        VERSION,
        total,
        argv.len() as u32,
        env.len() as u32,
        argv_table,
        env_table,
        0,
    ];
    for (i, word) in header.iter().enumerate() {
        put_u32(&mut out, shift + 4 * i, *word);
    }
    (out, shift)
}

#[test]
fn decode_accepts_any_valid_placement() {
    let strategy = (
        collection::vec(arg(), 0..8),
        collection::vec(env_entry(), 0..8),
        0..40usize,
        0..4usize,
    );
    capos_fuzz::check(512, strategy, |(argv, env, pad, shift)| {
        let (buffer, shift) = other_layout(&argv, &env, pad, shift);
        let region = &buffer[shift..];
        let launch = decode(region).unwrap();
        prop_assert_eq!(launch.argv().iter().collect::<Vec<_>>(), slices(&argv));
        prop_assert_eq!(launch.env().iter().collect::<Vec<_>>(), slices(&env));
        check_view(region, &launch)
    });
}
