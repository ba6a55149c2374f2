//! The process itself: `capos_exit` and `capos_pid`.

use crate::state;
use crate::sys;

/// Ends the process with exit status `code`, which its ProcessHandle
/// reports. Does not return. Capabilities still held are dropped by the
/// kernel; calls still in flight are abandoned. Returning `code` from
/// `main` has the same effect.
#[unsafe(no_mangle)]
pub extern "C" fn capos_exit(code: i64) -> ! {
    sys::exit(code)
}

/// The process id the kernel gave this process (0 before `main` runs).
#[unsafe(no_mangle)]
pub extern "C" fn capos_pid() -> u64 {
    state::with(|s| Ok(s.rt.pid())).unwrap_or(0)
}
