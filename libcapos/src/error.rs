//! The error codes every libcapos function returns.
//!
//! Success is 0 (or a non-negative count or length, where a function says
//! so); failure is one of the negative codes below, never a crash. Codes
//! -1 to -17 are the kernel's transport codes (`capos_abi::error`), with the
//! same values and meanings, whether the kernel or libcapos noticed the
//! problem. Codes from -100 down belong to libcapos alone.
//!
//! Each code is written `-N as i32` so that cbindgen emits
//! `#define CAPOS_E_X (int32_t)-N`, which stays one operand in any C
//! expression (`-CAPOS_E_X`, `a-CAPOS_E_X`); a bare `-N` would not.

#![expect(
    clippy::unnecessary_cast,
    reason = "the casts shape the C header, see the module comment"
)]

use capos_abi::error as abi;
use capos_rt::{Error, ExceptionType, FsError, RingError, StorageError};
use core::ffi::{CStr, c_char};

/// Success.
pub const CAPOS_OK: i32 = 0;

/// The opcode is not one the kernel knows.
pub const CAPOS_E_INVALID_OPCODE: i32 = -1 as i32;
/// A reserved field or flag of the request is not zero.
pub const CAPOS_E_INVALID_SQE: i32 = -2 as i32;
/// The capability id names no live capability of this process.
pub const CAPOS_E_INVALID_CAP: i32 = -3 as i32;
/// The capability id was released; its slot may hold another capability now.
pub const CAPOS_E_STALE_CAP: i32 = -4 as i32;
/// The capability does not implement the interface the call names.
pub const CAPOS_E_WRONG_INTERFACE: i32 = -5 as i32;
/// The method id is not a method of the capability's interface.
pub const CAPOS_E_INVALID_METHOD: i32 = -6 as i32;
/// A buffer is outside user space, unmapped, or (for results) read-only.
pub const CAPOS_E_BAD_ADDRESS: i32 = -7 as i32;
/// The params are not a valid Cap'n Proto message of the method's params type.
pub const CAPOS_E_MALFORMED_PARAMS: i32 = -8 as i32;
/// The result buffer is too small for the result.
pub const CAPOS_E_RESULT_TOO_SMALL: i32 = -9 as i32;
/// A message (params, result, text, data) is larger than 64 KiB.
pub const CAPOS_E_MESSAGE_TOO_LARGE: i32 = -10 as i32;
/// The process already has 64 calls pending in the kernel.
pub const CAPOS_E_TOO_MANY_PENDING: i32 = -11 as i32;
/// The method ran and failed. A raw call's result buffer holds the
/// serialized `CapException` (schema/capos.capnp).
pub const CAPOS_E_APPLICATION: i32 = -12 as i32;
/// The capability does not support the ring operation.
pub const CAPOS_E_UNSUPPORTED_OPCODE: i32 = -13 as i32;
/// The kernel refused a `cap_enter` argument, or the ring header is corrupt.
pub const CAPOS_E_INVALID_ARGUMENT: i32 = -14 as i32;
/// A resource ran out in the kernel for this request.
pub const CAPOS_E_NO_RESOURCES: i32 = -15 as i32;
/// The call was cancelled: the server of an Endpoint went away.
pub const CAPOS_E_CANCELLED: i32 = -16 as i32;
/// The capability may not be handed to another process.
pub const CAPOS_E_NOT_TRANSFERABLE: i32 = -17 as i32;

/// The CapSet has no capability of that name: it was not granted.
pub const CAPOS_E_NOT_FOUND: i32 = -100 as i32;
/// libcapos holds no capability with this id: it never came from
/// `capos_capset_get` or `capos_spawn`, or it was released.
pub const CAPOS_E_NOT_HELD: i32 = -101 as i32;
/// The CapSet entry of that name was released by this program.
pub const CAPOS_E_RELEASED: i32 = -102 as i32;
/// An argument is invalid: a NULL pointer where one is required, text that
/// is not UTF-8, a params length that is not a multiple of 8, too many
/// grants or tickets.
pub const CAPOS_E_BAD_ARGUMENT: i32 = -103 as i32;
/// A reply could not be decoded, or broke the kernel's contract.
pub const CAPOS_E_DECODE: i32 = -104 as i32;
/// The submission queue stayed full after handing it to the kernel.
pub const CAPOS_E_RING_FULL: i32 = -105 as i32;
/// The heap could not hold the buffers of the request.
pub const CAPOS_E_NO_MEMORY: i32 = -106 as i32;
/// The ticket names no call in flight: never issued, already completed
/// or abandoned.
pub const CAPOS_E_BAD_TICKET: i32 = -107 as i32;
/// libcapos is not running: called before `main` or after `capos_exit`
/// began.
pub const CAPOS_E_UNAVAILABLE: i32 = -108 as i32;
/// The CapSet entry of that name is held by another layer of this
/// program: in a POSIX program, libcapos-posix holds "console", "timer",
/// "memory", "random", "spawner", "pipes" and the inherited "fd/N" for
/// descriptors, clocks, `mmap`, `getrandom` and its children.
pub const CAPOS_E_TAKEN: i32 = -109 as i32;
/// The call would have to wait and was told not to: nothing happened
/// (a `CAPOS_PIPE_NOWAIT` read of an empty pipe, or write to a full one).
pub const CAPOS_E_WOULD_BLOCK: i32 = -110 as i32;
/// The other end is gone: the method failed with a `disconnected`
/// exception (a pipe write with no reader left, POSIX EPIPE).
pub const CAPOS_E_DISCONNECTED: i32 = -111 as i32;
/// A wait with a timeout ended with nothing to show for it (a UDP
/// receive no datagram reached in time).
pub const CAPOS_E_TIMED_OUT: i32 = -112 as i32;
/// A file system has no entry of that name (the schema's FsError
/// `notFound`, POSIX ENOENT).
pub const CAPOS_E_NO_ENTRY: i32 = -113 as i32;
/// The name is taken (EEXIST).
pub const CAPOS_E_EXISTS: i32 = -114 as i32;
/// A directory was needed (ENOTDIR).
pub const CAPOS_E_NOT_DIRECTORY: i32 = -115 as i32;
/// A file was needed (EISDIR).
pub const CAPOS_E_IS_DIRECTORY: i32 = -116 as i32;
/// The directory has entries (ENOTEMPTY).
pub const CAPOS_E_NOT_EMPTY: i32 = -117 as i32;
/// A change through a read-only facet (EROFS).
pub const CAPOS_E_READ_ONLY: i32 = -118 as i32;
/// The file store's quota is used up (ENOSPC).
pub const CAPOS_E_NO_SPACE: i32 = -119 as i32;
/// A name of more than 255 bytes, or a path too long (ENAMETOOLONG).
pub const CAPOS_E_NAME_TOO_LONG: i32 = -120 as i32;
/// An empty name, ".", "..", or one holding "/" (EINVAL).
pub const CAPOS_E_INVALID_NAME: i32 = -121 as i32;
/// Past the largest file size (EFBIG).
pub const CAPOS_E_FILE_TOO_LARGE: i32 = -122 as i32;
/// A rename between two trees (EXDEV).
pub const CAPOS_E_CROSS_TREE: i32 = -123 as i32;
/// A TCP peer refused the connection (ECONNREFUSED).
pub const CAPOS_E_CONNECTION_REFUSED: i32 = -124 as i32;
/// A TCP peer reset the connection (ECONNRESET).
pub const CAPOS_E_CONNECTION_RESET: i32 = -125 as i32;

// The transport codes are the ABI's, value for value.
const _: () = {
    assert!(CAPOS_E_INVALID_OPCODE == abi::INVALID_OPCODE);
    assert!(CAPOS_E_INVALID_SQE == abi::INVALID_SQE);
    assert!(CAPOS_E_INVALID_CAP == abi::INVALID_CAP);
    assert!(CAPOS_E_STALE_CAP == abi::STALE_CAP);
    assert!(CAPOS_E_WRONG_INTERFACE == abi::WRONG_INTERFACE);
    assert!(CAPOS_E_INVALID_METHOD == abi::INVALID_METHOD);
    assert!(CAPOS_E_BAD_ADDRESS == abi::BAD_ADDRESS);
    assert!(CAPOS_E_MALFORMED_PARAMS == abi::MALFORMED_PARAMS);
    assert!(CAPOS_E_RESULT_TOO_SMALL == abi::RESULT_TOO_SMALL);
    assert!(CAPOS_E_MESSAGE_TOO_LARGE == abi::MESSAGE_TOO_LARGE);
    assert!(CAPOS_E_TOO_MANY_PENDING == abi::TOO_MANY_PENDING);
    assert!(CAPOS_E_APPLICATION == abi::APPLICATION_EXCEPTION);
    assert!(CAPOS_E_UNSUPPORTED_OPCODE == abi::UNSUPPORTED_OPCODE);
    assert!(CAPOS_E_INVALID_ARGUMENT == abi::INVALID_ARGUMENT);
    assert!(CAPOS_E_NO_RESOURCES == abi::NO_RESOURCES);
    assert!(CAPOS_E_CANCELLED == abi::CANCELLED);
    assert!(CAPOS_E_NOT_TRANSFERABLE == abi::NOT_TRANSFERABLE);
};

/// Every error code with its C name.
const NAMES: &[(i32, &CStr)] = &[
    (CAPOS_E_INVALID_OPCODE, c"CAPOS_E_INVALID_OPCODE"),
    (CAPOS_E_INVALID_SQE, c"CAPOS_E_INVALID_SQE"),
    (CAPOS_E_INVALID_CAP, c"CAPOS_E_INVALID_CAP"),
    (CAPOS_E_STALE_CAP, c"CAPOS_E_STALE_CAP"),
    (CAPOS_E_WRONG_INTERFACE, c"CAPOS_E_WRONG_INTERFACE"),
    (CAPOS_E_INVALID_METHOD, c"CAPOS_E_INVALID_METHOD"),
    (CAPOS_E_BAD_ADDRESS, c"CAPOS_E_BAD_ADDRESS"),
    (CAPOS_E_MALFORMED_PARAMS, c"CAPOS_E_MALFORMED_PARAMS"),
    (CAPOS_E_RESULT_TOO_SMALL, c"CAPOS_E_RESULT_TOO_SMALL"),
    (CAPOS_E_MESSAGE_TOO_LARGE, c"CAPOS_E_MESSAGE_TOO_LARGE"),
    (CAPOS_E_TOO_MANY_PENDING, c"CAPOS_E_TOO_MANY_PENDING"),
    (CAPOS_E_APPLICATION, c"CAPOS_E_APPLICATION"),
    (CAPOS_E_UNSUPPORTED_OPCODE, c"CAPOS_E_UNSUPPORTED_OPCODE"),
    (CAPOS_E_INVALID_ARGUMENT, c"CAPOS_E_INVALID_ARGUMENT"),
    (CAPOS_E_NO_RESOURCES, c"CAPOS_E_NO_RESOURCES"),
    (CAPOS_E_CANCELLED, c"CAPOS_E_CANCELLED"),
    (CAPOS_E_NOT_TRANSFERABLE, c"CAPOS_E_NOT_TRANSFERABLE"),
    (CAPOS_E_NOT_FOUND, c"CAPOS_E_NOT_FOUND"),
    (CAPOS_E_NOT_HELD, c"CAPOS_E_NOT_HELD"),
    (CAPOS_E_RELEASED, c"CAPOS_E_RELEASED"),
    (CAPOS_E_BAD_ARGUMENT, c"CAPOS_E_BAD_ARGUMENT"),
    (CAPOS_E_DECODE, c"CAPOS_E_DECODE"),
    (CAPOS_E_RING_FULL, c"CAPOS_E_RING_FULL"),
    (CAPOS_E_NO_MEMORY, c"CAPOS_E_NO_MEMORY"),
    (CAPOS_E_BAD_TICKET, c"CAPOS_E_BAD_TICKET"),
    (CAPOS_E_UNAVAILABLE, c"CAPOS_E_UNAVAILABLE"),
    (CAPOS_E_TAKEN, c"CAPOS_E_TAKEN"),
    (CAPOS_E_WOULD_BLOCK, c"CAPOS_E_WOULD_BLOCK"),
    (CAPOS_E_DISCONNECTED, c"CAPOS_E_DISCONNECTED"),
    (CAPOS_E_TIMED_OUT, c"CAPOS_E_TIMED_OUT"),
    (CAPOS_E_NO_ENTRY, c"CAPOS_E_NO_ENTRY"),
    (CAPOS_E_EXISTS, c"CAPOS_E_EXISTS"),
    (CAPOS_E_NOT_DIRECTORY, c"CAPOS_E_NOT_DIRECTORY"),
    (CAPOS_E_IS_DIRECTORY, c"CAPOS_E_IS_DIRECTORY"),
    (CAPOS_E_NOT_EMPTY, c"CAPOS_E_NOT_EMPTY"),
    (CAPOS_E_READ_ONLY, c"CAPOS_E_READ_ONLY"),
    (CAPOS_E_NO_SPACE, c"CAPOS_E_NO_SPACE"),
    (CAPOS_E_NAME_TOO_LONG, c"CAPOS_E_NAME_TOO_LONG"),
    (CAPOS_E_INVALID_NAME, c"CAPOS_E_INVALID_NAME"),
    (CAPOS_E_FILE_TOO_LARGE, c"CAPOS_E_FILE_TOO_LARGE"),
    (CAPOS_E_CROSS_TREE, c"CAPOS_E_CROSS_TREE"),
    (CAPOS_E_CONNECTION_REFUSED, c"CAPOS_E_CONNECTION_REFUSED"),
    (CAPOS_E_CONNECTION_RESET, c"CAPOS_E_CONNECTION_RESET"),
];

/// The C name of `code`: "CAPOS_OK" for any non-negative value,
/// "CAPOS_E_UNKNOWN" for a negative value libcapos does not define.
pub fn name(code: i32) -> &'static CStr {
    if code >= 0 {
        return c"CAPOS_OK";
    }
    NAMES
        .iter()
        .find(|(c, _)| *c == code)
        .map_or(c"CAPOS_E_UNKNOWN", |(_, n)| n)
}

/// The name of an error code, as a static NUL-terminated string that is
/// never NULL and never freed: for example `"CAPOS_E_NOT_FOUND"`.
#[unsafe(no_mangle)]
pub extern "C" fn capos_error_name(code: i32) -> *const c_char {
    name(code).as_ptr()
}

/// The code of a capos-rt error.
pub fn code(error: &Error) -> i32 {
    match error {
        Error::Transport(code) => *code,
        // A gone peer is an outcome C code handles on its own (EPIPE),
        // unlike the other exceptions, which all mean "refused".
        Error::Application {
            kind: ExceptionType::Disconnected,
            ..
        } => CAPOS_E_DISCONNECTED,
        Error::Application { .. } => CAPOS_E_APPLICATION,
        Error::Decode(_) => CAPOS_E_DECODE,
        Error::Ring(RingError::Full) => CAPOS_E_RING_FULL,
        // The ring's own geometry or indices are broken: what the kernel
        // reports as INVALID_ARGUMENT when it sees the same header.
        Error::Ring(RingError::Misaligned | RingError::Geometry | RingError::Corrupt) => {
            CAPOS_E_INVALID_ARGUMENT
        }
    }
}

/// The code of a Directory or File call's failure: the file system's
/// answers each have their own; a path the namespace does not cover or a
/// mount point (which the C calls never meet: they take single names) is
/// a bad argument.
pub fn storage(error: &StorageError) -> i32 {
    match error {
        StorageError::Fs(e) => match e {
            FsError::NotFound => CAPOS_E_NO_ENTRY,
            FsError::Exists => CAPOS_E_EXISTS,
            FsError::NotDirectory => CAPOS_E_NOT_DIRECTORY,
            FsError::IsDirectory => CAPOS_E_IS_DIRECTORY,
            FsError::NotEmpty => CAPOS_E_NOT_EMPTY,
            FsError::ReadOnly => CAPOS_E_READ_ONLY,
            FsError::NoSpace => CAPOS_E_NO_SPACE,
            FsError::NameTooLong => CAPOS_E_NAME_TOO_LONG,
            FsError::InvalidName => CAPOS_E_INVALID_NAME,
            FsError::InvalidArgument => CAPOS_E_BAD_ARGUMENT,
            FsError::FileTooLarge => CAPOS_E_FILE_TOO_LARGE,
            FsError::CrossTree => CAPOS_E_CROSS_TREE,
        },
        StorageError::NotCovered | StorageError::Busy => CAPOS_E_BAD_ARGUMENT,
        StorageError::Call(e) => code(e),
    }
}

/// `Ok(())` as [`CAPOS_OK`], an error as its code.
pub fn status(result: Result<(), i32>) -> i32 {
    result.err().unwrap_or(CAPOS_OK)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;
    use capos_rt::DecodeError;

    #[test]
    fn codes_are_distinct_negative_and_named() {
        for (i, (code, text)) in NAMES.iter().enumerate() {
            assert!(*code < 0);
            assert_eq!(name(*code), *text);
            assert!(text.to_str().unwrap().starts_with("CAPOS_E_"));
            for (other, _) in &NAMES[i + 1..] {
                assert_ne!(code, other);
            }
        }
        assert_eq!(name(0), c"CAPOS_OK");
        assert_eq!(name(17), c"CAPOS_OK");
        assert_eq!(name(-99), c"CAPOS_E_UNKNOWN");
    }

    #[test]
    fn every_transport_code_has_its_abi_name() {
        for (code, abi_name) in abi::ALL {
            let expected = match *abi_name {
                "APPLICATION_EXCEPTION" => "CAPOS_E_APPLICATION".into(),
                other => format!("CAPOS_E_{other}"),
            };
            assert_eq!(name(*code).to_str().unwrap(), expected);
        }
    }

    #[test]
    fn runtime_errors_map_to_codes() {
        assert_eq!(code(&Error::Transport(abi::STALE_CAP)), CAPOS_E_STALE_CAP);
        let app = Error::Application {
            kind: ExceptionType::Failed,
            reason: "no".into(),
        };
        assert_eq!(code(&app), CAPOS_E_APPLICATION);
        let gone = Error::Application {
            kind: ExceptionType::Disconnected,
            reason: "pipe has no reader".into(),
        };
        assert_eq!(code(&gone), CAPOS_E_DISCONNECTED);
        let decode = Error::Decode(DecodeError::Contract("x"));
        assert_eq!(code(&decode), CAPOS_E_DECODE);
        assert_eq!(code(&Error::Ring(RingError::Full)), CAPOS_E_RING_FULL);
        let corrupt = Error::Ring(RingError::Corrupt);
        assert_eq!(code(&corrupt), CAPOS_E_INVALID_ARGUMENT);
        assert_eq!(status(Ok(())), CAPOS_OK);
        assert_eq!(status(Err(CAPOS_E_NOT_HELD)), CAPOS_E_NOT_HELD);
    }
}
