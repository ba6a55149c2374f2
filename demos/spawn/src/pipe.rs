//! What spawn-pipe and its peer share: the byte pattern of a stream and
//! its checksum, so the reader can tell a stream arrived whole and in
//! order.

/// The byte at `offset` of a test stream.
pub fn pattern(offset: usize) -> u8 {
    (offset.wrapping_mul(131) ^ (offset >> 9)) as u8
}

/// FNV-1a, 64-bit, continued over `bytes`.
pub fn fnv(mut hash: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x100_0000_01b3);
    }
    hash
}

pub const FNV_START: u64 = 0xcbf2_9ce4_8422_2325;

/// Bytes of one record in the atomicity test: PIPE_BUF.
pub const RECORD: usize = capos_abi::pipe::ATOMIC;
