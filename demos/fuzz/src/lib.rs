//! What the fuzzer's programs share: the PRNG, the launch arguments, the
//! statistics page the worker fills and the driver reads, and the names of
//! the binaries and capabilities.
//!
//! `fuzz-init` (the driver) runs rounds; each round is one `fuzz-worker`
//! process that fuzzes the ring and every kernel interface from a seed,
//! then exits with its calls still in flight. `fuzz-child` is the harmless
//! program the worker may spawn. See docs/development/fuzzing-in-guest.md.

#![no_std]

extern crate alloc;

pub mod args;
pub mod rng;
pub mod signal_args;
pub mod stats;

/// The binaries, as the manifest names them.
pub const WORKER: &str = "fuzz-worker";
pub const CHILD: &str = "fuzz-child";

/// CapSet names in the worker. Every other capability it holds is a fuzz
/// target.
pub mod cap_name {
    /// The console the worker reports setup failures on; never fuzzed.
    pub const CONSOLE: &str = "console";
    /// The MemoryObject behind the statistics page; never fuzzed.
    pub const STATS: &str = "stats";
    /// The fuzz targets, one of each kernel kind.
    pub const TARGET_CONSOLE: &str = "fuzz-console";
    pub const TIMER: &str = "timer";
    pub const SPAWNER: &str = "spawner";
    pub const MEMORY: &str = "memory";
    pub const BOOT: &str = "boot";
    pub const ENDPOINTS: &str = "endpoints";
    pub const RANDOM: &str = "random";
    pub const PIPES: &str = "pipes";
    /// The kernel's NetworkManager; the fuzz system has no network device.
    pub const NET: &str = "net";
    /// The file store: /tmp writable, and the root read-only.
    pub const TMP: &str = "tmp";
    pub const ROOT: &str = "root";
    /// The console's terminal, which nothing types into.
    pub const TERMINAL: &str = "terminal";
}
