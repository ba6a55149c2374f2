//! `getdents64` records (struct linux_dirent64), which musl's readdir
//! walks.

/// d_type values.
pub const DT_DIR: u8 = 4;
pub const DT_REG: u8 = 8;

/// The header before the name: d_ino, d_off, d_reclen, d_type.
const HEADER: usize = 19;

/// Bytes of the record of a `len`-byte name: header, name, NUL, padded to 8.
pub fn record_len(len: usize) -> usize {
    (HEADER + len + 1).next_multiple_of(8)
}

/// Writes one record at the start of `buf`; `None` if it does not fit.
pub fn put(buf: &mut [u8], ino: u64, off: u64, kind: u8, name: &[u8]) -> Option<usize> {
    let len = record_len(name.len());
    let out = buf.get_mut(..len)?;
    out.fill(0);
    out[0..8].copy_from_slice(&ino.to_le_bytes());
    out[8..16].copy_from_slice(&off.to_le_bytes());
    out[16..18].copy_from_slice(&(len as u16).to_le_bytes());
    out[18] = kind;
    out[HEADER..HEADER + name.len()].copy_from_slice(name);
    Some(len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_padded_and_terminated() {
        assert_eq!(record_len(1), 24);
        assert_eq!(record_len(4), 24);
        assert_eq!(record_len(5), 32);
        assert_eq!(record_len(255), 280);
        let mut buf = [0xffu8; 40];
        let n = put(&mut buf, 7, 3, DT_REG, b"hosts").unwrap();
        assert_eq!(n, 32);
        assert_eq!(u64::from_le_bytes(buf[0..8].try_into().unwrap()), 7);
        assert_eq!(u64::from_le_bytes(buf[8..16].try_into().unwrap()), 3);
        assert_eq!(u16::from_le_bytes([buf[16], buf[17]]), 32);
        assert_eq!(buf[18], DT_REG);
        assert_eq!(&buf[19..25], b"hosts\0");
        assert_eq!(buf[32], 0xff, "nothing past the record");
        assert_eq!(put(&mut buf[..31], 7, 3, DT_REG, b"hosts"), None);
    }
}
