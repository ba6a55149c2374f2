//! The errno of a failed storage call: one table for every file call
//! (docs/proposals/storage-and-naming-proposal.md, "errno").

use super::abi::errno::*;
use crate::linux::errno::{EACCES, EINVAL, EIO, ENAMETOOLONG, ENOENT, ENOMEM};
use capos_rt::{Error, ExceptionType, FsError, StorageError};

pub fn of_fs(e: FsError) -> i64 {
    match e {
        FsError::NotFound => ENOENT,
        FsError::Exists => EEXIST,
        FsError::NotDirectory => ENOTDIR,
        FsError::IsDirectory => EISDIR,
        FsError::NotEmpty => ENOTEMPTY,
        FsError::ReadOnly => EROFS,
        FsError::NoSpace => ENOSPC,
        FsError::NameTooLong => ENAMETOOLONG,
        FsError::InvalidName | FsError::InvalidArgument => EINVAL,
        FsError::FileTooLarge => EFBIG,
        FsError::CrossTree => EXDEV,
    }
}

pub fn of(e: &StorageError) -> i64 {
    match e {
        StorageError::Fs(e) => of_fs(*e),
        StorageError::NotCovered => EACCES,
        StorageError::Busy => EBUSY,
        // The caller's own kernel quota could not pay for a handle.
        StorageError::Call(Error::Application {
            kind: ExceptionType::Overloaded,
            ..
        }) => ENOMEM,
        // A server gone, a reply that does not read, the ring.
        StorageError::Call(_) => EIO,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::String;

    #[test]
    fn every_storage_error_has_its_errno() {
        let table = [
            (FsError::NotFound, ENOENT),
            (FsError::Exists, EEXIST),
            (FsError::NotDirectory, ENOTDIR),
            (FsError::IsDirectory, EISDIR),
            (FsError::NotEmpty, ENOTEMPTY),
            (FsError::ReadOnly, EROFS),
            (FsError::NoSpace, ENOSPC),
            (FsError::NameTooLong, ENAMETOOLONG),
            (FsError::InvalidName, EINVAL),
            (FsError::InvalidArgument, EINVAL),
            (FsError::FileTooLarge, EFBIG),
            (FsError::CrossTree, EXDEV),
        ];
        assert_eq!(table.len(), FsError::ALL.len());
        for (e, errno) in table {
            assert_eq!(of(&StorageError::Fs(e)), errno, "{e:?}");
        }
        assert_eq!(of(&StorageError::NotCovered), EACCES);
        assert_eq!(of(&StorageError::Busy), EBUSY);
        let overloaded = Error::Application {
            kind: ExceptionType::Overloaded,
            reason: String::from("kernel memory quota exhausted"),
        };
        assert_eq!(of(&StorageError::Call(overloaded)), ENOMEM);
        assert_eq!(of(&StorageError::Call(Error::Transport(-16))), EIO);
    }
}
