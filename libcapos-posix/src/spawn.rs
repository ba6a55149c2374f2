//! The pure rules of starting a program (§6 of the POSIX adapter
//! proposal), shared by posix_spawn, execve and the fork shim:
//!
//! - which boot-manifest binary a path names. A path the process's file
//!   tree covers is looked up there ([`runnable`]): it must be a file
//!   with an execute bit that still holds a manifest binary's bytes
//!   (File.binary names it; a manifest `/bin/NAME` or any `binary` node
//!   is one until written). A path no granted directory covers falls
//!   back to the rule from before the file tree ([`binary`]):
//!   "/bin/NAME" is the manifest's NAME, anything else does not exist;
//! - PATH search ([`search`]), for posix_spawnp, as musl's __execvpe
//!   does it for execvp;
//! - the child's descriptors ([`child_fds`]): a copy of the parent's
//!   table, the file actions applied in order, then exec's close-on-exec
//!   pass; the parent's table is never touched;
//! - the errno of a spawn the kernel refused ([`refusal_errno`]).
//!
//! Errors are positive Linux errno values.

use crate::fd::{FdTable, MAX_FDS};
use crate::linux::errno::{
    E2BIG, EACCES, EAGAIN, EBADF, EINVAL, EIO, ENAMETOOLONG, ENOENT, ENOEXEC,
};
use alloc::format;
use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;
use capos_lib::fs::PATH_MAX;
use capos_rt::{Error, ExceptionType};

/// ENOTDIR (file/abi.rs has the file calls' errno values).
const ENOTDIR: i64 = 20;

/// The directory whose entries are the boot manifest's binaries when no
/// directory of the file tree covers it.
const BIN: &[u8] = b"/bin/";

/// The longest name a PATH search looks for (NAME_MAX).
const NAME_MAX: usize = 255;

/// musl's PATH when the environment has none (__execvpe).
pub const DEFAULT_PATH: &[u8] = b"/usr/local/bin:/bin:/usr/bin";

/// The manifest binary `path` names when no directory of the process's
/// file tree covers it: "/bin/NAME" is NAME; anything else, and a name
/// that is not UTF-8, names nothing (ENOENT).
pub fn binary(path: &[u8]) -> Result<&str, i64> {
    let name = path.strip_prefix(BIN).ok_or(ENOENT)?;
    if name.is_empty() || name.contains(&b'/') {
        return Err(ENOENT);
    }
    core::str::from_utf8(name).map_err(|_| ENOENT)
}

/// What the file tree holds at a program's path.
#[derive(Clone, Copy, Debug)]
pub struct Node<'a> {
    pub directory: bool,
    /// The recorded permission bits.
    pub mode: u32,
    /// The manifest binary whose bytes the file holds unchanged.
    pub binary: Option<&'a str>,
}

/// The manifest binary to start for `node`, with Linux's execve errors:
/// a directory, or a file with no execute bit, is EACCES (checked first,
/// as Linux does); an executable file that is not a manifest binary's
/// bytes (a script, a program written at run time) is ENOEXEC: capOS
/// starts only the boot image's binaries.
pub fn runnable<'a>(node: &Node<'a>) -> Result<&'a str, i64> {
    if node.directory || node.mode & 0o111 == 0 {
        return Err(EACCES);
    }
    node.binary.ok_or(ENOEXEC)
}

/// Tries `start` on each place `file` may be, as musl's __execvpe: a
/// name with a '/' is only itself; otherwise each directory of
/// `path_var` (PATH, or [`DEFAULT_PATH`] without one; an empty entry is
/// the working directory) in order, until one starts. EACCES, ENOENT
/// and ENOTDIR go on to the next directory; any other error ends the
/// search with it. When none starts: EACCES if any said so, else the
/// last error. An empty name is ENOENT, one over NAME_MAX ENAMETOOLONG;
/// a candidate longer than PATH_MAX (which execve would refuse) is
/// skipped.
pub fn search<T>(
    file: &[u8],
    path_var: Option<&[u8]>,
    mut start: impl FnMut(&[u8]) -> Result<T, i64>,
) -> Result<T, i64> {
    if file.is_empty() {
        return Err(ENOENT);
    }
    if file.contains(&b'/') {
        return start(file);
    }
    if file.len() > NAME_MAX {
        return Err(ENAMETOOLONG);
    }
    let mut seen_eacces = false;
    let mut last = ENOENT;
    for dir in path_var.unwrap_or(DEFAULT_PATH).split(|&b| b == b':') {
        let mut candidate: Vec<u8> = Vec::with_capacity(dir.len() + 1 + file.len());
        candidate.extend_from_slice(dir);
        if !dir.is_empty() {
            candidate.push(b'/');
        }
        candidate.extend_from_slice(file);
        if candidate.len() > PATH_MAX {
            continue;
        }
        match start(&candidate) {
            Ok(t) => return Ok(t),
            Err(EACCES) => {
                seen_eacces = true;
                last = EACCES;
            }
            Err(e @ (ENOENT | ENOTDIR)) => last = e,
            Err(e) => return Err(e),
        }
    }
    Err(if seen_eacces { EACCES } else { last })
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
pub enum FileAction<'a> {
    /// addclose(fd).
    Close(i64),
    /// adddup2(src, fd); with src == fd it clears fd's close-on-exec.
    Dup2 { src: i64, fd: i64 },
    /// addopen(fd, path, flags, mode).
    Open {
        fd: i64,
        path: &'a [u8],
        flags: i64,
        mode: i64,
    },
    /// addchdir_np(path): the child's working directory.
    Chdir(&'a [u8]),
    /// addfchdir_np(fd): the directory at fd of the child's table.
    Fchdir(i64),
}

/// Where an addchdir_np or addfchdir_np moves the child.
#[derive(Debug, PartialEq, Eq)]
pub enum Chdir<'a, T> {
    /// A path, relative to the child's working directory so far.
    Path(&'a [u8]),
    /// The object at a descriptor of the child's table as it is then.
    Descriptor(&'a T),
}

/// What file actions do besides changing the table, in the process that
/// spawns (where the child's namespace is its own): opens and changes
/// of the child's working directory, in the order of the actions.
pub trait Effects<T> {
    /// addopen's open: its error (ENOENT, EACCES, ...) is the spawn's.
    fn open(&mut self, path: &[u8], flags: i64, mode: i64) -> Result<Rc<T>, ActionError>;
    /// Moves the child's working directory; later opens and changes by a
    /// relative path start there.
    fn chdir(&mut self, to: Chdir<'_, T>) -> Result<(), ActionError>;
}

/// Why a file action failed: the errno posix_spawn returns and, for one
/// capOS refuses outright, the call to name in a report line and why.
#[derive(Debug, PartialEq, Eq)]
pub struct ActionError {
    pub errno: i64,
    pub report: Option<(i64, &'static str)>,
}

impl ActionError {
    pub fn errno(errno: i64) -> Self {
        ActionError {
            errno,
            report: None,
        }
    }
}

/// The descriptors a child starts with: `parent` copied, `actions`
/// applied in order, then every close-on-exec descriptor dropped. A
/// close of a descriptor that is not open is ignored (as musl's
/// posix_spawn does); a dup2 from one that is not open is EBADF. An
/// open runs `effects.open` (the parent's namespace opens the path, as
/// the child would have: before the spawn, in this process) and puts the
/// result at its descriptor, replacing what was there, without
/// close-on-exec: musl's child dup2s it there; its error (ENOENT,
/// EACCES, ...) is the spawn's. A chdir runs `effects.chdir`; an fchdir
/// of a descriptor that is not open is EBADF. A descriptor out of range
/// is EBADF.
pub fn child_fds<T>(
    parent: &FdTable<T>,
    actions: &[FileAction<'_>],
    effects: &mut impl Effects<T>,
) -> Result<FdTable<T>, ActionError> {
    let mut table = parent.duplicate();
    for action in actions {
        match *action {
            FileAction::Close(fd) => {
                let _ = table.close(fd);
            }
            FileAction::Dup2 { src, fd } if src == fd => {
                table.set_cloexec(fd, false).map_err(ActionError::errno)?;
            }
            FileAction::Dup2 { src, fd } => {
                table
                    .dup2(src, fd, false, false)
                    .map_err(ActionError::errno)?;
            }
            FileAction::Open {
                fd,
                path,
                flags,
                mode,
            } => {
                let fd = usize::try_from(fd)
                    .ok()
                    .filter(|&fd| fd < MAX_FDS)
                    .ok_or(ActionError::errno(EBADF))?;
                let object = effects.open(path, flags, mode)?;
                table.install(fd, object, false);
            }
            FileAction::Chdir(path) => effects.chdir(Chdir::Path(path))?,
            FileAction::Fchdir(fd) => {
                let object = table.get(fd).map_err(ActionError::errno)?;
                effects.chdir(Chdir::Descriptor(&**object))?;
            }
        }
    }
    Ok(table.inherited())
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
    use alloc::string::ToString;
    use alloc::vec::Vec;

    #[test]
    fn uncovered_paths_name_manifest_binaries() {
        assert_eq!(binary(b"/bin/pipe-child"), Ok("pipe-child"));
        assert_eq!(binary(b"pipe-child"), Err(ENOENT), "relative to a cwd");
        assert_eq!(binary(b"/usr/bin/pipe-child"), Err(ENOENT));
        assert_eq!(binary(b"/bin/"), Err(ENOENT));
        assert_eq!(binary(b"/bin/a/b"), Err(ENOENT));
        assert_eq!(binary(b""), Err(ENOENT));
        assert_eq!(binary(b"/bin/\xff"), Err(ENOENT));
        assert_eq!(binary(b"./x"), Err(ENOENT));
    }

    #[test]
    fn tree_nodes_run_as_linux_execve_says() {
        let node = |directory, mode, binary| Node {
            directory,
            mode,
            binary,
        };
        assert_eq!(runnable(&node(false, 0o755, Some("dash"))), Ok("dash"));
        assert_eq!(runnable(&node(false, 0o100, Some("dash"))), Ok("dash"));
        assert_eq!(runnable(&node(true, 0o755, None)), Err(EACCES));
        assert_eq!(
            runnable(&node(false, 0o644, Some("dash"))),
            Err(EACCES),
            "no execute bit, even over a binary"
        );
        assert_eq!(runnable(&node(false, 0o755, None)), Err(ENOEXEC));
    }

    /// The candidates `search` tried, and its answer, when each path
    /// answers `errno_of`.
    fn searched(
        file: &[u8],
        path_var: Option<&[u8]>,
        errno_of: impl Fn(&[u8]) -> Option<i64>,
    ) -> (Vec<String>, Result<String, i64>) {
        let mut tried = Vec::new();
        let result = search(file, path_var, |p| {
            let p = String::from_utf8(p.to_vec()).unwrap();
            tried.push(p.clone());
            match errno_of(p.as_bytes()) {
                Some(e) => Err(e),
                None => Ok(p),
            }
        });
        (tried, result)
    }

    #[test]
    fn path_search_is_musls() {
        let only = |hit: &'static [u8]| move |p: &[u8]| (p != hit).then_some(ENOENT);
        let (tried, found) = searched(b"sh", None, only(b"/bin/sh"));
        assert_eq!(tried, ["/usr/local/bin/sh", "/bin/sh"]);
        assert_eq!(found.as_deref(), Ok("/bin/sh"));
        let (tried, found) = searched(b"sh", Some(b"/a::/b"), only(b"sh"));
        assert_eq!(tried, ["/a/sh", "sh"], "an empty entry is the cwd");
        assert_eq!(found.as_deref(), Ok("sh"));
        let (tried, found) = searched(b"./x", Some(b"/a"), only(b"./x"));
        assert_eq!((tried.len(), found.is_ok()), (1, true), "a '/': no search");
        assert_eq!(searched(b"", None, only(b"")).1, Err(ENOENT));
        let long = [b'n'; 256];
        assert_eq!(searched(&long, None, only(b"")).1, Err(ENAMETOOLONG));
        let (tried, _) = searched(&long[..255], Some(&[b'd'; 4000]), only(b""));
        assert!(tried.is_empty(), "over PATH_MAX: skipped");
    }

    #[test]
    fn path_search_errors_are_musls() {
        let eacces_in_a = |p: &[u8]| {
            Some(if p.starts_with(b"/a/") {
                EACCES
            } else {
                ENOENT
            })
        };
        assert_eq!(
            searched(b"x", Some(b"/a:/b"), eacces_in_a).1,
            Err(EACCES),
            "EACCES wins over a later ENOENT"
        );
        assert_eq!(
            searched(b"x", Some(b"/a:/b"), |_| Some(ENOTDIR)).1,
            Err(ENOTDIR),
            "the last error"
        );
        let (tried, found) = searched(b"x", Some(b"/a:/b"), |_| Some(ENOEXEC));
        assert_eq!(
            (tried.len(), found),
            (1, Err(ENOEXEC)),
            "any other error stops"
        );
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

    /// The parent's namespace, as `child_fds` sees it: "/f" opens as
    /// "file /f"; anything else is ENOENT. The chdirs are recorded;
    /// "/missing" is ENOENT.
    #[derive(Default)]
    struct Fake {
        chdirs: Vec<String>,
    }

    impl Effects<String> for Fake {
        fn open(&mut self, path: &[u8], _: i64, _: i64) -> Result<Rc<String>, ActionError> {
            match path {
                b"/f" => Ok(Rc::new("file /f".to_string())),
                _ => Err(ActionError::errno(ENOENT)),
            }
        }

        fn chdir(&mut self, to: Chdir<'_, String>) -> Result<(), ActionError> {
            let to = match to {
                Chdir::Path(b"/missing") => return Err(ActionError::errno(ENOENT)),
                Chdir::Path(p) => String::from_utf8(p.to_vec()).unwrap(),
                Chdir::Descriptor(o) => alloc::format!("fd {o}"),
            };
            self.chdirs.push(to);
            Ok(())
        }
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
            &mut Fake::default(),
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
        let actions = [FileAction::Dup2 { src: 3, fd: 3 }];
        let child = child_fds(&parent(), &actions, &mut Fake::default()).unwrap();
        assert_eq!(child.get(3).map(|o| o.as_str()), Ok("pipe"));
    }

    #[test]
    fn opens_replace_in_order_and_cross_the_exec() {
        let p = parent();
        let at = |fd, path| FileAction::Open {
            fd,
            path,
            flags: 0,
            mode: 0,
        };
        let child = child_fds(
            &p,
            &[at(3, b"/f"), at(9, b"/f"), FileAction::Close(9)],
            &mut Fake::default(),
        )
        .unwrap();
        assert_eq!(
            names(&child),
            [
                (0, "in".to_string()),
                (1, "out".to_string()),
                (2, "err".to_string()),
                (3, "file /f".to_string()),
            ],
            "the close-on-exec pipe at 3 replaced; 9 opened then closed"
        );
        let child = child_fds(
            &p,
            &[at(1, b"/f"), FileAction::Dup2 { src: 1, fd: 0 }],
            &mut Fake::default(),
        )
        .unwrap();
        assert_eq!(child.get(0).map(|o| o.as_str()), Ok("file /f"));
        assert_eq!(
            names(&p),
            names(&parent()),
            "the parent's table is untouched"
        );
    }

    #[test]
    fn failing_actions_stop_the_spawn() {
        let p = parent();
        let bad =
            |actions: &[FileAction]| child_fds(&p, actions, &mut Fake::default()).err().unwrap();
        assert_eq!(
            bad(&[FileAction::Dup2 { src: 7, fd: 1 }]),
            ActionError::errno(EBADF)
        );
        assert_eq!(bad(&[FileAction::Dup2 { src: 1, fd: 64 }]).errno, EBADF);
        assert_eq!(bad(&[FileAction::Dup2 { src: 9, fd: 9 }]).errno, EBADF);
        let open_at = |fd, path| FileAction::Open {
            fd,
            path,
            flags: 0,
            mode: 0,
        };
        assert_eq!(
            bad(&[FileAction::Close(1), open_at(1, b"/missing")]),
            ActionError::errno(ENOENT)
        );
        assert_eq!(bad(&[open_at(64, b"/f")]).errno, EBADF);
        assert_eq!(bad(&[open_at(-1, b"/f")]).errno, EBADF);
        assert_eq!(
            bad(&[FileAction::Chdir(b"/missing")]),
            ActionError::errno(ENOENT)
        );
        assert_eq!(bad(&[FileAction::Fchdir(9)]), ActionError::errno(EBADF));
    }

    #[test]
    fn chdirs_run_in_order_on_the_childs_table() {
        let p = parent();
        let mut fake = Fake::default();
        let actions = [
            FileAction::Chdir(b"/tmp"),
            FileAction::Dup2 { src: 1, fd: 7 },
            FileAction::Fchdir(7),
            FileAction::Chdir(b"sub"),
        ];
        child_fds(&p, &actions, &mut fake).unwrap();
        assert_eq!(fake.chdirs, ["/tmp", "fd out", "sub"]);
        // A close-on-exec descriptor is still open while actions run.
        let mut fake = Fake::default();
        child_fds(&p, &[FileAction::Fchdir(3)], &mut fake).unwrap();
        assert_eq!(fake.chdirs, ["fd pipe"]);
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
