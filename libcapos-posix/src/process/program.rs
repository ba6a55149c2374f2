//! Which manifest binary a program path names, for posix_spawn, execve
//! and the fork shim's execve. The rules are pure in [`crate::spawn`];
//! this is the glue over the process's namespace.
//!
//! A path the namespace covers resolves there like any other path (the
//! working directory, `..`, the mounts): the file found must have an
//! execute bit and still hold a manifest binary's bytes, which
//! File.binary names; that name is what ProcessSpawner starts. So
//! `/bin/ls`, `/usr/bin/sh` declared as `{binary: "dash"}`, or `./ls`
//! in /bin all start the binary the tree shows there, and a file a
//! program wrote (same bytes or not) is ENOEXEC: the spawner loads only
//! the boot image's binaries, by name. A path no directory covers (a
//! process granted no file tree) keeps the rule from before the tree:
//! "/bin/NAME" is the manifest's NAME.

use crate::file::errno;
use crate::spawn::{self, Node};
use crate::state::State;
use alloc::string::String;
use capos_rt::{Error, ExceptionType, NodeKind, OpenOptions, StorageError};

/// The manifest binary to start for `path`, or execve's errno.
pub fn find(s: &State, path: &[u8]) -> Result<String, i64> {
    let stat = match s.ns.stat(path) {
        Ok(stat) => stat,
        Err(StorageError::NotCovered) => return spawn::binary(path).map(String::from),
        Err(e) => return Err(errno::of(&e)),
    };
    let directory = stat.kind == NodeKind::Directory;
    let mut node = Node {
        directory,
        mode: stat.mode,
        binary: None,
    };
    // Only an executable file is asked for its binary: the rest fail
    // before (EACCES), as on Linux.
    let name = if spawn::runnable(&node) == Err(crate::linux::errno::ENOEXEC) {
        let how = OpenOptions {
            read_only: true,
            ..OpenOptions::default()
        };
        let file = s.ns.open_file(path, how).map_err(|e| errno::of(&e))?;
        match file.binary() {
            Ok(name) => name,
            // A server's file (a userspace tree) holds no boot binary.
            Err(StorageError::Call(Error::Application {
                kind: ExceptionType::Unimplemented,
                ..
            })) => None,
            Err(e) => return Err(errno::of(&e)),
        }
    } else {
        None
    };
    node.binary = name.as_deref();
    spawn::runnable(&node).map(String::from)
}
