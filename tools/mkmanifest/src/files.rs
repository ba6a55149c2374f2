//! The `fileSystem` section: the kernel's file store and the tree it
//! starts with (docs/proposals/storage-and-naming-proposal.md).
//!
//! Nodes are keyed by absolute path. Each is a directory, a file with
//! inline `text`, a `host` file read at build time, a `hostDirectory`
//! copied whole, or a manifest `binary` (referred to, not copied: the
//! kernel serves the binary's bytes from the boot image). With `bin`,
//! every binary is also `/bin/NAME`. Directories a path needs but the
//! manifest does not declare are made (mode 0755). Host paths, like
//! binary paths, are relative to the repository root, so a manifest
//! never depends on one machine's directories.
//!
//! The checks: every path absolute and normalized with valid names, no
//! node under a file, each node of exactly one kind, binaries that exist,
//! and host files that can be read. Whether the tree fits `metaBytes` is
//! the kernel's to say at boot (it depends on the kernel's own record
//! sizes); files from the manifest take none of `dataBytes` until they
//! are written.

use crate::error::InputError;
use crate::input::{FileSystemJson, FsNodeJson};
use crate::manifest::{FileSystem, FsContent, FsNode};
use capos_lib::fs::Device;
use capos_lib::fs::path;
use std::collections::BTreeMap;
use std::io;
use std::path::Path;

/// Largest host file taken, like a binary (the kernel holds the whole
/// manifest in memory).
pub const MAX_HOST_FILE: usize = 64 << 20;

/// Reads a host file (relative to the repository).
pub type ReadFile<'a> = dyn FnMut(&str) -> io::Result<Vec<u8>> + 'a;
/// Lists a host directory: (name, is a directory) per entry.
pub type ListDir<'a> = dyn FnMut(&str) -> io::Result<Vec<(String, bool)>> + 'a;

/// A file system's nodes keyed by their names from the root, so that a
/// parent always comes before its children.
type Tree = BTreeMap<Vec<Vec<u8>>, FsNode>;

/// Checks `json` and builds the tree; `binaries` are the manifest's
/// binary names, `read` reads a host file and `list` a host directory
/// (both relative to the repository).
pub fn check(
    json: &FileSystemJson,
    binaries: &[&str],
    read: &mut ReadFile,
    list: &mut ListDir,
) -> Result<FileSystem, InputError> {
    let mut tree = Tree::new();
    if json.bin {
        add_dir(&mut tree, &[b"bin".to_vec()], 0o755);
        for name in binaries {
            let names = vec![b"bin".to_vec(), name.as_bytes().to_vec()];
            insert(
                &mut tree,
                names,
                0o755,
                FsContent::Binary(name.to_string()),
                "fileSystem.bin",
            )?;
        }
    }
    for (p, node) in &json.nodes {
        let at = format!("fileSystem.nodes.{p:?}");
        let names = path::absolute(p.as_bytes()).ok_or_else(|| {
            InputError::new(
                &at,
                "not an absolute, normalized path of valid names (\"/etc/hosts\")",
            )
        })?;
        if names.is_empty() {
            return Err(InputError::new(
                &at,
                "\"/\" is the store's root; it is always there",
            ));
        }
        let names: Vec<Vec<u8>> = names.iter().map(|n| n.to_vec()).collect();
        node_of(&mut tree, names, node, binaries, read, list, &at)?;
    }
    add_parents(&mut tree)?;
    Ok(FileSystem {
        data_bytes: json.data_bytes,
        meta_bytes: json.meta_bytes,
        nodes: tree.into_values().collect(),
    })
}

fn node_of(
    tree: &mut Tree,
    names: Vec<Vec<u8>>,
    node: &FsNodeJson,
    binaries: &[&str],
    read: &mut ReadFile,
    list: &mut ListDir,
    at: &str,
) -> Result<(), InputError> {
    let kinds = [
        node.directory,
        node.text.is_some(),
        node.host.is_some(),
        node.host_directory.is_some(),
        node.binary.is_some(),
        node.device.is_some(),
    ];
    if kinds.iter().filter(|&&k| k).count() != 1 {
        return Err(InputError::new(
            at,
            "give exactly one of \"directory\": true, \"text\", \"host\", \"hostDirectory\", \"binary\" or \"device\"",
        ));
    }
    if node.mode.is_some_and(|m| m > 0o7777) {
        return Err(InputError::new(
            format!("{at}.mode"),
            "permission bits are at most 0o7777",
        ));
    }
    let file_mode = node.mode.unwrap_or(0o644);
    let dir_mode = node.mode.unwrap_or(0o755);
    if node.directory {
        add_dir(tree, &names, dir_mode);
    } else if let Some(text) = &node.text {
        insert(
            tree,
            names,
            file_mode,
            FsContent::Data(text.as_bytes().to_vec()),
            at,
        )?;
    } else if let Some(host) = &node.host {
        let data = read_host(host, read, at)?;
        insert(tree, names, file_mode, FsContent::Data(data), at)?;
    } else if let Some(binary) = &node.binary {
        if !binaries.contains(&binary.as_str()) {
            return Err(InputError::new(
                format!("{at}.binary"),
                format!("{binary:?} is not one of the binaries"),
            ));
        }
        insert(
            tree,
            names,
            node.mode.unwrap_or(0o755),
            FsContent::Binary(binary.clone()),
            at,
        )?;
    } else if let Some(device) = &node.device {
        let device = match device.as_str() {
            "null" => Device::Null,
            "zero" => Device::Zero,
            "full" => Device::Full,
            "urandom" => Device::Urandom,
            _ => {
                return Err(InputError::new(
                    format!("{at}.device"),
                    format!("{device:?} is not one of null, zero, full, urandom"),
                ));
            }
        };
        let mode = node.mode.unwrap_or(0o666);
        insert(tree, names, mode, FsContent::Device(device), at)?;
    } else if let Some(host) = &node.host_directory {
        check_host_path(host, at)?;
        add_dir(tree, &names, dir_mode);
        copy_dir(tree, &names, host, file_mode, read, list, at)?;
    }
    Ok(())
}

/// Copies host directory `host` below `names`, recursively.
fn copy_dir(
    tree: &mut Tree,
    names: &[Vec<u8>],
    host: &str,
    mode: u32,
    read: &mut ReadFile,
    list: &mut ListDir,
    at: &str,
) -> Result<(), InputError> {
    let entries =
        list(host).map_err(|e| InputError::new(at, format!("cannot list {host:?}: {e}")))?;
    for (entry, is_dir) in entries {
        if capos_lib::fs::name::check(entry.as_bytes()).is_err() {
            return Err(InputError::new(
                at,
                format!("{host:?} holds {entry:?}, not a valid name"),
            ));
        }
        let mut child = names.to_vec();
        child.push(entry.as_bytes().to_vec());
        let host_child = format!("{host}/{entry}");
        if is_dir {
            add_dir(tree, &child, 0o755);
            copy_dir(tree, &child, &host_child, mode, read, list, at)?;
        } else {
            let data = read_host(&host_child, read, at)?;
            insert(tree, child, mode, FsContent::Data(data), at)?;
        }
    }
    Ok(())
}

fn check_host_path(host: &str, at: &str) -> Result<(), InputError> {
    if host.is_empty() || Path::new(host).is_absolute() {
        return Err(InputError::new(
            at,
            format!("host path {host:?} must be relative to the repository root"),
        ));
    }
    Ok(())
}

fn read_host(host: &str, read: &mut ReadFile, at: &str) -> Result<Vec<u8>, InputError> {
    check_host_path(host, at)?;
    let data = read(host).map_err(|e| InputError::new(at, format!("cannot read {host:?}: {e}")))?;
    if data.len() > MAX_HOST_FILE {
        return Err(InputError::new(
            at,
            format!("{host:?} is larger than {} MiB", MAX_HOST_FILE >> 20),
        ));
    }
    Ok(data)
}

fn add_dir(tree: &mut Tree, names: &[Vec<u8>], mode: u32) {
    tree.entry(names.to_vec()).or_insert_with(|| FsNode {
        path: join(names),
        mode,
        content: FsContent::Directory,
    });
}

fn insert(
    tree: &mut Tree,
    names: Vec<Vec<u8>>,
    mode: u32,
    content: FsContent,
    at: &str,
) -> Result<(), InputError> {
    let path = join(&names);
    if tree.contains_key(&names) {
        return Err(InputError::new(
            at,
            format!("{:?} is declared twice", String::from_utf8_lossy(&path)),
        ));
    }
    tree.insert(
        names,
        FsNode {
            path,
            mode,
            content,
        },
    );
    Ok(())
}

/// Makes the directories paths need, and refuses a node below a file.
fn add_parents(tree: &mut Tree) -> Result<(), InputError> {
    let paths: Vec<Vec<Vec<u8>>> = tree.keys().cloned().collect();
    for names in paths {
        for depth in 1..names.len() {
            match tree.get(&names[..depth]) {
                Some(FsNode {
                    content: FsContent::Directory,
                    ..
                }) => {}
                Some(_) => {
                    return Err(InputError::new(
                        "fileSystem.nodes",
                        format!(
                            "{:?} is below {:?}, which is a file",
                            String::from_utf8_lossy(&join(&names)),
                            String::from_utf8_lossy(&join(&names[..depth]))
                        ),
                    ));
                }
                None => add_dir(tree, &names[..depth], 0o755),
            }
        }
    }
    Ok(())
}

fn join(names: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    for n in names {
        out.push(b'/');
        out.extend_from_slice(n);
    }
    out
}

/// Whether `p` is a directory of the tree (or its root).
pub fn is_directory(fs: &FileSystem, p: &str) -> bool {
    p == "/"
        || fs
            .nodes
            .iter()
            .any(|n| n.path == p.as_bytes() && matches!(n.content, FsContent::Directory))
}

/// Whether `p` names a file (not a directory) of the tree.
pub fn is_file(fs: &FileSystem, p: &str) -> bool {
    fs.nodes
        .iter()
        .any(|n| n.path == p.as_bytes() && !matches!(n.content, FsContent::Directory))
}

#[cfg(test)]
mod tests;
