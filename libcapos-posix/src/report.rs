//! The one-line report of an operation nothing backs: the first refusal of
//! each system call number in a process is logged, naming the call, so a
//! porter sees what is missing; repeats are silent.

use crate::linux;
use alloc::format;
use alloc::string::String;

/// Which call numbers have been reported (Linux x86_64 numbers are below
/// 512; anything above shares the last bit).
#[derive(Default)]
pub struct Reported([u64; 8]);

impl Reported {
    /// True the first time `n` is seen.
    pub fn first(&mut self, n: i64) -> bool {
        let bit = n.clamp(0, 511) as usize;
        let (word, mask) = (bit / 64, 1u64 << (bit % 64));
        let new = self.0[word] & mask == 0;
        self.0[word] |= mask;
        new
    }
}

/// Why an operation was refused.
pub const UNSUPPORTED: &str = "not supported on capOS";

/// The log line for refusing call `n` with the errno named `errno_name`
/// (`ENOSYS`, ...) because of `reason`.
pub fn line(n: i64, errno_name: &str, reason: &str) -> String {
    match linux::name(n) {
        Some(name) => {
            format!(
                "libcapos-posix: {name} (Linux syscall {n}) fails with {errno_name}: {reason}\n"
            )
        }
        None => format!("libcapos-posix: Linux syscall {n} fails with {errno_name}: {reason}\n"),
    }
}

/// The log line for refusing `what` (a libc function with no system
/// call of its own, such as posix_spawn) with `errno_name`.
pub fn named(what: &str, errno_name: &str, reason: &str) -> String {
    format!("libcapos-posix: {what} fails with {errno_name}: {reason}\n")
}

/// The log line for call `n` succeeding with a limit the porter should
/// know about (`what`).
pub fn note(n: i64, what: &str) -> String {
    match linux::name(n) {
        Some(name) => format!("libcapos-posix: {name} (Linux syscall {n}): {what}\n"),
        None => format!("libcapos-posix: Linux syscall {n}: {what}\n"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_call_is_reported_once() {
        let mut r = Reported::default();
        assert!(r.first(41));
        assert!(!r.first(41));
        assert!(r.first(57));
        assert!(r.first(-3));
        assert!(!r.first(-1), "out-of-range numbers share a bit");
        assert!(r.first(600));
        assert!(!r.first(511));
    }

    #[test]
    fn lines_name_the_call() {
        assert_eq!(
            line(41, "ENOSYS", UNSUPPORTED),
            "libcapos-posix: socket (Linux syscall 41) fails with ENOSYS: not supported on capOS\n"
        );
        assert_eq!(
            line(999, "ENOSYS", "no \"timer\" capability"),
            "libcapos-posix: Linux syscall 999 fails with ENOSYS: no \"timer\" capability\n"
        );
        assert_eq!(
            named("posix_spawn", "ENOSYS", "no spawner"),
            "libcapos-posix: posix_spawn fails with ENOSYS: no spawner\n"
        );
        assert_eq!(
            note(13, "recorded"),
            "libcapos-posix: rt_sigaction (Linux syscall 13): recorded\n"
        );
    }
}
