//! Properties of the SQE field rules and of `pending`, on arbitrary input.

extern crate std;

use super::*;
use proptest::prelude::*;
use std::vec::Vec;

/// The fields of an SQE besides `user_data` and `opcode`, by name, as
/// docs/architecture/ring.md names them in its "Unused fields" table.
fn fields(sqe: &Sqe) -> [(&'static str, u64); 11] {
    [
        ("flags", sqe.flags.into()),
        ("method_id", sqe.method_id.into()),
        ("cap_id", sqe.cap_id.into()),
        ("params_addr", sqe.params_addr),
        ("params_len", sqe.params_len.into()),
        ("result_len", sqe.result_len.into()),
        ("result_addr", sqe.result_addr),
        ("call_id", sqe.call_id.into()),
        ("xfer_count", sqe.xfer_count.into()),
        ("xfer_addr", sqe.xfer_addr),
        ("interface_id", sqe.interface_id),
    ]
}

/// The documented table: which fields each opcode requires to be zero.
/// `None` for an opcode that does not exist.
fn must_be_zero(opcode: u8) -> Option<&'static [&'static str]> {
    let all: &[&str] = &[
        "flags",
        "method_id",
        "cap_id",
        "params_addr",
        "params_len",
        "result_len",
        "result_addr",
        "call_id",
        "xfer_count",
        "xfer_addr",
        "interface_id",
    ];
    Some(match opcode {
        op::NOP => all,
        op::CALL => &["flags", "call_id"],
        op::RECV => &[
            "flags",
            "method_id",
            "params_addr",
            "params_len",
            "call_id",
            "xfer_count",
            "xfer_addr",
        ],
        op::RETURN => &["flags", "result_addr", "result_len"],
        op::RELEASE => &[
            "flags",
            "method_id",
            "params_addr",
            "params_len",
            "result_len",
            "result_addr",
            "call_id",
            "xfer_count",
            "xfer_addr",
            "interface_id",
        ],
        _ => return None,
    })
}

fn model(sqe: &Sqe) -> bool {
    must_be_zero(sqe.opcode).is_some_and(|zero| {
        fields(sqe)
            .iter()
            .all(|(name, value)| *value == 0 || !zero.contains(name))
    })
}

/// Mostly zero, so that accepted SQEs are common; otherwise any value.
fn field<T: Arbitrary + Default + Copy + core::fmt::Debug + 'static>() -> BoxedStrategy<T> {
    prop_oneof![3 => Just(T::default()), 1 => any::<T>()].boxed()
}

fn sqe() -> impl Strategy<Value = Sqe> {
    let opcode = prop_oneof![4 => 0..=4u8, 1 => any::<u8>()];
    (
        (any::<u64>(), opcode, field::<u8>(), field::<u16>()),
        (
            field::<u32>(),
            field::<u64>(),
            field::<u32>(),
            field::<u32>(),
        ),
        (
            field::<u64>(),
            field::<u32>(),
            field::<u32>(),
            field::<u64>(),
        ),
        field::<u64>(),
    )
        .prop_map(
            |(
                (user_data, opcode, flags, method_id),
                (cap_id, params_addr, params_len, result_len),
                (result_addr, call_id, xfer_count, xfer_addr),
                interface_id,
            )| Sqe {
                user_data,
                opcode,
                flags,
                method_id,
                cap_id,
                params_addr,
                params_len,
                result_len,
                result_addr,
                call_id,
                xfer_count,
                xfer_addr,
                interface_id,
            },
        )
}

#[test]
fn unused_fields_zero_is_the_documented_table() {
    capos_fuzz::check(1024, sqe(), |sqe| {
        prop_assert_eq!(sqe.unused_fields_zero(), model(&sqe));
        // user_data is the caller's alone: it never changes the verdict.
        let other = Sqe {
            user_data: !sqe.user_data,
            ..sqe
        };
        prop_assert_eq!(other.unused_fields_zero(), sqe.unused_fields_zero());
        Ok(())
    });
}

#[test]
fn any_64_bytes_are_an_sqe_the_check_can_judge() {
    capos_fuzz::check(512, any::<[u8; 64]>(), |bytes| {
        // SAFETY: Sqe is repr(C), 64 bytes of integers without padding,
        // so every bit pattern is a valid Sqe; read_unaligned needs no
        // alignment, as when the kernel copies one from user memory.
        let sqe = unsafe { bytes.as_ptr().cast::<Sqe>().read_unaligned() };
        prop_assert_eq!(sqe.unused_fields_zero(), model(&sqe));
        Ok(())
    });
}

#[test]
fn clearing_a_field_never_turns_acceptance_into_refusal() {
    let strategy = (sqe(), 0..11usize);
    capos_fuzz::check(512, strategy, |(sqe, which)| {
        let mut cleared = sqe;
        match which {
            0 => cleared.flags = 0,
            1 => cleared.method_id = 0,
            2 => cleared.cap_id = 0,
            3 => cleared.params_addr = 0,
            4 => cleared.params_len = 0,
            5 => cleared.result_len = 0,
            6 => cleared.result_addr = 0,
            7 => cleared.call_id = 0,
            8 => cleared.xfer_count = 0,
            9 => cleared.xfer_addr = 0,
            _ => cleared.interface_id = 0,
        }
        prop_assert!(!sqe.unused_fields_zero() || cleared.unused_fields_zero());
        Ok(())
    });
}

#[test]
fn pending_counts_exactly_the_consistent_pairs() {
    let capacity = prop_oneof![Just(SQ_ENTRIES), Just(CQ_ENTRIES), any::<u32>()];
    let distance = prop_oneof![0..=2 * CQ_ENTRIES, any::<u32>()];
    let strategy = (any::<u32>(), distance, capacity);
    capos_fuzz::check(1024, strategy, |(head, distance, capacity)| {
        let tail = head.wrapping_add(distance);
        let expected = (distance <= capacity).then_some(distance);
        prop_assert_eq!(pending(head, tail, capacity), expected);
        Ok(())
    });
}

#[test]
fn pending_is_consistent_for_any_indices() {
    let strategy = (any::<u32>(), any::<u32>(), any::<u32>());
    capos_fuzz::check(1024, strategy, |(head, tail, capacity)| {
        match pending(head, tail, capacity) {
            Some(n) => {
                prop_assert!(n <= capacity);
                prop_assert_eq!(head.wrapping_add(n), tail);
            }
            // No count up to the capacity gets from head to tail.
            None => prop_assert!(u64::from(tail.wrapping_sub(head)) > u64::from(capacity)),
        }
        Ok(())
    });
}

/// A ring's free-running indices, driven by random produce/consume steps,
/// always read back as the number produced and not yet consumed.
#[test]
fn pending_follows_a_queue_across_wraparound() {
    let steps = proptest::collection::vec((any::<bool>(), 0..=SQ_ENTRIES), 0..64);
    let strategy = (any::<u32>(), steps);
    capos_fuzz::check(256, strategy, |(start, steps): (u32, Vec<(bool, u32)>)| {
        let (mut head, mut tail, mut queued) = (start, start, 0u32);
        for (produce, n) in steps {
            if produce {
                let n = n.min(SQ_ENTRIES - queued);
                tail = tail.wrapping_add(n);
                queued += n;
            } else {
                let n = n.min(queued);
                head = head.wrapping_add(n);
                queued -= n;
            }
            prop_assert_eq!(pending(head, tail, SQ_ENTRIES), Some(queued));
        }
        Ok(())
    });
}
