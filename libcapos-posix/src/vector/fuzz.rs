//! The initial vector from random launch parameters: argv and env go
//! through the launch encoding and back, as at start-up, and the vector
//! must hand C exactly those strings, NULL-terminated lists and the
//! auxiliary vector, in Linux's order. Strings given with a NUL read as C
//! reads them, cut at the NUL.

use super::*;
use capos_lib::launch;
use core::ffi::CStr;
use proptest::collection;
use proptest::prelude::*;
use std::vec::Vec;

/// Program headers as a capos-cc binary has them.
const PROGRAM: ProgramHeaders = ProgramHeaders {
    addr: 0x400040,
    entry_size: PHDR_SIZE,
    count: 5,
};

/// The C string at `word`.
///
/// # Safety
/// `word` points into a live Vector's NUL-terminated strings.
unsafe fn text(word: usize) -> Vec<u8> {
    // SAFETY: per the contract.
    unsafe { CStr::from_ptr(word as *const core::ffi::c_char) }
        .to_bytes()
        .to_vec()
}

/// The words from argv on: argv, NULL, envp, NULL, auxv pairs, AT_NULL 0.
fn words(vector: &mut Vector, strings: usize) -> Vec<usize> {
    let argv = vector.argv().cast::<usize>();
    let count = strings + 2 + 2 * (auxv(PROGRAM).len() + 1);
    // SAFETY: the vector holds exactly `count` words after argc.
    (0..count).map(|i| unsafe { argv.add(i).read() }).collect()
}

/// argv and env as C sees them.
type Lists = (Vec<Vec<u8>>, Vec<Vec<u8>>);

/// Reads the vector back as C would, checking its shape.
fn read_back(vector: &mut Vector, argc: usize, envc: usize) -> Result<Lists, TestCaseError> {
    prop_assert_eq!(vector.argc(), argc);
    let words = words(vector, argc + envc);
    prop_assert_eq!(words[argc], 0, "argv ends with NULL");
    prop_assert_eq!(words[argc + 1 + envc], 0, "envp ends with NULL");
    let auxv: Vec<(usize, usize)> = words[argc + envc + 2..]
        .chunks(2)
        .map(|p| (p[0], p[1]))
        .collect();
    let mut expected_auxv = super::auxv(PROGRAM).to_vec();
    expected_auxv.push((AT_NULL, 0));
    prop_assert_eq!(auxv, expected_auxv);
    // SAFETY: every non-NULL word before the auxiliary vector points into
    // the vector's strings, which live as long as `vector`.
    let argv = words[..argc].iter().map(|&w| unsafe { text(w) }).collect();
    // SAFETY: as above.
    let env = words[argc + 1..argc + 1 + envc]
        .iter()
        .map(|&w| unsafe { text(w) })
        .collect();
    Ok((argv, env))
}

fn no_nul() -> impl Strategy<Value = Vec<u8>> {
    collection::vec(1..=255u8, 0..16)
}

#[test]
fn launch_parameters_reach_c_exactly() {
    let entry = (collection::vec(1..=255u8, 1..6), no_nul()).prop_map(|(key, value)| {
        let key: Vec<u8> = key
            .into_iter()
            .map(|b| if b == b'=' { b'k' } else { b })
            .collect();
        [&key[..], b"=", &value[..]].concat()
    });
    let strategy = (
        collection::vec(no_nul(), 0..12),
        collection::vec(entry, 0..12),
    );
    capos_fuzz::check(256, strategy, |(argv, env)| {
        let argv_in: Vec<&[u8]> = argv.iter().map(Vec::as_slice).collect();
        let env_in: Vec<&[u8]> = env.iter().map(Vec::as_slice).collect();
        let region = launch::encode(&argv_in, &env_in).unwrap();
        let decoded = launch::decode(&region).unwrap();
        let args: Vec<&[u8]> = decoded.argv().iter().collect();
        let vars: Vec<&[u8]> = decoded.env().iter().collect();
        let mut vector = Vector::new(&args, &vars, PROGRAM);
        // The region may go: C's strings are the vector's own copies.
        drop(region);
        let (got_argv, got_env) = read_back(&mut vector, argv.len(), env.len())?;
        prop_assert_eq!(got_argv, argv);
        prop_assert_eq!(got_env, env);
        Ok(())
    });
}

#[test]
fn strings_with_a_nul_are_cut_there() {
    let string = collection::vec(prop_oneof![4 => any::<u8>(), 1 => Just(0u8)], 0..12);
    let strategy = (
        collection::vec(string.clone(), 0..8),
        collection::vec(string, 0..8),
    );
    capos_fuzz::check(256, strategy, |(argv, env)| {
        let argv_in: Vec<&[u8]> = argv.iter().map(Vec::as_slice).collect();
        let env_in: Vec<&[u8]> = env.iter().map(Vec::as_slice).collect();
        let mut vector = Vector::new(&argv_in, &env_in, PROGRAM);
        let cut = |list: &[Vec<u8>]| -> Vec<Vec<u8>> {
            list.iter()
                .map(|s| s.iter().copied().take_while(|&b| b != 0).collect())
                .collect()
        };
        let (got_argv, got_env) = read_back(&mut vector, argv.len(), env.len())?;
        prop_assert_eq!(got_argv, cut(&argv));
        prop_assert_eq!(got_env, cut(&env));
        Ok(())
    });
}
