//! Byte-level reading and writing of the launch header.
//!
//! Fields are copied with `from_le_bytes` rather than by casting the region
//! to a struct, so a region of any alignment reads safely.

use super::HEADER_SIZE;

/// The header fields, in layout order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    pub magic: u32,
    pub version: u32,
    pub total_len: u32,
    pub argc: u32,
    pub envc: u32,
    pub argv_table: u32,
    pub env_table: u32,
    pub reserved: u32,
}

impl Header {
    pub fn parse(raw: &[u8; HEADER_SIZE]) -> Self {
        Header {
            magic: read_u32(raw, 0),
            version: read_u32(raw, 4),
            total_len: read_u32(raw, 8),
            argc: read_u32(raw, 12),
            envc: read_u32(raw, 16),
            argv_table: read_u32(raw, 20),
            env_table: read_u32(raw, 24),
            reserved: read_u32(raw, 28),
        }
    }

    pub fn to_bytes(self) -> [u8; HEADER_SIZE] {
        let fields = [
            self.magic,
            self.version,
            self.total_len,
            self.argc,
            self.envc,
            self.argv_table,
            self.env_table,
            self.reserved,
        ];
        let mut raw = [0; HEADER_SIZE];
        for (chunk, field) in raw.chunks_exact_mut(4).zip(fields) {
            chunk.copy_from_slice(&field.to_le_bytes());
        }
        raw
    }
}

/// The little-endian `u32` at `at`, or `None` if it does not fit in `bytes`.
pub fn try_read_u32(bytes: &[u8], at: usize) -> Option<u32> {
    let end = at.checked_add(4)?;
    let raw = bytes.get(at..end)?.try_into().ok()?;
    Some(u32::from_le_bytes(raw))
}

/// A header field. Every caller passes a constant offset inside the header,
/// so the fallback is never taken; it only spares a panic path.
fn read_u32(raw: &[u8; HEADER_SIZE], at: usize) -> u32 {
    try_read_u32(raw, at).unwrap_or(0)
}
