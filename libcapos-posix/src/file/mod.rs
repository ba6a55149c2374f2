//! Files and directories: the POSIX file calls over the Directory and File
//! capabilities (docs/architecture/file-system.md), served by the kernel's
//! store or by any process.
//!
//! The process's namespace is `capos_rt::Namespace`: its Directories whose
//! CapSet names are absolute paths, mounted there, and a working directory.
//! A descriptor names a File (with its offset, shared by `dup`) or a
//! Directory (with its `getdents64` position, and its path when it was
//! opened by one). A descriptor opened O_RDONLY holds a read-only facet,
//! so a child it is passed to cannot write through it either.
//!
//! The pure parts (flags, struct stat, dirent records, the errno table)
//! are host-tested; the calls exist only on capOS.

pub mod abi;
pub mod dirent;
pub mod errno;
pub mod flags;
pub mod stat;

#[cfg(target_os = "none")]
pub mod calls;
#[cfg(target_os = "none")]
pub mod dir;
#[cfg(target_os = "none")]
pub mod io;
#[cfg(target_os = "none")]
pub mod meta;
#[cfg(target_os = "none")]
pub mod names;
#[cfg(target_os = "none")]
pub mod object;
#[cfg(target_os = "none")]
pub mod open;
#[cfg(target_os = "none")]
pub mod path;
