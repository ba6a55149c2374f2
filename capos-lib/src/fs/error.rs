//! The outcome of a store operation, as the schema's `FsError` names it.

use core::fmt;

/// Why an operation did nothing (or, for a short write, not all of it).
/// One variant per schema `FsError` value but `ok`, in schema order; the
/// errno each becomes is in the storage proposal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FsError {
    NotFound = 1,
    Exists = 2,
    NotDirectory = 3,
    IsDirectory = 4,
    NotEmpty = 5,
    ReadOnly = 6,
    NoSpace = 7,
    NameTooLong = 8,
    InvalidName = 9,
    InvalidArgument = 10,
    FileTooLarge = 11,
    CrossTree = 12,
}

impl FsError {
    /// Every value, in schema order.
    pub const ALL: [FsError; 12] = [
        FsError::NotFound,
        FsError::Exists,
        FsError::NotDirectory,
        FsError::IsDirectory,
        FsError::NotEmpty,
        FsError::ReadOnly,
        FsError::NoSpace,
        FsError::NameTooLong,
        FsError::InvalidName,
        FsError::InvalidArgument,
        FsError::FileTooLarge,
        FsError::CrossTree,
    ];

    /// The schema's ordinal of this value (`ok` is 0).
    pub fn ordinal(self) -> u16 {
        self as u16
    }

    /// The value with schema ordinal `n`; `None` for 0 (`ok`) and unknown
    /// values (a newer server's).
    pub fn from_ordinal(n: u16) -> Option<Self> {
        Self::ALL.iter().copied().find(|e| e.ordinal() == n)
    }

    /// The schema's name of the value.
    pub fn name(self) -> &'static str {
        match self {
            FsError::NotFound => "notFound",
            FsError::Exists => "exists",
            FsError::NotDirectory => "notDirectory",
            FsError::IsDirectory => "isDirectory",
            FsError::NotEmpty => "notEmpty",
            FsError::ReadOnly => "readOnly",
            FsError::NoSpace => "noSpace",
            FsError::NameTooLong => "nameTooLong",
            FsError::InvalidName => "invalidName",
            FsError::InvalidArgument => "invalidArgument",
            FsError::FileTooLarge => "fileTooLarge",
            FsError::CrossTree => "crossTree",
        }
    }

    /// What it means, for messages.
    pub fn describe(self) -> &'static str {
        match self {
            FsError::NotFound => "no such file or directory",
            FsError::Exists => "the name is taken",
            FsError::NotDirectory => "not a directory",
            FsError::IsDirectory => "is a directory",
            FsError::NotEmpty => "the directory is not empty",
            FsError::ReadOnly => "read-only: this capability cannot write",
            FsError::NoSpace => "the store is full",
            FsError::NameTooLong => "name too long",
            FsError::InvalidName => "not a valid name",
            FsError::InvalidArgument => "invalid argument",
            FsError::FileTooLarge => "file too large",
            FsError::CrossTree => "not within one tree",
        }
    }
}

impl fmt::Display for FsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.describe(), self.name())
    }
}
