//! The transfer-record readers on arbitrary buffers and lengths: each
//! accepts exactly when its size rule holds (computed here in u128, so
//! without overflow), and reads its fields from the offsets the ABI gives.

use super::*;
use proptest::collection;
use proptest::prelude::*;
use std::vec::Vec;

fn u32_le(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap())
}

fn u64_le(bytes: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap())
}

fn padded(len: usize) -> u128 {
    (len as u128).next_multiple_of(8)
}

/// Lengths around the buffer sizes used, and at the top of `usize`.
fn length() -> impl Strategy<Value = usize> {
    prop_oneof![
        6 => 0..160usize,
        1 => (0..16usize).prop_map(|below| usize::MAX - below),
        1 => any::<usize>(),
    ]
}

#[test]
fn reply_records_read_exactly_what_fits() {
    let count = prop_oneof![6 => 0..=MAX_XFER + 1, 1 => any::<u32>()];
    let strategy = (collection::vec(any::<u8>(), 0..400), length(), count);
    capos_fuzz::check(1024, strategy, |(bytes, message_len, count)| {
        let records = 16 * u128::from(count);
        let fits = count <= MAX_XFER && padded(message_len) + records <= bytes.len() as u128;
        match reply_records(&bytes, message_len, count) {
            Ok(caps) => {
                prop_assert!(fits);
                prop_assert_eq!(caps.len(), count as usize);
                let start = padded(message_len) as usize;
                for (i, cap) in caps.iter().enumerate() {
                    let at = start + 16 * i;
                    prop_assert_eq!(cap.cap_id, u32_le(&bytes, at));
                    prop_assert_eq!(cap.interface_id, u64_le(&bytes, at + 8));
                    prop_assert_eq!(cap._reserved, 0);
                }
            }
            Err(_) => prop_assert!(!fits),
        }
        Ok(())
    });
}

/// A RECV result with its header rewritten from random fields, so that the
/// stated lengths often almost agree with the buffer.
fn recv_buffer() -> impl Strategy<Value = (Vec<u8>, usize)> {
    let header = (
        any::<u32>(),
        any::<u16>(),
        prop_oneof![4 => 0..=MAX_XFER as u16 + 1, 1 => any::<u16>()],
        any::<u64>(),
        prop_oneof![4 => 0..64u32, 1 => any::<u32>()],
    );
    let total = prop_oneof![Just(None), length().prop_map(Some)];
    (
        header,
        collection::vec(any::<u8>(), 0..64),
        collection::vec(any::<(u32, u64)>(), 0..18),
        total,
    )
        .prop_map(
            |((call_id, method_id, cap_count, interface_id, params_len), params, caps, total)| {
                let header = RecvHeader {
                    call_id,
                    method_id,
                    cap_count,
                    interface_id,
                    params_len,
                    _reserved: 0,
                };
                let caps: Vec<CapRecord> = caps
                    .iter()
                    .map(|&(cap_id, interface_id)| CapRecord {
                        cap_id,
                        _reserved: 0,
                        interface_id,
                    })
                    .collect();
                let bytes = encode_recv(header, &params, &caps);
                let total = total.unwrap_or(bytes.len());
                (bytes, total)
            },
        )
}

#[test]
fn recv_accepts_exactly_the_consistent_results() {
    let raw = (collection::vec(any::<u8>(), 0..200), length());
    let strategy = prop_oneof![raw, recv_buffer()];
    capos_fuzz::check(1024, strategy, |(bytes, total)| {
        let got = recv(&bytes, total);
        // The header fields, where the buffer has them.
        let fields = (total <= bytes.len() && total >= 20).then(|| {
            (
                u16::from_le_bytes([bytes[6], bytes[7]]),
                u32_le(&bytes, 16) as usize,
            )
        });
        let consistent = fields.is_some_and(|(cap_count, params_len)| {
            u32::from(cap_count) <= MAX_XFER
                && params_len <= total
                && 24 + padded(params_len) + 16 * cap_count as u128 == total as u128
        });
        match got {
            Ok(recv) => {
                prop_assert!(consistent);
                let (cap_count, params_len) = fields.unwrap();
                prop_assert_eq!(recv.call_id, u32_le(&bytes, 0));
                prop_assert_eq!(recv.method_id, u16::from_le_bytes([bytes[4], bytes[5]]));
                prop_assert_eq!(recv.interface_id, u64_le(&bytes, 8));
                prop_assert_eq!(recv.params.clone(), 24..24 + params_len);
                prop_assert_eq!(recv.caps.len(), usize::from(cap_count));
                let start = 24 + padded(params_len) as usize;
                for (i, cap) in recv.caps.iter().enumerate() {
                    prop_assert_eq!(cap.cap_id, u32_le(&bytes, start + 16 * i));
                    prop_assert_eq!(cap.interface_id, u64_le(&bytes, start + 16 * i + 8));
                }
            }
            Err(_) => prop_assert!(!consistent),
        }
        Ok(())
    });
}
