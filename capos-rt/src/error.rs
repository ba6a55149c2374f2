//! The error of every capability call.

use crate::ring::RingError;
use alloc::string::String;
use capos_schema::ExceptionType;
use core::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The kernel refused the request (or `cap_enter`) with this negative
    /// `capos_abi::error` code; nothing happened.
    Transport(i32),
    /// The method ran and failed with a `CapException`.
    Application { kind: ExceptionType, reason: String },
    /// The reply could not be understood.
    Decode(DecodeError),
    /// The ring could not take the request (see [`RingError`]).
    Ring(RingError),
}

/// Why a reply could not be understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// The message is not valid Cap'n Proto of the expected type.
    Capnp(capnp::ErrorKind),
    /// An enum or union value this runtime does not know.
    NotInSchema(u16),
    /// The kernel broke its side of the contract in the named way.
    Contract(&'static str),
}

impl Error {
    /// The transport code, if this is a transport error.
    pub fn transport_code(&self) -> Option<i32> {
        match self {
            Error::Transport(code) => Some(*code),
            _ => None,
        }
    }
}

impl From<capnp::Error> for Error {
    fn from(e: capnp::Error) -> Self {
        Error::Decode(DecodeError::Capnp(e.kind))
    }
}

impl From<capnp::NotInSchema> for Error {
    fn from(e: capnp::NotInSchema) -> Self {
        Error::Decode(DecodeError::NotInSchema(e.0))
    }
}

impl From<RingError> for Error {
    fn from(e: RingError) -> Self {
        Error::Ring(e)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Transport(code) => {
                write!(f, "{} ({code})", capos_abi::error::name(*code))
            }
            Error::Application { kind, reason } => write!(f, "{kind:?}: {reason}"),
            Error::Decode(DecodeError::Capnp(kind)) => write!(f, "bad reply: {kind:?}"),
            Error::Decode(DecodeError::NotInSchema(v)) => {
                write!(f, "bad reply: value {v} not in schema")
            }
            Error::Decode(DecodeError::Contract(what)) => write!(f, "bad reply: {what}"),
            Error::Ring(e) => write!(f, "ring: {e}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn messages_name_the_code() {
        let e = Error::Transport(capos_abi::error::STALE_CAP);
        assert_eq!(e.to_string(), "STALE_CAP (-4)");
        assert_eq!(e.transport_code(), Some(-4));
        let e = Error::Application {
            kind: ExceptionType::Failed,
            reason: "no such binary".into(),
        };
        assert_eq!(e.to_string(), "Failed: no such binary");
        assert_eq!(e.transport_code(), None);
    }
}
