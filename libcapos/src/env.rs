//! `capos_env_get`: the environment the spawner passed, from the launch
//! parameters capos-rt checked at start-up.

use crate::ffi::{self, MAX_BYTES};
use crate::state::{self, State};
use core::ffi::c_char;
use core::ptr;

impl State {
    /// The value of `key`, pointing into the launch region. The region
    /// keeps each entry's terminating NUL, so the value is a C string.
    pub fn env_get(&self, key: &[u8]) -> Option<*const c_char> {
        let key = core::str::from_utf8(key).ok()?;
        self.rt.var(key).map(|value| value.as_ptr().cast())
    }
}

/// The value of the environment entry `key` (`KEY=VALUE`) the process was
/// started with, or NULL if there is none (or `key` is NULL). The string
/// is read-only and lives as long as the process.
///
/// # Safety
/// `key` must be NULL or a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn capos_env_get(key: *const c_char) -> *const c_char {
    // SAFETY: NULL or terminated per the contract.
    let Ok(Some(key)) = (unsafe { ffi::c_bytes(key, MAX_BYTES) }) else {
        return ptr::null();
    };
    state::with(|s| Ok(s.env_get(key)))
        .ok()
        .flatten()
        .unwrap_or(ptr::null())
}

#[cfg(test)]
mod tests {
    use crate::test_kernel::{Outcome, TestEnv};
    use core::ffi::CStr;

    #[test]
    fn values_are_c_strings_in_the_launch_region() {
        let mut env = TestEnv::new(&[], |_, _| Outcome::Error(-6));
        let s = env.state();
        let value = s.env_get(b"CAPOS_TEST").unwrap();
        // SAFETY: values in the launch region are NUL-terminated.
        assert_eq!(unsafe { CStr::from_ptr(value) }, c"yes");
        assert!(s.env_get(b"CAPOS").is_none());
        assert!(s.env_get(b"\xff").is_none());
    }
}
