//! Launch arguments as `key=value` words, for the driver (from the
//! manifest) and the worker (from the driver).

use core::str::from_utf8;

/// The value of `key=` among `args` as a number, if present and valid.
pub fn number<'a>(args: impl Iterator<Item = &'a [u8]>, key: &str) -> Option<u64> {
    for arg in args {
        let Ok(arg) = from_utf8(arg) else { continue };
        if let Some(value) = arg
            .strip_prefix(key)
            .and_then(|rest| rest.strip_prefix('='))
        {
            return value.parse().ok();
        }
    }
    None
}
