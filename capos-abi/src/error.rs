//! Transport error codes: the negative values of `Cqe::result` and of
//! `cap_enter`'s return value.
//!
//! A transport error means the kernel refused the request itself (bad SQE,
//! bad buffer, bad capability) and nothing happened. Errors raised by the
//! capability's own method come back as [`APPLICATION_EXCEPTION`] with a
//! Cap'n Proto `CapException` in the result buffer.

/// The opcode is not one the kernel knows.
pub const INVALID_OPCODE: i32 = -1;
/// A reserved field or flag of the SQE is not zero.
pub const INVALID_SQE: i32 = -2;
/// The capability id names no live slot in the caller's table.
pub const INVALID_CAP: i32 = -3;
/// The capability id's generation does not match the slot: it was released.
pub const STALE_CAP: i32 = -4;
/// The SQE's interface id is not the interface of the capability.
pub const WRONG_INTERFACE: i32 = -5;
/// The method id is not a method of the capability's interface.
pub const INVALID_METHOD: i32 = -6;
/// A buffer address is outside user space, unmapped, or (for results) read-only.
pub const BAD_ADDRESS: i32 = -7;
/// The params are not a valid Cap'n Proto message of the method's params type.
pub const MALFORMED_PARAMS: i32 = -8;
/// The result buffer is too small; the CQE's `aux` holds the size needed.
pub const RESULT_TOO_SMALL: i32 = -9;
/// A message is larger than [`crate::ring::MAX_MESSAGE_BYTES`].
pub const MESSAGE_TOO_LARGE: i32 = -10;
/// The process already has [`crate::ring::MAX_PENDING_CALLS`] calls pending.
pub const TOO_MANY_PENDING: i32 = -11;
/// The method failed; a serialized `CapException` is in the result buffer.
pub const APPLICATION_EXCEPTION: i32 = -12;
/// The opcode is defined but the capability does not support it.
pub const UNSUPPORTED_OPCODE: i32 = -13;
/// A `cap_enter` argument is invalid, or the ring header is corrupt.
pub const INVALID_ARGUMENT: i32 = -14;
/// A resource ran out for this request: the receiver's capability table,
/// an Endpoint's queue.
pub const NO_RESOURCES: i32 = -15;
/// The call was cancelled: the Endpoint's server went away.
pub const CANCELLED: i32 = -16;
/// A transfer names a capability that may not leave its holder
/// (a ProcessHandle).
pub const NOT_TRANSFERABLE: i32 = -17;

/// Every code with its name, for diagnostics and documentation checks.
pub const ALL: &[(i32, &str)] = &[
    (INVALID_OPCODE, "INVALID_OPCODE"),
    (INVALID_SQE, "INVALID_SQE"),
    (INVALID_CAP, "INVALID_CAP"),
    (STALE_CAP, "STALE_CAP"),
    (WRONG_INTERFACE, "WRONG_INTERFACE"),
    (INVALID_METHOD, "INVALID_METHOD"),
    (BAD_ADDRESS, "BAD_ADDRESS"),
    (MALFORMED_PARAMS, "MALFORMED_PARAMS"),
    (RESULT_TOO_SMALL, "RESULT_TOO_SMALL"),
    (MESSAGE_TOO_LARGE, "MESSAGE_TOO_LARGE"),
    (TOO_MANY_PENDING, "TOO_MANY_PENDING"),
    (APPLICATION_EXCEPTION, "APPLICATION_EXCEPTION"),
    (UNSUPPORTED_OPCODE, "UNSUPPORTED_OPCODE"),
    (INVALID_ARGUMENT, "INVALID_ARGUMENT"),
    (NO_RESOURCES, "NO_RESOURCES"),
    (CANCELLED, "CANCELLED"),
    (NOT_TRANSFERABLE, "NOT_TRANSFERABLE"),
];

/// The name of a transport error code, or `"UNKNOWN"`.
pub fn name(code: i32) -> &'static str {
    ALL.iter()
        .find(|(c, _)| *c == code)
        .map_or("UNKNOWN", |(_, n)| n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_distinct_negative_and_named() {
        for (i, (code, name_str)) in ALL.iter().enumerate() {
            assert!(*code < 0, "{name_str} must be negative");
            assert_eq!(name(*code), *name_str);
            for (other, _) in &ALL[i + 1..] {
                assert_ne!(code, other);
            }
        }
        assert_eq!(name(0), "UNKNOWN");
        assert_eq!(name(-999), "UNKNOWN");
    }
}
