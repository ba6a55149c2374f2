//! `main`'s argv from random launch parameters, laid out by `encode` or
//! any other valid way: C must see exactly the arguments, then NULL, in a
//! copy it may write to.

use super::*;
use capos_lib::launch;
use core::ffi::CStr;
use proptest::collection;
use proptest::prelude::*;
use std::vec::Vec;

#[test]
fn main_sees_exactly_the_arguments() {
    let arg = collection::vec(1..=255u8, 0..16);
    let strategy = (
        collection::vec(arg, 0..16),
        collection::vec(any::<u8>(), 0..8),
    );
    capos_fuzz::check(256, strategy, |(argv, junk)| {
        let list: Vec<&[u8]> = argv.iter().map(Vec::as_slice).collect();
        let mut region = launch::encode(&list, &[b"K=v"]).unwrap();
        // The mapping may run on past the parameters.
        region.extend(junk);
        let mut args = Argv::new(&launch::decode(&region).unwrap());
        drop(region);
        prop_assert_eq!(args.argc() as usize, argv.len());
        let pointers = args.argv();
        for (i, expected) in argv.iter().enumerate() {
            // SAFETY: argc pointers, each to a NUL-terminated string in
            // the copy `args` owns, then NULL.
            let got = unsafe { CStr::from_ptr(*pointers.add(i)) };
            prop_assert_eq!(got.to_bytes(), &expected[..]);
        }
        // SAFETY: as above; index argc is the NULL terminator.
        let last = unsafe { *pointers.add(argv.len()) };
        prop_assert!(last.is_null());
        Ok(())
    });
}
