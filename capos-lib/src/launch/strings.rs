//! A view of one string table (argv or env) in a decoded region.

use super::header::try_read_u32;
use core::ffi::CStr;

/// The strings of one table, in order. Obtained from a
/// [`super::Launch`], whose decoding checked every offset and terminator,
/// so the accessors only return `None` for an index past [`Strings::len`].
#[derive(Debug, Clone, Copy)]
pub struct Strings<'a> {
    /// The region up to its stated total length.
    region: &'a [u8],
    /// Offset of the table in `region`.
    table: usize,
    len: usize,
}

impl<'a> Strings<'a> {
    /// Callers ensure the table lies inside `region`.
    pub(super) fn new(region: &'a [u8], table: usize, len: usize) -> Self {
        Strings { region, table, len }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Offset of string `index` from the start of the region. A C runtime
    /// adds [`capos_abi::layout::LAUNCH_VADDR`] to get its `char *`.
    pub fn offset(&self, index: usize) -> Option<u32> {
        if index >= self.len {
            return None;
        }
        try_read_u32(self.region, self.table.checked_add(index.checked_mul(4)?)?)
    }

    /// String `index` with its NUL, pointing into the region (no copy).
    pub fn c_str(&self, index: usize) -> Option<&'a CStr> {
        let start = usize::try_from(self.offset(index)?).ok()?;
        CStr::from_bytes_until_nul(self.region.get(start..)?).ok()
    }

    /// String `index` without its NUL.
    pub fn get(&self, index: usize) -> Option<&'a [u8]> {
        self.c_str(index).map(CStr::to_bytes)
    }

    pub fn iter(&self) -> impl Iterator<Item = &'a [u8]> + use<'a> {
        let strings = *self;
        (0..self.len).map_while(move |index| strings.get(index))
    }
}
