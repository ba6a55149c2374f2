//! Writing launch parameters.

use super::header::Header;
use super::{HEADER_SIZE, LaunchError, List, MAGIC, MAX_ARGS, MAX_ENV, MAX_SIZE, VERSION, env};
use alloc::vec::Vec;

/// Encodes `argv` and `env` in the layout of [`super`]. Strings are raw
/// bytes (not necessarily UTF-8) without their NUL; env entries are
/// `KEY=VALUE`. The result is exactly as long as its stated total length.
pub fn encode(argv: &[&[u8]], env: &[&[u8]]) -> Result<Vec<u8>, LaunchError> {
    check_list(argv, List::Argv, MAX_ARGS)?;
    check_list(env, List::Env, MAX_ENV)?;
    for (index, entry) in env.iter().enumerate() {
        env::split(entry, index)?;
    }

    // Sized before allocating, so an oversized request costs nothing.
    let tables_end = HEADER_SIZE + 4 * (argv.len() + env.len());
    let total = argv
        .iter()
        .chain(env)
        .try_fold(tables_end, |sum, s| {
            sum.checked_add(s.len())?.checked_add(1)
        })
        .filter(|&total| total <= MAX_SIZE)
        .ok_or(LaunchError::TooLarge)?;

    // MAX_SIZE fits in u32, so every offset below does too.
    let header = Header {
        magic: MAGIC,
        version: VERSION,
        total_len: total as u32,
        argc: argv.len() as u32,
        envc: env.len() as u32,
        argv_table: HEADER_SIZE as u32,
        env_table: (HEADER_SIZE + 4 * argv.len()) as u32,
        reserved: 0,
    };
    let mut out = Vec::with_capacity(total);
    out.extend_from_slice(&header.to_bytes());
    let mut next = tables_end;
    for s in argv.iter().chain(env) {
        out.extend_from_slice(&(next as u32).to_le_bytes());
        next += s.len() + 1;
    }
    for s in argv.iter().chain(env) {
        out.extend_from_slice(s);
        out.push(0);
    }
    Ok(out)
}

/// Checks the count and that no string contains a NUL.
fn check_list(strings: &[&[u8]], list: List, max: usize) -> Result<(), LaunchError> {
    if strings.len() > max {
        return Err(LaunchError::TooMany { list });
    }
    match strings.iter().position(|s| s.contains(&0)) {
        Some(index) => Err(LaunchError::InteriorNul { list, index }),
        None => Ok(()),
    }
}
