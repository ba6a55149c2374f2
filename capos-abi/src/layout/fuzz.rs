//! `is_user_range` on every address and length, overflow included.

use super::*;
use proptest::prelude::*;

fn near_end() -> impl Strategy<Value = u64> {
    prop_oneof![
        (0..=2 * PAGE_SIZE).prop_map(|d| USER_SPACE_END.wrapping_sub(PAGE_SIZE).wrapping_add(d)),
        (0..=PAGE_SIZE).prop_map(|d| u64::MAX - d),
        0..=PAGE_SIZE,
        any::<u64>(),
    ]
}

#[test]
fn user_range_is_the_exact_interval_test() {
    capos_fuzz::check(1024, (near_end(), near_end()), |(addr, len)| {
        let end = u128::from(addr) + u128::from(len);
        prop_assert_eq!(is_user_range(addr, len), end <= u128::from(USER_SPACE_END));
        Ok(())
    });
}
