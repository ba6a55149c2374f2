//! The per-process submission/completion ring.
//!
//! One shared region of [`RING_SIZE`] bytes at [`crate::layout::RING_VADDR`]:
//! a [`RingHeader`], then [`SQ_ENTRIES`] submission entries, then
//! [`CQ_ENTRIES`] completion entries. Indices are free-running `u32`
//! counters; the slot of index `i` is `i % ENTRIES` (both are powers of two).
//!
//! Userspace writes SQEs and advances `sq_tail`, then calls `cap_enter`. The
//! kernel copies each SQE out once (so later writes by the process cannot
//! change what it validated), advances `sq_head`, and posts a CQE at
//! `cq_tail` when the operation completes, which may be much later.
//! Userspace consumes CQEs and advances `cq_head`. Completions that find the
//! CQ full wait inside the kernel (counted in `cq_overflow`) until there is room.

/// Submission queue length.
pub const SQ_ENTRIES: u32 = 32;
/// Completion queue length.
pub const CQ_ENTRIES: u32 = 128;

/// Byte offset of the SQ inside the ring region.
pub const SQ_OFFSET: usize = core::mem::size_of::<RingHeader>();
/// Byte offset of the CQ inside the ring region.
pub const CQ_OFFSET: usize = SQ_OFFSET + SQ_ENTRIES as usize * core::mem::size_of::<Sqe>();
/// Size of the ring region: two pages.
pub const RING_SIZE: usize = 8192;

/// Largest params or result message the kernel accepts, in bytes.
pub const MAX_MESSAGE_BYTES: u32 = 64 * 1024;
/// Most calls one process may have pending (submitted, not yet completed).
pub const MAX_PENDING_CALLS: usize = 64;

/// Opcodes (`Sqe::opcode`).
pub mod op {
    /// Does nothing; completes at once with result 0. Useful to measure the ring.
    pub const NOP: u8 = 0;
    /// Invoke method `method_id` of capability `cap_id`.
    pub const CALL: u8 = 1;
    /// Receive a call on an Endpoint (reserved: Endpoint IPC).
    pub const RECV: u8 = 2;
    /// Return from a received call (reserved: Endpoint IPC).
    pub const RETURN: u8 = 3;
    /// Drop the capability `cap_id` from the caller's table.
    pub const RELEASE: u8 = 4;
}

/// The ring header. `sq_tail` and `cq_head` belong to userspace, the rest to
/// the kernel; each side only reads the other's fields.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct RingHeader {
    pub sq_head: u32,
    pub sq_tail: u32,
    pub cq_head: u32,
    pub cq_tail: u32,
    pub sq_entries: u32,
    pub cq_entries: u32,
    /// Completions held in the kernel because the CQ was full.
    pub cq_overflow: u32,
    pub _reserved: [u32; 9],
}

/// A submission queue entry (64 bytes).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sqe {
    /// Copied unchanged into the CQE, to match completions to requests.
    pub user_data: u64,
    pub opcode: u8,
    /// No flags are defined yet: must be zero.
    pub flags: u8,
    /// Method ordinal within the interface (CALL).
    pub method_id: u16,
    /// Target capability (CALL, RELEASE).
    pub cap_id: u32,
    /// Cap'n Proto params message (standard framing), user address.
    pub params_addr: u64,
    pub params_len: u32,
    /// Capacity of the result buffer.
    pub result_len: u32,
    /// Where the result message (or a `CapException`) is written.
    pub result_addr: u64,
    /// Endpoint call id (RETURN); must be zero otherwise.
    pub call_id: u32,
    /// Number of capability transfer descriptors (reserved: must be zero).
    pub xfer_count: u32,
    /// Address of the transfer descriptors (reserved: must be zero).
    pub xfer_addr: u64,
    /// Interface the caller believes `cap_id` implements (CALL). A mismatch
    /// fails with `WRONG_INTERFACE` instead of running the wrong method.
    pub interface_id: u64,
}

/// A completion queue entry (32 bytes).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cqe {
    pub user_data: u64,
    /// CALL: length of the result message; other opcodes: 0. Negative: an
    /// [`crate::error`] code.
    pub result: i32,
    pub flags: u32,
    /// With `RESULT_TOO_SMALL`: the result size needed.
    pub aux: u64,
    pub _reserved: u64,
}

impl Sqe {
    pub const fn nop(user_data: u64) -> Self {
        Sqe {
            user_data,
            opcode: op::NOP,
            flags: 0,
            method_id: 0,
            cap_id: 0,
            params_addr: 0,
            params_len: 0,
            result_len: 0,
            result_addr: 0,
            call_id: 0,
            xfer_count: 0,
            xfer_addr: 0,
            interface_id: 0,
        }
    }

    pub const fn release(user_data: u64, cap_id: u32) -> Self {
        let mut sqe = Self::nop(user_data);
        sqe.opcode = op::RELEASE;
        sqe.cap_id = cap_id;
        sqe
    }
}

impl Sqe {
    /// True if the fields this opcode does not use are zero (and `flags`,
    /// which no opcode uses yet), so a future meaning for them cannot be
    /// mistaken for today's. The kernel refuses any other SQE with
    /// INVALID_SQE. Unknown opcodes are the caller's to refuse first.
    pub fn unused_fields_zero(&self) -> bool {
        let no_params = self.params_addr == 0 && self.params_len == 0;
        let no_result = self.result_addr == 0 && self.result_len == 0;
        let no_xfer = self.xfer_count == 0 && self.xfer_addr == 0;
        let no_call = self.method_id == 0 && self.call_id == 0 && self.interface_id == 0;
        self.flags == 0
            && match self.opcode {
                op::NOP => no_params && no_result && no_xfer && no_call && self.cap_id == 0,
                op::RELEASE => no_params && no_result && no_xfer && no_call,
                // CALL uses everything but call_id.
                op::CALL => self.call_id == 0,
                op::RECV => no_params && no_xfer && self.method_id == 0 && self.call_id == 0,
                // RETURN: call_id, method_id (its status), params and transfers.
                op::RETURN => no_result,
                _ => false,
            }
    }
}

/// Number of entries between a consumer index and a producer index, as
/// long as the pair is consistent (`tail - head <= capacity`).
pub const fn pending(head: u32, tail: u32, capacity: u32) -> Option<u32> {
    let n = tail.wrapping_sub(head);
    if n <= capacity { Some(n) } else { None }
}

#[cfg(test)]
mod fuzz;

#[cfg(test)]
mod tests {
    use super::*;
    use core::mem::{offset_of, size_of};

    #[test]
    fn sizes_are_fixed() {
        assert_eq!(size_of::<RingHeader>(), 64);
        assert_eq!(size_of::<Sqe>(), 64);
        assert_eq!(size_of::<Cqe>(), 32);
        assert!(CQ_OFFSET + CQ_ENTRIES as usize * size_of::<Cqe>() <= RING_SIZE);
        assert!(SQ_ENTRIES.is_power_of_two() && CQ_ENTRIES.is_power_of_two());
        assert_eq!(RING_SIZE % 4096, 0);
    }

    #[test]
    fn sqe_offsets_are_pinned() {
        assert_eq!(offset_of!(Sqe, user_data), 0);
        assert_eq!(offset_of!(Sqe, opcode), 8);
        assert_eq!(offset_of!(Sqe, flags), 9);
        assert_eq!(offset_of!(Sqe, method_id), 10);
        assert_eq!(offset_of!(Sqe, cap_id), 12);
        assert_eq!(offset_of!(Sqe, params_addr), 16);
        assert_eq!(offset_of!(Sqe, params_len), 24);
        assert_eq!(offset_of!(Sqe, result_len), 28);
        assert_eq!(offset_of!(Sqe, result_addr), 32);
        assert_eq!(offset_of!(Sqe, call_id), 40);
        assert_eq!(offset_of!(Sqe, xfer_count), 44);
        assert_eq!(offset_of!(Sqe, xfer_addr), 48);
        assert_eq!(offset_of!(Sqe, interface_id), 56);
    }

    #[test]
    fn cqe_and_header_offsets_are_pinned() {
        assert_eq!(offset_of!(Cqe, user_data), 0);
        assert_eq!(offset_of!(Cqe, result), 8);
        assert_eq!(offset_of!(Cqe, flags), 12);
        assert_eq!(offset_of!(Cqe, aux), 16);
        assert_eq!(offset_of!(RingHeader, sq_head), 0);
        assert_eq!(offset_of!(RingHeader, sq_tail), 4);
        assert_eq!(offset_of!(RingHeader, cq_head), 8);
        assert_eq!(offset_of!(RingHeader, cq_tail), 12);
        assert_eq!(offset_of!(RingHeader, cq_overflow), 24);
    }

    #[test]
    fn pending_handles_wraparound_and_corruption() {
        assert_eq!(pending(0, 0, 32), Some(0));
        assert_eq!(pending(u32::MAX - 1, 3, 32), Some(5));
        assert_eq!(pending(0, 32, 32), Some(32));
        assert_eq!(pending(0, 33, 32), None);
        assert_eq!(pending(5, 4, 32), None);
    }

    #[test]
    fn each_opcode_accepts_only_its_fields() {
        let full = Sqe {
            user_data: 1,
            opcode: 0,
            flags: 0,
            method_id: 2,
            cap_id: 3,
            params_addr: 4,
            params_len: 5,
            result_len: 6,
            result_addr: 7,
            call_id: 8,
            xfer_count: 9,
            xfer_addr: 10,
            interface_id: 11,
        };
        let with = |opcode| Sqe { opcode, ..full };
        // NOP and RELEASE take (almost) nothing.
        assert!(Sqe::nop(1).unused_fields_zero());
        assert!(Sqe::release(1, 3).unused_fields_zero());
        assert!(
            !Sqe {
                cap_id: 3,
                ..Sqe::nop(1)
            }
            .unused_fields_zero()
        );
        assert!(
            !Sqe {
                method_id: 1,
                ..Sqe::release(1, 3)
            }
            .unused_fields_zero()
        );
        // CALL takes everything but call_id.
        assert!(!with(op::CALL).unused_fields_zero());
        assert!(
            Sqe {
                call_id: 0,
                ..with(op::CALL)
            }
            .unused_fields_zero()
        );
        // RECV: cap, interface and result only.
        let recv = Sqe {
            method_id: 0,
            params_addr: 0,
            params_len: 0,
            call_id: 0,
            xfer_count: 0,
            xfer_addr: 0,
            ..with(op::RECV)
        };
        assert!(recv.unused_fields_zero());
        assert!(!Sqe { call_id: 1, ..recv }.unused_fields_zero());
        // RETURN: no result buffer.
        let ret = Sqe {
            result_addr: 0,
            result_len: 0,
            ..with(op::RETURN)
        };
        assert!(ret.unused_fields_zero());
        assert!(
            !Sqe {
                result_len: 8,
                ..ret
            }
            .unused_fields_zero()
        );
        // Flags are reserved everywhere; unknown opcodes never pass.
        for opcode in [op::NOP, op::CALL, op::RECV, op::RETURN, op::RELEASE] {
            let ok = match opcode {
                op::NOP => Sqe::nop(1),
                op::RELEASE => Sqe::release(1, 3),
                op::CALL => Sqe {
                    call_id: 0,
                    ..with(op::CALL)
                },
                op::RECV => recv,
                _ => ret,
            };
            assert!(!Sqe { flags: 1, ..ok }.unused_fields_zero());
        }
        assert!(
            !Sqe {
                opcode: 9,
                ..Sqe::nop(1)
            }
            .unused_fields_zero()
        );
    }

    #[test]
    fn constructors_fill_only_their_fields() {
        let r = Sqe::release(7, 0x0001_0002);
        assert_eq!(r.opcode, op::RELEASE);
        assert_eq!((r.user_data, r.cap_id), (7, 0x0001_0002));
        assert_eq!(
            Sqe {
                opcode: 0,
                cap_id: 0,
                ..r
            },
            Sqe::nop(7)
        );
    }
}
