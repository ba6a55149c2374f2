//! Reading launch parameters from an untrusted region.

use super::header::Header;
use super::{
    HEADER_SIZE, LaunchError, List, MAGIC, MAX_ARGS, MAX_ENV, MAX_SIZE, Strings, VERSION, env,
};

/// Decoded launch parameters, borrowing the region they came from.
#[derive(Debug, Clone, Copy)]
pub struct Launch<'a> {
    region: &'a [u8],
    argv: Strings<'a>,
    env: Strings<'a>,
}

impl<'a> Launch<'a> {
    pub fn argv(&self) -> Strings<'a> {
        self.argv
    }

    /// The `KEY=VALUE` entries; each has a non-empty key and an `=`.
    pub fn env(&self) -> Strings<'a> {
        self.env
    }

    /// The encoded parameters: the region up to its stated total length.
    pub fn bytes(&self) -> &'a [u8] {
        self.region
    }

    /// The value of the first environment entry whose key is `key`.
    pub fn var(&self, key: &[u8]) -> Option<&'a [u8]> {
        self.env
            .iter()
            .enumerate()
            .filter_map(|(index, entry)| env::split(entry, index).ok())
            .find(|(k, _)| *k == key)
            .map(|(_, value)| value)
    }
}

/// Checks every field of `region` and returns a view of it. `region` may be
/// longer than the stated total length (the kernel maps whole pages); the
/// bytes past it are ignored.
pub fn decode(region: &[u8]) -> Result<Launch<'_>, LaunchError> {
    let raw = region
        .first_chunk::<HEADER_SIZE>()
        .ok_or(LaunchError::Truncated)?;
    let header = Header::parse(raw);
    if header.magic != MAGIC {
        return Err(LaunchError::BadMagic);
    }
    if header.version != VERSION {
        return Err(LaunchError::BadVersion);
    }
    if header.reserved != 0 {
        return Err(LaunchError::ReservedNotZero);
    }
    let total = usize::try_from(header.total_len).map_err(|_| LaunchError::BadTotalLength)?;
    if !(HEADER_SIZE..=MAX_SIZE).contains(&total) {
        return Err(LaunchError::BadTotalLength);
    }
    let region = region.get(..total).ok_or(LaunchError::Truncated)?;
    // A string is terminated iff a NUL follows its start somewhere in the
    // region, i.e. iff it starts at or before the last NUL. One scan here
    // instead of one per string keeps a hostile region from costing
    // (strings × length).
    let last_nul = region.iter().rposition(|&b| b == 0);
    let argv = table(region, last_nul, &header, List::Argv)?;
    let env = table(region, last_nul, &header, List::Env)?;
    for (index, entry) in env.iter().enumerate() {
        env::split(entry, index)?;
    }
    Ok(Launch { region, argv, env })
}

/// Checks `list`'s table and every string it points to.
fn table<'a>(
    region: &'a [u8],
    last_nul: Option<usize>,
    header: &Header,
    list: List,
) -> Result<Strings<'a>, LaunchError> {
    let (offset, count, max) = match list {
        List::Argv => (header.argv_table, header.argc, MAX_ARGS),
        List::Env => (header.env_table, header.envc, MAX_ENV),
    };
    let count = usize::try_from(count).map_err(|_| LaunchError::TooMany { list })?;
    if count > max {
        return Err(LaunchError::TooMany { list });
    }
    let bad_table = LaunchError::BadTable { list };
    let start = usize::try_from(offset).map_err(|_| bad_table)?;
    // count <= max, so 4 * count cannot overflow.
    let end = start.checked_add(4 * count).ok_or(bad_table)?;
    if start < HEADER_SIZE || start % 4 != 0 || end > region.len() {
        return Err(bad_table);
    }
    let strings = Strings::new(region, start, count);
    for index in 0..count {
        let at = strings
            .offset(index)
            .and_then(|at| usize::try_from(at).ok())
            .filter(|at| (HEADER_SIZE..region.len()).contains(at))
            .ok_or(LaunchError::StringOutOfRange { list, index })?;
        if last_nul.is_none_or(|nul| at > nul) {
            return Err(LaunchError::Unterminated { list, index });
        }
    }
    Ok(strings)
}
