//! Endpoint IPC and capability transfer on the ring.
//!
//! A CALL to an Endpoint's client facet, or a RETURN from its owner, may
//! carry capabilities: `Sqe::xfer_addr` points at `Sqe::xfer_count`
//! [`XferDesc`]s. COPY leaves the sender's capability in place; MOVE
//! reserves the sender's slot at submission and frees it only when the
//! receiver has the capability (commit), or puts it back if delivery fails
//! (rollback): a moved capability is never lost and never duplicated.
//! Kernel capabilities take no transfers (`INVALID_SQE`).
//!
//! RECV (on the owner facet) completes with, in its result buffer: a
//! [`RecvHeader`], the params message padded to 8 bytes, then `cap_count`
//! [`CapRecord`]s naming the received capabilities in the receiver's table.
//! `Cqe::result` is the total length.
//!
//! RETURN (on the owner facet) names the call in `Sqe::call_id`; its
//! params are the result message, or a `CapException` when `method_id` is
//! [`RETURN_EXCEPTION`]. The caller's CALL completes with the result
//! message (`Cqe::result` = its length) padded to 8 bytes, followed by
//! `Cqe::flags` [`CapRecord`]s; or with `APPLICATION_EXCEPTION`. The
//! RETURN's own CQE is 0 once delivered, or the error that stopped
//! delivery (the transferred capabilities then stay with the server).

/// Transfer modes (`XferDesc::mode`).
pub const XFER_COPY: u32 = 0;
pub const XFER_MOVE: u32 = 1;

/// Most capabilities one message may carry.
pub const MAX_XFER: u32 = 16;
/// Most calls queued on one Endpoint before CALL fails with NO_RESOURCES.
pub const MAX_ENDPOINT_QUEUE: usize = 64;

/// `Cqe::flags` of a failed CALL to an Endpoint: the call had reached the
/// server, so the capabilities it moved went with it. Without this flag a
/// failed CALL's moved capabilities are back in the caller's table under
/// their old ids. (A successful CALL's flags count the capability records.)
pub const CQE_DELIVERED: u32 = 1 << 31;

/// `Sqe::method_id` of a RETURN.
pub const RETURN_OK: u16 = 0;
pub const RETURN_EXCEPTION: u16 = 1;

#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct XferDesc {
    pub cap_id: u32,
    pub mode: u32,
}

/// A capability the receiver now holds.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CapRecord {
    pub cap_id: u32,
    pub _reserved: u32,
    pub interface_id: u64,
}

/// What a RECV delivers first.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RecvHeader {
    /// Names the call in the RETURN.
    pub call_id: u32,
    pub method_id: u16,
    pub cap_count: u16,
    /// The interface the caller named (the endpoint's).
    pub interface_id: u64,
    pub params_len: u32,
    pub _reserved: u32,
}

// The sizes below saturate at `usize::MAX` rather than overflow: they
// take lengths from untrusted headers, and a wrapped (small) size would
// pass the bounds check it feeds, where `usize::MAX` fits no buffer.

/// `len` rounded up to a multiple of 8 (`usize::MAX` if that overflows).
pub const fn pad8(len: usize) -> usize {
    match len.checked_add(7) {
        Some(end) => end & !7,
        None => usize::MAX,
    }
}

/// Size of a RECV result carrying `params_len` bytes and `caps` capabilities.
pub const fn recv_size(params_len: usize, caps: usize) -> usize {
    core::mem::size_of::<RecvHeader>().saturating_add(reply_size(params_len, caps))
}

/// Size of an endpoint CALL's result: the message, then the cap records.
pub const fn reply_size(message_len: usize, caps: usize) -> usize {
    pad8(message_len).saturating_add(caps.saturating_mul(core::mem::size_of::<CapRecord>()))
}

#[cfg(test)]
mod fuzz;

#[cfg(test)]
mod tests {
    use super::*;
    use core::mem::{offset_of, size_of};

    #[test]
    fn layouts_are_fixed() {
        assert_eq!(size_of::<XferDesc>(), 8);
        assert_eq!(size_of::<CapRecord>(), 16);
        assert_eq!(size_of::<RecvHeader>(), 24);
        assert_eq!(offset_of!(RecvHeader, method_id), 4);
        assert_eq!(offset_of!(RecvHeader, cap_count), 6);
        assert_eq!(offset_of!(RecvHeader, interface_id), 8);
        assert_eq!(offset_of!(RecvHeader, params_len), 16);
        assert_eq!(offset_of!(CapRecord, interface_id), 8);
    }

    #[test]
    fn sizes_pad_the_message() {
        assert_eq!(pad8(0), 0);
        assert_eq!(pad8(1), 8);
        assert_eq!(pad8(16), 16);
        assert_eq!(recv_size(5, 2), 24 + 8 + 32);
        assert_eq!(reply_size(24, 1), 40);
    }
}
