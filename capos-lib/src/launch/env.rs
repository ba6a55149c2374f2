//! The `KEY=VALUE` rule for environment entries, shared by the encoder
//! (which refuses entries that break it) and the decoder (which re-checks
//! it, so readers may split every entry without handling a missing `=`).

use super::LaunchError;

/// Splits `entry` at its first `=` into key and value.
pub fn split(entry: &[u8], index: usize) -> Result<(&[u8], &[u8]), LaunchError> {
    let eq = entry
        .iter()
        .position(|&b| b == b'=')
        .ok_or(LaunchError::EnvMissingEquals { index })?;
    if eq == 0 {
        return Err(LaunchError::EnvEmptyKey { index });
    }
    let (key, rest) = entry.split_at(eq);
    Ok((key, rest.get(1..).unwrap_or_default()))
}
