//! The size helpers on every input: exact where the size exists, and
//! never an overflow (a panic in debug builds, a wrapped, too small size in
//! release builds) where it does not.

use super::*;
use core::mem::size_of;
use proptest::prelude::*;

/// Lengths near both ends of `usize`, where rounding and sums overflow.
fn length() -> impl Strategy<Value = usize> {
    prop_oneof![
        0..=4096usize,
        (0..=64usize).prop_map(|below| usize::MAX - below),
        any::<usize>(),
    ]
}

/// The exact size, or `usize::MAX` where it does not fit: what the helpers
/// promise, computed in u128.
fn saturated(exact: u128) -> usize {
    usize::try_from(exact).unwrap_or(usize::MAX)
}

fn padded(len: usize) -> u128 {
    (len as u128).next_multiple_of(8)
}

#[test]
fn pad8_rounds_up_or_saturates() {
    capos_fuzz::check(1024, length(), |len| {
        let got = pad8(len);
        prop_assert_eq!(got, saturated(padded(len)));
        prop_assert!(got >= len);
        Ok(())
    });
}

#[test]
fn recv_size_is_exact_or_saturates() {
    capos_fuzz::check(1024, (length(), length()), |(params, caps)| {
        let exact = size_of::<RecvHeader>() as u128
            + padded(params)
            + caps as u128 * size_of::<CapRecord>() as u128;
        prop_assert_eq!(recv_size(params, caps), saturated(exact));
        Ok(())
    });
}

#[test]
fn reply_size_is_exact_or_saturates() {
    capos_fuzz::check(1024, (length(), length()), |(message, caps)| {
        let exact = padded(message) + caps as u128 * size_of::<CapRecord>() as u128;
        prop_assert_eq!(reply_size(message, caps), saturated(exact));
        Ok(())
    });
}
