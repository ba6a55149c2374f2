//! Reading what the kernel writes around transferred capabilities: the
//! [`CapRecord`]s after an Endpoint reply, and the [`RecvHeader`] layout of
//! a RECV result (see `capos_abi::ipc`).
//!
//! The buffers are this process's own, but their contents come from the
//! kernel and, for the message parts, from another process, so every
//! length and count is checked before it is used. Fields are read with
//! `from_le_bytes` at the ABI's offsets; no buffer is cast to a struct.

use crate::error::DecodeError;
use alloc::vec::Vec;
use capos_abi::ipc::{CapRecord, MAX_XFER, RecvHeader, pad8, recv_size, reply_size};
use core::mem::{offset_of, size_of};
use core::ops::Range;

/// A RECV result, located in its buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recv {
    pub call_id: u32,
    pub method_id: u16,
    pub interface_id: u64,
    /// Where the params message lies in the buffer.
    pub params: Range<usize>,
    pub caps: Vec<CapRecord>,
}

fn contract(what: &'static str) -> DecodeError {
    DecodeError::Contract(what)
}

fn bytes_at<const N: usize>(bytes: &[u8], at: usize) -> Result<[u8; N], DecodeError> {
    at.checked_add(N)
        .and_then(|end| bytes.get(at..end))
        .and_then(|b| b.try_into().ok())
        .ok_or(contract("a transfer record runs past the result buffer"))
}

fn u16_at(bytes: &[u8], at: usize) -> Result<u16, DecodeError> {
    bytes_at(bytes, at).map(u16::from_le_bytes)
}

fn u32_at(bytes: &[u8], at: usize) -> Result<u32, DecodeError> {
    bytes_at(bytes, at).map(u32::from_le_bytes)
}

fn u64_at(bytes: &[u8], at: usize) -> Result<u64, DecodeError> {
    bytes_at(bytes, at).map(u64::from_le_bytes)
}

/// `count` records starting at `at`.
fn records(bytes: &[u8], at: usize, count: usize) -> Result<Vec<CapRecord>, DecodeError> {
    (0..count)
        .map(|i| {
            let base = at + i * size_of::<CapRecord>();
            Ok(CapRecord {
                cap_id: u32_at(bytes, base + offset_of!(CapRecord, cap_id))?,
                _reserved: 0,
                interface_id: u64_at(bytes, base + offset_of!(CapRecord, interface_id))?,
            })
        })
        .collect()
}

/// The `count` (`Cqe::flags`) records after a reply message of
/// `message_len` bytes.
pub fn reply_records(
    bytes: &[u8],
    message_len: usize,
    count: u32,
) -> Result<Vec<CapRecord>, DecodeError> {
    if count > MAX_XFER {
        return Err(contract("a reply carries more capabilities than MAX_XFER"));
    }
    let count = count as usize;
    if reply_size(message_len, count) > bytes.len() {
        return Err(contract(
            "a reply's capability records exceed the result buffer",
        ));
    }
    records(bytes, pad8(message_len), count)
}

/// A RECV result of `total` bytes (`Cqe::result`).
pub fn recv(bytes: &[u8], total: usize) -> Result<Recv, DecodeError> {
    let bytes = bytes
        .get(..total)
        .ok_or(contract("a RECV result exceeds its buffer"))?;
    let cap_count = u16_at(bytes, offset_of!(RecvHeader, cap_count))?;
    let params_len = u32_at(bytes, offset_of!(RecvHeader, params_len))? as usize;
    if u32::from(cap_count) > MAX_XFER {
        return Err(contract("a call carries more capabilities than MAX_XFER"));
    }
    let cap_count = usize::from(cap_count);
    if params_len > total || recv_size(params_len, cap_count) != total {
        return Err(contract("a RECV result's length disagrees with its header"));
    }
    let start = size_of::<RecvHeader>();
    Ok(Recv {
        call_id: u32_at(bytes, offset_of!(RecvHeader, call_id))?,
        method_id: u16_at(bytes, offset_of!(RecvHeader, method_id))?,
        interface_id: u64_at(bytes, offset_of!(RecvHeader, interface_id))?,
        params: start..start + params_len,
        caps: records(bytes, start + pad8(params_len), cap_count)?,
    })
}

/// Lays out a RECV result as the kernel does, for host tests.
#[cfg(test)]
pub fn encode_recv(header: RecvHeader, params: &[u8], caps: &[CapRecord]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&header.call_id.to_le_bytes());
    out.extend_from_slice(&header.method_id.to_le_bytes());
    out.extend_from_slice(&header.cap_count.to_le_bytes());
    out.extend_from_slice(&header.interface_id.to_le_bytes());
    out.extend_from_slice(&header.params_len.to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(params);
    out.resize(size_of::<RecvHeader>() + pad8(params.len()), 0);
    out.extend(encode_records(caps));
    out
}

/// Capability records as the kernel writes them, for host tests.
#[cfg(any(test, feature = "test-kernel"))]
pub fn encode_records(caps: &[CapRecord]) -> Vec<u8> {
    let mut out = Vec::new();
    for cap in caps {
        out.extend_from_slice(&cap.cap_id.to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes());
        out.extend_from_slice(&cap.interface_id.to_le_bytes());
    }
    out
}

#[cfg(test)]
mod fuzz;

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn record(cap_id: u32, interface_id: u64) -> CapRecord {
        CapRecord {
            cap_id,
            _reserved: 0,
            interface_id,
        }
    }

    fn header(params_len: usize, cap_count: u16) -> RecvHeader {
        RecvHeader {
            call_id: 9,
            method_id: 3,
            cap_count,
            interface_id: 0xabcd,
            params_len: params_len as u32,
            _reserved: 0,
        }
    }

    #[test]
    fn reply_records_follow_the_padded_message() {
        let mut bytes = vec![0xee; 5];
        bytes.resize(8, 0);
        bytes.extend(encode_records(&[record(1, 10), record(2, 20)]));
        let got = reply_records(&bytes, 5, 2).unwrap();
        assert_eq!(got, [record(1, 10), record(2, 20)]);
        assert_eq!(reply_records(&bytes, 5, 0).unwrap(), []);
        assert!(reply_records(&bytes, 5, 3).is_err());
        assert!(reply_records(&bytes, 9, 2).is_err());
        assert!(reply_records(&vec![0; 1024], 0, MAX_XFER + 1).is_err());
    }

    #[test]
    fn recv_results_are_split_into_their_parts() {
        let caps = [record(0x1_0007, 77)];
        let bytes = encode_recv(header(3, 1), b"abc", &caps);
        assert_eq!(bytes.len(), recv_size(3, 1));
        let got = recv(&bytes, bytes.len()).unwrap();
        assert_eq!(
            (got.call_id, got.method_id, got.interface_id),
            (9, 3, 0xabcd)
        );
        assert_eq!(&bytes[got.params.clone()], b"abc");
        assert_eq!(got.caps, caps);
    }

    #[test]
    fn inconsistent_recv_results_are_refused() {
        let bytes = encode_recv(header(3, 1), b"abc", &[record(1, 1)]);
        // Shorter or longer than the header says.
        assert!(recv(&bytes, bytes.len() - 16).is_err());
        let mut long = bytes.clone();
        long.extend([0; 16]);
        assert!(recv(&long, long.len()).is_err());
        assert!(recv(&bytes, bytes.len() + 1).is_err());
        // A params length that would wrap the arithmetic.
        let huge = encode_recv(header(usize::MAX >> 33, 0), b"", &[]);
        assert!(recv(&huge, huge.len()).is_err());
        // Too many capabilities.
        let many = encode_recv(header(0, MAX_XFER as u16 + 1), b"", &[]);
        assert!(recv(&many, many.len()).is_err());
        assert!(recv(&[], 0).is_err());
    }
}
