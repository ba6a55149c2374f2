//! `open`'s flags: what is asked of the file, what stays with the open
//! description, and what capOS refuses.

use super::abi::open::*;
use crate::linux::errno::EINVAL;

/// An open request, from its flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Request {
    pub read: bool,
    pub write: bool,
    pub create: bool,
    /// O_EXCL with O_CREAT (alone, Linux ignores it for files).
    pub exclusive: bool,
    /// O_TRUNC (Linux truncates even with O_RDONLY).
    pub truncate: bool,
    /// O_DIRECTORY: the path must be a directory.
    pub directory: bool,
    pub cloexec: bool,
    /// The file status flags the open description keeps (F_GETFL).
    pub status: i64,
}

/// A refusal: the errno, and for what capOS does not do (rather than a
/// malformed request), the reason logged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused {
    pub errno: i64,
    pub reason: Option<&'static str>,
}

fn refused(errno: i64, reason: &'static str) -> Refused {
    Refused {
        errno,
        reason: Some(reason),
    }
}

/// Flags that change nothing on capOS and are accepted as Linux does:
/// O_NOCTTY (no terminals are opened by path), O_NOFOLLOW (no links),
/// O_LARGEFILE (offsets are 64-bit), O_SYNC and O_DSYNC (every write is
/// already as durable as the RAM store makes it), O_NONBLOCK (kept; a
/// file never blocks).
const ACCEPTED: i64 = O_ACCMODE
    | O_CREAT
    | O_EXCL
    | O_NOCTTY
    | O_TRUNC
    | O_APPEND
    | O_NONBLOCK
    | O_SYNC
    | O_LARGEFILE
    | O_DIRECTORY
    | O_NOFOLLOW
    | O_CLOEXEC;

pub fn parse(flags: i64) -> Result<Request, Refused> {
    if flags & O_TMPFILE == O_TMPFILE {
        return Err(refused(
            super::abi::errno::EOPNOTSUPP,
            "unnamed temporary files (O_TMPFILE)",
        ));
    }
    if flags & O_PATH != 0 {
        return Err(refused(
            EINVAL,
            "O_PATH: a descriptor holds a File or a Directory",
        ));
    }
    if flags & O_DIRECT != 0 {
        return Err(refused(EINVAL, "O_DIRECT"));
    }
    if flags & O_ASYNC != 0 {
        return Err(refused(EINVAL, "O_ASYNC (no signal-driven I/O)"));
    }
    if flags & O_NOATIME != 0 {
        return Err(refused(
            EINVAL,
            "O_NOATIME: reads always record the access time",
        ));
    }
    if flags & !ACCEPTED != 0 {
        return Err(Refused {
            errno: EINVAL,
            reason: None,
        });
    }
    let (read, write) = match flags & O_ACCMODE {
        O_RDONLY => (true, false),
        O_WRONLY => (false, true),
        O_RDWR => (true, true),
        _ => {
            return Err(Refused {
                errno: EINVAL,
                reason: None,
            });
        }
    };
    let create = flags & O_CREAT != 0;
    let directory = flags & O_DIRECTORY != 0;
    if create && directory {
        // Linux's answer since 6.4.
        return Err(Refused {
            errno: EINVAL,
            reason: None,
        });
    }
    Ok(Request {
        read,
        write,
        create,
        exclusive: create && flags & O_EXCL != 0,
        truncate: flags & O_TRUNC != 0,
        directory,
        cloexec: flags & O_CLOEXEC != 0,
        status: flags & (O_APPEND | O_NONBLOCK),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_modes_and_creation() {
        let r = parse(O_RDONLY).unwrap();
        assert!(r.read && !r.write && !r.create);
        let r = parse(O_WRONLY | O_CREAT | O_TRUNC).unwrap();
        assert!(!r.read && r.write && r.create && r.truncate && !r.exclusive);
        let r = parse(O_RDWR | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC).unwrap();
        assert!(r.read && r.write && r.exclusive && r.cloexec);
        assert_eq!(r.status, O_APPEND);
        // O_EXCL without O_CREAT means nothing for files, as on Linux.
        assert!(!parse(O_RDONLY | O_EXCL).unwrap().exclusive);
        assert_eq!(parse(3).unwrap_err().errno, EINVAL);
    }

    #[test]
    fn flags_without_effect_are_accepted_and_the_rest_refused() {
        for ok in [
            O_NOCTTY,
            O_NOFOLLOW,
            O_LARGEFILE,
            O_SYNC,
            0o10000,
            O_NONBLOCK,
            O_DIRECTORY,
        ] {
            assert!(parse(ok).is_ok(), "{ok:o}");
        }
        assert_eq!(parse(O_NONBLOCK).unwrap().status, O_NONBLOCK);
        let refused = |f| parse(f).unwrap_err();
        assert_eq!(
            refused(O_TMPFILE | O_RDWR).errno,
            super::super::abi::errno::EOPNOTSUPP
        );
        assert!(refused(O_PATH).reason.is_some());
        assert!(refused(O_DIRECT).reason.is_some());
        assert!(refused(O_ASYNC).reason.is_some());
        assert!(refused(O_NOATIME).reason.is_some());
        assert_eq!(refused(O_CREAT | O_DIRECTORY).errno, EINVAL);
        assert_eq!(refused(1 << 30).errno, EINVAL);
    }
}
