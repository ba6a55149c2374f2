//! Processes from C on capOS (§6 of the POSIX adapter proposal):
//! posix_spawn, execve, the fork-for-exec shim, wait4/waitid and
//! getppid, over ProcessSpawner and ProcessHandle. The rules they share
//! are pure and host-tested in [`crate::spawn`], [`crate::wait`] and
//! [`crate::fork`]; these modules are the glue over capabilities.
//!
//! A child receives exactly what the request names: its descriptors as
//! CapSet entries "fd/N" ([`inherit`]) and the adapter's own capabilities
//! the parent holds ("console", "memory", "timer", "random", "spawner",
//! "pipes"), nothing else ([`spawn_child`]).

pub mod children;
pub mod cstr;
pub mod execve;
pub mod fork_call;
pub mod fork_entry;
pub mod inherit;
pub mod posix_spawn;
pub mod program;
pub mod real_fork;
pub mod spawn_child;
pub mod wait_call;
