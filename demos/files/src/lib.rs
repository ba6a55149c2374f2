//! What the file-system programs share: checking an outcome against the
//! one expected, with a message that says which.

#![no_std]

extern crate alloc;

pub mod proc;

use alloc::format;
use alloc::string::String;
use capos_rt::{FsError, StorageError};
use core::fmt::Debug;

/// A failed check, as the line the program prints.
pub type Failure = String;

/// `Ok` if `result` failed with `want`.
pub fn refused<T: Debug>(
    what: &str,
    result: Result<T, StorageError>,
    want: FsError,
) -> Result<(), Failure> {
    match result {
        Err(StorageError::Fs(e)) if e == want => Ok(()),
        other => Err(format!("{what}: expected {}, got {other:?}", want.name())),
    }
}

/// `Ok` if `result` failed because no capability covers the path.
pub fn uncovered<T: Debug>(what: &str, result: Result<T, StorageError>) -> Result<(), Failure> {
    match result {
        Err(StorageError::NotCovered) => Ok(()),
        other => Err(format!(
            "{what}: expected NotCovered (EACCES), got {other:?}"
        )),
    }
}

/// The value, or a failure naming `what`.
pub fn ok<T>(what: &str, result: Result<T, StorageError>) -> Result<T, Failure> {
    result.map_err(|e| format!("{what}: {e}"))
}

/// A failure unless `cond`.
pub fn ensure(cond: bool, what: impl FnOnce() -> String) -> Result<(), Failure> {
    if cond { Ok(()) } else { Err(what()) }
}
