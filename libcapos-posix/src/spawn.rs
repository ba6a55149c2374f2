//! The pure rules of starting a program (§6 of the POSIX adapter
//! proposal), shared by posix_spawn, execve and the fork shim:
//!
//! - which boot-manifest binary a path names ([`binary`]): until a file
//!   system exists, "/bin/NAME" is the manifest's NAME, a bare NAME is
//!   found the same way when the caller searches (posix_spawnp, execvp),
//!   and any other path does not exist;
//! - the child's descriptors ([`child_fds`]): a copy of the parent's
//!   table, the file actions applied in order, then exec's close-on-exec
//!   pass; the parent's table is never touched;
//! - the errno of a spawn the kernel refused ([`refusal_errno`]).
//!
//! Errors are positive Linux errno values.

use crate::fd::{FdTable, MAX_FDS};
use crate::linux::errno::{E2BIG, EACCES, EAGAIN, EINVAL, EIO, ENOENT, ENOSYS};
use crate::linux::nr;
use alloc::format;
use alloc::string::String;
use capos_rt::{Error, ExceptionType};

/// The directory whose entries are the boot manifest's binaries.
const BIN: &[u8] = b"/bin/";

/// The manifest binary `path` names; `search` for a name looked up as
/// posix_spawnp and execvp do (one without '/'). A path that is not
/// UTF-8, or not of the form "/bin/NAME", names nothing (ENOENT).
pub fn binary(path: &[u8], search: bool) -> Result<&str, i64> {
    let name = if search && !path.contains(&b'/') {
        path
    } else {
        path.strip_prefix(BIN).ok_or(ENOENT)?
    };
    if name.is_empty() || name.contains(&b'/') {
        return Err(ENOENT);
    }
    core::str::from_utf8(name).map_err(|_| ENOENT)
}

/// The name of the CapSet entry that carries descriptor `fd` to a child.
pub fn fd_grant_name(fd: usize) -> String {
    format!("fd/{fd}")
}

/// The descriptor a CapSet entry named "fd/N" carries: N in decimal
/// without leading zeros, below [`MAX_FDS`]; None for any other name.
pub fn fd_of_grant(name: &[u8]) -> Option<usize> {
    let digits = name.strip_prefix(b"fd/")?;
    if digits.is_empty() || digits.len() > 2 || (digits.len() > 1 && digits[0] == b'0') {
        return None;
    }
    let fd = digits.iter().try_fold(0usize, |n, &d| {
        d.is_ascii_digit().then(|| n * 10 + usize::from(d - b'0'))
    })?;
    (fd < MAX_FDS).then_some(fd)
}

/// One posix_spawn file action, in the order the caller added them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileAction {
    /// addclose(fd).
    Close(i64),
    /// adddup2(src, fd); with src == fd it clears fd's close-on-exec.
    Dup2 { src: i64, fd: i64 },
    /// addopen: needs a file system.
    Open,
    /// addchdir_np: needs a file system.
    Chdir,
    /// addfchdir_np: needs a directory descriptor.
    Fchdir,
}

/// Why a file action failed: the errno posix_spawn returns and, for an
/// action capOS cannot perform at all, the call to name in a report line.
#[derive(Debug, PartialEq, Eq)]
pub struct ActionError {
    pub errno: i64,
    pub unsupported: Option<i64>,
}

/// The descriptors a child starts with: `parent` copied, `actions`
/// applied in order, then every close-on-exec descriptor dropped. A
/// close of a descriptor that is not open is ignored (as musl's
/// posix_spawn does); a dup2 from one that is not open is EBADF. Opening
/// and changing directory need a file system, which capOS does not have
/// yet: ENOSYS, the errno of open and chdir themselves.
pub fn child_fds<T>(
    parent: &FdTable<T>,
    actions: &[FileAction],
) -> Result<FdTable<T>, ActionError> {
    let mut table = parent.duplicate();
    let fail = |errno| ActionError {
        errno,
        unsupported: None,
    };
    for action in actions {
        match *action {
            FileAction::Close(fd) => {
                let _ = table.close(fd);
            }
            FileAction::Dup2 { src, fd } if src == fd => {
                table.set_cloexec(fd, false).map_err(fail)?;
            }
            FileAction::Dup2 { src, fd } => {
                table.dup2(src, fd, false, false).map_err(fail)?;
            }
            FileAction::Open => return Err(unsupported(nr::OPEN)),
            FileAction::Chdir => return Err(unsupported(nr::CHDIR)),
            FileAction::Fchdir => return Err(unsupported(nr::FCHDIR)),
        }
    }
    Ok(table.inherited())
}

fn unsupported(call: i64) -> ActionError {
    ActionError {
        errno: ENOSYS,
        unsupported: Some(call),
    }
}

/// The errno of a refused ProcessSpawner.spawn. The kernel says why in
/// the exception's reason (kernel/src/cap/process_spawner.rs): no such
/// binary → ENOENT, outside the spawner's allowlist → EACCES, argv or
/// environment too large → E2BIG, quotas exhausted (Overloaded) →
/// EAGAIN; any other refusal is a malformed request → EINVAL; a ring or
/// decoding failure → EIO.
pub fn refusal_errno(error: &Error) -> i64 {
    match error {
        Error::Application {
            kind: ExceptionType::Overloaded,
            ..
        } => EAGAIN,
        Error::Application { reason, .. } => {
            if reason.starts_with("no binary named") {
                ENOENT
            } else if reason.contains("outside this spawner's allowlist") {
                EACCES
            } else if reason.starts_with("argv/env") {
                E2BIG
            } else {
                EINVAL
            }
        }
        Error::Transport(code) if *code == capos_abi::error::NO_RESOURCES => EAGAIN,
        Error::Transport(code) if *code == capos_abi::error::MESSAGE_TOO_LARGE => E2BIG,
        _ => EIO,
    }
}

/// EINVAL for a spawn argument that capOS cannot carry: launch
/// parameters are UTF-8 text.
pub fn text(bytes: &[u8]) -> Result<&str, i64> {
    core::str::from_utf8(bytes).map_err(|_| EINVAL)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linux::errno::EBADF;
    use alloc::rc::Rc;
    use alloc::string::ToString;
    use alloc::vec::Vec;

    #[test]
    fn paths_name_manifest_binaries() {
        assert_eq!(binary(b"/bin/pipe-child", false), Ok("pipe-child"));
        assert_eq!(binary(b"/bin/pipe-child", true), Ok("pipe-child"));
        assert_eq!(binary(b"pipe-child", true), Ok("pipe-child"));
        assert_eq!(
            binary(b"pipe-child", false),
            Err(ENOENT),
            "relative to a cwd"
        );
        assert_eq!(binary(b"/usr/bin/pipe-child", false), Err(ENOENT));
        assert_eq!(binary(b"/usr/bin/pipe-child", true), Err(ENOENT));
        assert_eq!(binary(b"/bin/", false), Err(ENOENT));
        assert_eq!(binary(b"/bin/a/b", false), Err(ENOENT));
        assert_eq!(binary(b"", true), Err(ENOENT));
        assert_eq!(binary(b"/bin/\xff", false), Err(ENOENT));
        assert_eq!(binary(b"./x", true), Err(ENOENT));
    }

    #[test]
    fn fd_grant_names_round_trip() {
        for fd in 0..MAX_FDS {
            assert_eq!(fd_of_grant(fd_grant_name(fd).as_bytes()), Some(fd));
        }
        for bad in [
            &b"fd/"[..],
            b"fd/64",
            b"fd/01",
            b"fd/-1",
            b"fd/1x",
            b"fd/100",
            b"fd1",
            b"console",
        ] {
            assert_eq!(fd_of_grant(bad), None, "{bad:?}");
        }
    }

    fn parent() -> FdTable<String> {
        let mut t = FdTable::default();
        for name in ["in", "out", "err"] {
            t.open(Rc::new(name.to_string()), false).unwrap();
        }
        t.open(Rc::new("pipe".to_string()), true).unwrap();
        t
    }

    fn names(t: &FdTable<String>) -> Vec<(usize, String)> {
        t.iter().map(|(fd, o, _)| (fd, o.to_string())).collect()
    }

    #[test]
    fn file_actions_apply_to_a_copy_then_close_on_exec() {
        let p = parent();
        let before = names(&p);
        let child = child_fds(
            &p,
            &[
                FileAction::Dup2 { src: 3, fd: 1 },
                FileAction::Close(0),
                FileAction::Close(40),
            ],
        )
        .unwrap();
        assert_eq!(
            names(&child),
            [(1, "pipe".to_string()), (2, "err".to_string())],
            "fd 3 was close-on-exec; its dup at 1 is not"
        );
        assert_eq!(names(&p), before, "the parent's table is untouched");
        assert_eq!(p.cloexec(3), Ok(true));
    }

    #[test]
    fn dup2_onto_itself_clears_close_on_exec() {
        let child = child_fds(&parent(), &[FileAction::Dup2 { src: 3, fd: 3 }]).unwrap();
        assert_eq!(child.get(3).map(|o| o.as_str()), Ok("pipe"));
    }

    #[test]
    fn failing_actions_stop_the_spawn() {
        let p = parent();
        let bad = |actions: &[FileAction]| child_fds(&p, actions).err().unwrap();
        assert_eq!(
            bad(&[FileAction::Dup2 { src: 7, fd: 1 }]),
            ActionError {
                errno: EBADF,
                unsupported: None
            }
        );
        assert_eq!(bad(&[FileAction::Dup2 { src: 1, fd: 64 }]).errno, EBADF);
        assert_eq!(bad(&[FileAction::Dup2 { src: 9, fd: 9 }]).errno, EBADF);
        assert_eq!(
            bad(&[FileAction::Close(1), FileAction::Open]),
            ActionError {
                errno: ENOSYS,
                unsupported: Some(nr::OPEN)
            }
        );
        assert_eq!(bad(&[FileAction::Chdir]).unsupported, Some(nr::CHDIR));
        assert_eq!(bad(&[FileAction::Fchdir]).unsupported, Some(nr::FCHDIR));
    }

    #[test]
    fn refusals_map_to_errno() {
        let app = |kind, reason: &str| Error::Application {
            kind,
            reason: reason.to_string(),
        };
        let failed = |reason| refusal_errno(&app(ExceptionType::Failed, reason));
        assert_eq!(failed("no binary named \"x\" in the boot manifest"), ENOENT);
        assert_eq!(
            failed("binary \"x\" is outside this spawner's allowlist"),
            EACCES
        );
        assert_eq!(failed("argv/env: too many arguments"), E2BIG);
        assert_eq!(
            failed("grant \"fd/1\": capability is not transferable"),
            EINVAL
        );
        assert_eq!(
            refusal_errno(&app(
                ExceptionType::Overloaded,
                "spawn \"x\": out of frames"
            )),
            EAGAIN
        );
        assert_eq!(
            refusal_errno(&Error::Transport(capos_abi::error::NO_RESOURCES)),
            EAGAIN
        );
        assert_eq!(
            refusal_errno(&Error::Transport(capos_abi::error::MESSAGE_TOO_LARGE)),
            E2BIG
        );
        assert_eq!(
            refusal_errno(&Error::Transport(capos_abi::error::BAD_ADDRESS)),
            EIO
        );
    }

    #[test]
    fn launch_text_must_be_utf8() {
        assert_eq!(text(b"two words"), Ok("two words"));
        assert_eq!(text(b"\xc3"), Err(EINVAL));
    }
}
