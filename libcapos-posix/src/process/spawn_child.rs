//! Starting a child through ProcessSpawner (decisions 1 and 2 of §6):
//! the grants are the child's descriptors as "fd/N", the adapter's own
//! capabilities the parent holds, under the same names ("network" too,
//! so a child may make sockets as its parent can), and the parent's
//! directories: each mount at its path and the working directory as
//! "cwd:PATH" (capos_rt::Namespace::grants), the same capabilities, so
//! a read-only one stays read-only. Nothing else crosses.

use super::inherit;
use crate::fd::FdTable;
use crate::linux::errno::{EINVAL, ENAMETOOLONG, ENOSYS};
use crate::net::Failure;
use crate::report;
use crate::spawn;
use crate::state::{Open, State};
use alloc::string::String;
use alloc::vec::Vec;
use capos_abi::capset::MAX_CAP_NAME;
use capos_rt::{CWD_GRANT, Client, Directory, Grant, ProcessHandle, Share};

/// Why a spawn could not even be asked for.
pub enum Refused {
    /// No "spawner" capability: nothing can start a process.
    NoSpawner,
    /// A socket descriptor could not be passed (process/inherit.rs).
    Socket(Failure),
    /// A directory's grant name (its path) is longer than a CapSet name.
    LongPath,
    /// An errno for the caller.
    Errno(i64),
}

/// Starts manifest binary `binary` with `argv`, `env` and the descriptors
/// of `fds` (already past exec's close-on-exec pass), in the process
/// group and session `groups` says (tty.rs `Groups::for_child`); returns
/// its pid and handle. `share` sizes the child's quotas (§6 decision 8 of
/// the proposal): [`Share::JoinCaller`] for a caller that only waits for
/// the child (execve), [`Share::Half`] of what this process has left for
/// one that runs beside it. It starts in this process's working
/// directory.
pub fn spawn_child(
    s: &State,
    binary: &str,
    argv: &[&[u8]],
    env: &[&[u8]],
    fds: &FdTable<Open>,
    groups: &[u8],
    share: Share,
) -> Result<(u64, ProcessHandle), Refused> {
    spawn_child_in(s, None, binary, argv, env, fds, groups, share)
}

/// [`spawn_child`], starting the child in `cwd` (its absolute, normalized
/// path and the directory) instead of this process's working directory
/// when given (posix_spawn_file_actions_addchdir_np).
#[allow(clippy::too_many_arguments)]
pub fn spawn_child_in(
    s: &State,
    cwd: Option<(&[u8], &Directory)>,
    binary: &str,
    argv: &[&[u8]],
    env: &[&[u8]],
    fds: &FdTable<Open>,
    groups: &[u8],
    share: Share,
) -> Result<(u64, ProcessHandle), Refused> {
    let Some(spawner) = &s.spawner else {
        return Err(Refused::NoSpawner);
    };
    // The caller's own entry, if it passed one on, gives way to ours.
    let env: Vec<&[u8]> = env
        .iter()
        .copied()
        .filter(|e| !e.starts_with(crate::termios::GROUPS_ENV))
        .chain(core::iter::once(groups))
        .collect();
    let (argv, env) = (texts(argv)?, texts(&env)?);
    let entries: Vec<(String, &Open)> = fds
        .iter()
        .map(|(fd, open, _)| (spawn::fd_grant_name(fd), &**open))
        .collect();
    // Sockets cross as their kernel sockets (process/inherit.rs), kept
    // alive here while the grants name them.
    let sockets = entries
        .iter()
        .map(|(_, open)| inherit::socket(s, &open.object))
        .collect::<Result<Vec<_>, _>>()
        .map_err(Refused::Socket)?;
    let mut grants: Vec<Grant<'_>> = Vec::with_capacity(entries.len() + 7);
    for ((name, open), socket) in entries.iter().zip(&sockets) {
        let cap = match socket {
            Some(socket) => socket.cap(),
            None => inherit::capability(&open.object).ok_or(Refused::Errno(EINVAL))?,
        };
        grants.push(Grant { name, cap });
    }
    if let Some(cap) = s
        .log
        .as_ref()
        .and_then(|log| inherit::capability(&log.object))
    {
        grants.push(Grant {
            name: "console",
            cap,
        });
    }
    let own: [(&str, Option<&capos_rt::Cap>); 7] = [
        ("memory", s.memory.as_ref().map(Client::cap)),
        ("timer", s.timer.as_ref().map(Client::cap)),
        ("random", s.entropy.as_ref().map(Client::cap)),
        ("spawner", Some(spawner.cap())),
        ("pipes", s.pipes.as_ref().map(Client::cap)),
        ("network", s.network.as_ref().map(Client::cap)),
        // A child may fork only if its parent may (a shell's children are
        // often shells).
        ("fork", s.forker.as_ref().map(Client::cap)),
    ];
    grants.extend(
        own.iter()
            .filter_map(|&(name, cap)| cap.map(|cap| Grant { name, cap })),
    );
    let text = |name: &[u8]| String::from_utf8_lossy(name).into_owned();
    let mut dirs: Vec<(String, &capos_rt::Cap)> =
        s.ns.grants()
            .filter(|(name, _)| cwd.is_none() || !name.starts_with(CWD_GRANT.as_bytes()))
            .map(|(name, dir)| (text(&name), dir.cap()))
            .collect();
    if let Some((at, dir)) = cwd {
        dirs.push((text(&[CWD_GRANT.as_bytes(), at].concat()), dir.cap()));
    }
    if dirs.iter().any(|(name, _)| name.len() > MAX_CAP_NAME) {
        return Err(Refused::LongPath);
    }
    grants.extend(dirs.iter().map(|(name, cap)| Grant { name, cap }));
    // The process name is a label (the kernel's log lines); a binary
    // name longer than a CapSet name is cut, on a character boundary.
    let mut end = binary.len().min(MAX_CAP_NAME);
    while !binary.is_char_boundary(end) {
        end -= 1;
    }
    let name = &binary[..end];
    if name.is_empty() {
        return Err(Refused::Errno(EINVAL));
    }
    spawner
        .spawn_shared(name, binary, &grants, &argv, &env, share)
        .map(|child| (child.pid, child.handle))
        .map_err(|e| Refused::Errno(spawn::refusal_errno(&e)))
}

fn texts<'a>(list: &[&'a [u8]]) -> Result<Vec<&'a str>, Refused> {
    list.iter()
        .map(|b| spawn::text(b).map_err(Refused::Errno))
        .collect()
}

/// The report reason of [`Refused::NoSpawner`].
pub const NO_SPAWNER: &str = "no \"spawner\" capability: this process may not start programs";

/// The report reason of [`Refused::LongPath`].
pub const LONG_PATH: &str = "a mount point or the working directory has a path longer than \
a CapSet name (48 bytes), so it cannot be passed to the child";

impl Refused {
    /// The errno of the refusal; for want of a spawner, a report line
    /// names `what` was refused.
    pub fn errno(self, s: &State, what: &str) -> i64 {
        match self {
            Refused::NoSpawner => {
                s.log(&report::named(what, "ENOSYS", NO_SPAWNER));
                ENOSYS
            }
            Refused::Socket(f) => {
                if let Some(why) = &f.report {
                    s.log(&report::named(
                        what,
                        crate::linux::errno::name(f.errno),
                        why,
                    ));
                }
                f.errno
            }
            Refused::LongPath => {
                s.log(&report::named(what, "ENAMETOOLONG", LONG_PATH));
                ENAMETOOLONG
            }
            Refused::Errno(e) => e,
        }
    }
}
