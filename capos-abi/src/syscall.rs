//! The two system calls. Everything else goes through the capability ring.
//!
//! Convention (x86_64 `syscall` instruction): RAX holds the number, RDI and RSI
//! the arguments, RAX the result. RCX and R11 are clobbered by the instruction;
//! every other register is preserved.

/// `exit(code: i64) -> !`: ends the calling process with `code`.
pub const SYS_EXIT: u64 = 0;

/// `cap_enter(min_complete: u64, timeout_ns: u64) -> i64`.
///
/// Processes every submitted SQE, then waits until at least `min_complete`
/// completions are available in the CQ or `timeout_ns` nanoseconds pass.
/// Returns the number of CQEs available, or a negative [`crate::error`] code.
pub const SYS_CAP_ENTER: u64 = 1;

/// `timeout_ns` value meaning "wait without a deadline".
pub const WAIT_FOREVER: u64 = u64::MAX;
