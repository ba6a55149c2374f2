//! Paths, on the client's side: how `/etc/hosts` or `../x/./y` becomes a
//! list of single names from the root, and which of the process's
//! directory capabilities covers it.
//!
//! Resolution is lexical: `.` is dropped, `..` removes the name before
//! it, repeated slashes are one. There are no links, so this is the same
//! answer a walk of the tree would give. At the root `..` stays at the
//! root (POSIX's `/..`). Whether a capability covers the result is
//! [`locate`]'s question: the process's directories are mounted at their
//! names, and a path that leaves all of them reaches nothing, so `..`
//! never climbs above a capability's directory
//! (docs/proposals/storage-and-naming-proposal.md, rules 3 and 4).

use alloc::vec::Vec;

use super::{FsError, PATH_MAX, name};

/// A path resolved to names from the root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved<'a> {
    /// Each a valid single name ([`name::check`]); empty for the root.
    pub names: Vec<&'a [u8]>,
    /// The path named a directory by its form: it ended in `/`, `/.` or
    /// `/..` (or was `.`, `..` or `/`). Opening it as a file is
    /// `notDirectory`.
    pub directory: bool,
}

/// Resolves `path` against `cwd` (the working directory's names from the
/// root; ignored for an absolute path).
///
/// Fails with `notFound` for an empty path (as Linux), `nameTooLong` for a
/// path longer than [`PATH_MAX`] or a name longer than `NAME_MAX`, and
/// `invalidName` for a NUL in it (a C string cannot hold one; a Rust
/// caller can).
pub fn resolve<'a>(cwd: &[&'a [u8]], path: &'a [u8]) -> Result<Resolved<'a>, FsError> {
    if path.is_empty() {
        return Err(FsError::NotFound);
    }
    if path.len() > PATH_MAX {
        return Err(FsError::NameTooLong);
    }
    if path.contains(&0) {
        return Err(FsError::InvalidName);
    }
    let mut names: Vec<&'a [u8]> = if path[0] == b'/' {
        Vec::new()
    } else {
        cwd.to_vec()
    };
    let mut directory = path[0] == b'/';
    for part in path.split(|&b| b == b'/') {
        directory = true;
        match part {
            b"" | b"." => {}
            b".." => {
                names.pop();
            }
            _ => {
                name::check(part)?;
                names.push(part);
                directory = false;
            }
        }
    }
    // A trailing "/" split off an empty last part, which set `directory`;
    // a last real name cleared it.
    Ok(Resolved { names, directory })
}

/// Parses a mount point or a granted path: absolute and already
/// normalized (`/`, `/tmp`, `/etc/ssl`: no `.`, `..`, empty names or
/// trailing `/`). `None` for anything else.
pub fn absolute(path: &[u8]) -> Option<Vec<&[u8]>> {
    let rest = path.strip_prefix(b"/")?;
    if rest.is_empty() {
        return Some(Vec::new());
    }
    rest.split(|&b| b == b'/')
        .map(|part| name::check(part).ok().map(|()| part))
        .collect()
}

/// The mount that covers `names`: the index into `mounts` of the longest
/// one that is a prefix of `names`, and how many of `names` it covers.
/// `None` when no mount covers the path.
pub fn locate(mounts: &[Vec<&[u8]>], names: &[&[u8]]) -> Option<(usize, usize)> {
    mounts
        .iter()
        .enumerate()
        .filter(|(_, m)| m.len() <= names.len() && names[..m.len()] == m[..])
        .max_by_key(|(_, m)| m.len())
        .map(|(i, m)| (i, m.len()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fs::NAME_MAX;
    use alloc::vec;

    fn names<'a>(r: &Resolved<'a>) -> Vec<&'a str> {
        r.names
            .iter()
            .map(|n| core::str::from_utf8(n).unwrap())
            .collect()
    }

    fn res<'a>(cwd: &[&'a [u8]], path: &'a str) -> (Vec<&'a str>, bool) {
        let r = resolve(cwd, path.as_bytes()).unwrap();
        (names(&r), r.directory)
    }

    #[test]
    fn absolute_paths_ignore_the_working_directory() {
        let cwd: [&[u8]; 2] = [b"home", b"u"];
        assert_eq!(res(&cwd, "/etc/hosts"), (vec!["etc", "hosts"], false));
        assert_eq!(res(&cwd, "/"), (vec![], true));
        assert_eq!(res(&cwd, "hosts"), (vec!["home", "u", "hosts"], false));
    }

    #[test]
    fn dots_and_repeated_slashes() {
        let cwd: [&[u8]; 1] = [b"tmp"];
        assert_eq!(res(&cwd, "//etc///hosts"), (vec!["etc", "hosts"], false));
        assert_eq!(res(&cwd, "./a/./b/."), (vec!["tmp", "a", "b"], true));
        assert_eq!(res(&cwd, "a/b/../c"), (vec!["tmp", "a", "c"], false));
        assert_eq!(res(&cwd, "a/"), (vec!["tmp", "a"], true));
        assert_eq!(res(&cwd, "a//"), (vec!["tmp", "a"], true));
        assert_eq!(res(&cwd, "."), (vec!["tmp"], true));
        assert_eq!(res(&cwd, ".."), (vec![], true));
        assert_eq!(res(&cwd, "..a"), (vec!["tmp", "..a"], false));
    }

    #[test]
    fn dot_dot_stops_at_the_root() {
        let cwd: [&[u8]; 1] = [b"tmp"];
        assert_eq!(res(&cwd, "/.."), (vec![], true));
        assert_eq!(res(&cwd, "../../../etc"), (vec!["etc"], false));
        assert_eq!(
            res(&cwd, "/../../tmp/../etc/./hosts"),
            (vec!["etc", "hosts"], false)
        );
    }

    #[test]
    fn bad_paths_are_refused() {
        assert_eq!(resolve(&[], b""), Err(FsError::NotFound));
        assert_eq!(resolve(&[], b"a\0b"), Err(FsError::InvalidName));
        let long_name = vec![b'x'; NAME_MAX + 1];
        assert_eq!(resolve(&[], &long_name), Err(FsError::NameTooLong));
        let ok_name = vec![b'x'; NAME_MAX];
        assert!(resolve(&[], &ok_name).is_ok());
        let mut long_path = vec![b'/'; PATH_MAX];
        assert!(resolve(&[], &long_path).is_ok());
        long_path.push(b'/');
        assert_eq!(resolve(&[], &long_path), Err(FsError::NameTooLong));
    }

    #[test]
    fn mount_points_must_be_normalized_and_absolute() {
        assert_eq!(absolute(b"/"), Some(vec![]));
        assert_eq!(absolute(b"/tmp"), Some(vec![&b"tmp"[..]]));
        assert_eq!(absolute(b"/etc/ssl"), Some(vec![&b"etc"[..], b"ssl"]));
        for bad in [
            &b""[..],
            b"tmp",
            b"/tmp/",
            b"//tmp",
            b"/tmp/../etc",
            b"/./tmp",
            b"/a\0",
        ] {
            assert_eq!(absolute(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn the_longest_mount_covers_a_path_and_none_covers_outside() {
        let mounts = vec![absolute(b"/").unwrap(), absolute(b"/tmp").unwrap()];
        let path = |p: &'static str| resolve(&[], p.as_bytes()).unwrap().names;
        assert_eq!(locate(&mounts, &path("/tmp/x")), Some((1, 1)));
        assert_eq!(locate(&mounts, &path("/tmp")), Some((1, 1)));
        assert_eq!(locate(&mounts, &path("/tmpx")), Some((0, 0)));
        assert_eq!(locate(&mounts, &path("/etc/hosts")), Some((0, 0)));
        // A process granted /tmp only: nothing else is reachable, by any path.
        let tmp_only = vec![absolute(b"/tmp").unwrap()];
        let cwd: [&[u8]; 1] = [b"tmp"];
        for escape in [
            "..",
            "../etc",
            "/",
            "//etc",
            "/tmp/../etc",
            "a/../../etc",
            "/tmp/./../tmpx",
        ] {
            let r = resolve(&cwd, escape.as_bytes()).unwrap();
            assert_eq!(locate(&tmp_only, &r.names), None, "{escape}");
        }
        for inside in ["x", "./x", "/tmp//x", "a/../x", "/tmp/a/../../tmp/x"] {
            let r = resolve(&cwd, inside.as_bytes()).unwrap();
            assert_eq!(locate(&tmp_only, &r.names), Some((0, 1)), "{inside}");
        }
    }
}
