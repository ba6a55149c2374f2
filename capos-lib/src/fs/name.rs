//! What a single name may be.
//!
//! A Directory method takes names, never paths, and refuses anything that
//! could be read as more than one step down: that is what keeps a
//! directory capability's authority inside its subtree whatever a client
//! sends (docs/proposals/storage-and-naming-proposal.md, rule 2).

use super::{FsError, NAME_MAX};

/// Checks that `name` is one entry name: 1 to [`NAME_MAX`] bytes, no `/`
/// and no NUL, and neither `.` nor `..`. Any bytes otherwise (names need
/// not be UTF-8).
pub fn check(name: &[u8]) -> Result<(), FsError> {
    if name.len() > NAME_MAX {
        return Err(FsError::NameTooLong);
    }
    if name.is_empty() || name == b"." || name == b".." || name.iter().any(|&b| b == b'/' || b == 0)
    {
        return Err(FsError::InvalidName);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn plain_names_pass() {
        for name in [
            &b"a"[..],
            b"hosts",
            b"..a",
            b".hidden",
            b"a b",
            b"\xff\xfe",
            b"...",
            b"a..",
        ] {
            assert_eq!(check(name), Ok(()), "{name:?}");
        }
        assert_eq!(check(&vec![b'x'; NAME_MAX]), Ok(()));
    }

    #[test]
    fn anything_that_is_not_one_step_down_is_refused() {
        for name in [
            &b""[..],
            b".",
            b"..",
            b"a/b",
            b"/",
            b"a/",
            b"/a",
            b"a\0b",
            b"\0",
        ] {
            assert_eq!(check(name), Err(FsError::InvalidName), "{name:?}");
        }
        assert_eq!(check(&vec![b'x'; NAME_MAX + 1]), Err(FsError::NameTooLong));
        // Too long wins over the other faults: it is what Linux reports.
        assert_eq!(check(&vec![b'/'; NAME_MAX + 1]), Err(FsError::NameTooLong));
    }
}
