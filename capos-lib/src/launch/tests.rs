mod decode;
mod encode;
mod fuzz;
mod mutation;
mod round_trip;

use super::*;
use std::vec::Vec;

/// Encodes string literals; for tests whose input is valid.
fn encoded(argv: &[&str], env: &[&str]) -> Vec<u8> {
    let argv: Vec<&[u8]> = argv.iter().map(|s| s.as_bytes()).collect();
    let env: Vec<&[u8]> = env.iter().map(|s| s.as_bytes()).collect();
    encode(&argv, &env).unwrap()
}

/// Overwrites the little-endian `u32` at `at`.
fn put_u32(region: &mut [u8], at: usize, value: u32) {
    region[at..at + 4].copy_from_slice(&value.to_le_bytes());
}
