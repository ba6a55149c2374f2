//! Why launch parameters were refused.

use core::fmt;

/// Which of the two string lists an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum List {
    Argv,
    Env,
}

impl List {
    pub fn name(self) -> &'static str {
        match self {
            List::Argv => "argv",
            List::Env => "env",
        }
    }
}

/// A reason [`super::encode()`] or [`super::decode()`] refused its input. The
/// first group is what a caller of `encode` can get wrong; the second is
/// what only a corrupt or hostile region can contain. The env-entry rules
/// belong to both: `decode` re-checks them so a reader can rely on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LaunchError {
    /// A string contains a NUL byte, which would end it early for C.
    InteriorNul {
        list: List,
        index: usize,
    },
    /// An environment entry has no `=`.
    EnvMissingEquals {
        index: usize,
    },
    /// An environment entry starts with `=`.
    EnvEmptyKey {
        index: usize,
    },
    /// More than [`super::MAX_ARGS`] arguments or [`super::MAX_ENV`] entries.
    TooMany {
        list: List,
    },
    /// The encoding would exceed [`super::MAX_SIZE`] bytes.
    TooLarge,

    /// The region is shorter than its header or its stated total length.
    Truncated,
    BadMagic,
    BadVersion,
    /// The reserved header field is not zero.
    ReservedNotZero,
    /// The stated total length is below the header size or above
    /// [`super::MAX_SIZE`].
    BadTotalLength,
    /// A table starts inside the header, is not 4-byte aligned, or runs
    /// past the total length.
    BadTable {
        list: List,
    },
    /// A string offset points into the header or past the total length.
    StringOutOfRange {
        list: List,
        index: usize,
    },
    /// No NUL byte between a string's offset and the total length.
    Unterminated {
        list: List,
        index: usize,
    },
}

impl LaunchError {
    /// A one-line, human-readable description, without the list and index
    /// (the [`fmt::Display`] form adds them).
    pub fn message(&self) -> &'static str {
        match self {
            LaunchError::InteriorNul { .. } => "contains a NUL byte",
            LaunchError::EnvMissingEquals { .. } => "is not of the form KEY=VALUE (no '=')",
            LaunchError::EnvEmptyKey { .. } => "has an empty key (starts with '=')",
            LaunchError::TooMany { list: List::Argv } => "too many arguments (at most 1024)",
            LaunchError::TooMany { list: List::Env } => {
                "too many environment entries (at most 1024)"
            }
            LaunchError::TooLarge => "argv and env together exceed 64 KiB once encoded",
            LaunchError::Truncated => "region is shorter than its header or stated length",
            LaunchError::BadMagic => "not launch parameters (bad magic number)",
            LaunchError::BadVersion => "unknown launch parameter version",
            LaunchError::ReservedNotZero => "reserved header field is not zero",
            LaunchError::BadTotalLength => "stated total length is out of range",
            LaunchError::BadTable { .. } => "table is misaligned or out of range",
            LaunchError::StringOutOfRange { .. } => "string offset is out of range",
            LaunchError::Unterminated { .. } => "string has no terminating NUL",
        }
    }
}

impl fmt::Display for LaunchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            LaunchError::InteriorNul { list, index }
            | LaunchError::StringOutOfRange { list, index }
            | LaunchError::Unterminated { list, index } => {
                write!(f, "{}[{index}]: {}", list.name(), self.message())
            }
            LaunchError::EnvMissingEquals { index } | LaunchError::EnvEmptyKey { index } => {
                write!(f, "env[{index}]: {}", self.message())
            }
            LaunchError::BadTable { list } => write!(f, "{}: {}", list.name(), self.message()),
            _ => f.write_str(self.message()),
        }
    }
}
