//! The CapSet page: the capabilities a process starts with, by name.
//!
//! A read-only page at [`crate::layout::CAPSET_VADDR`]: a [`CapSetHeader`]
//! followed by `count` [`CapSetEntry`] records in manifest order. A program
//! finds its authority by name ("console", "timer") and checks the interface
//! id before using it, so a misconfigured manifest fails at lookup, not at
//! the first call.

/// `CapSetHeader::magic`: "CAPS" in little-endian.
pub const CAPSET_MAGIC: u32 = u32::from_le_bytes(*b"CAPS");
pub const CAPSET_VERSION: u32 = 1;
/// Longest capability name, in bytes (UTF-8, not NUL-terminated).
pub const MAX_CAP_NAME: usize = 48;
/// Most entries a CapSet page holds.
pub const MAX_CAPSET_ENTRIES: usize =
    (4096 - core::mem::size_of::<CapSetHeader>()) / core::mem::size_of::<CapSetEntry>();

#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct CapSetHeader {
    pub magic: u32,
    pub version: u32,
    pub count: u32,
    pub _reserved0: u32,
    pub pid: u64,
    /// The pid of the process that spawned this one; 0 for init.
    pub ppid: u64,
    pub _reserved: [u64; 4],
}

#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct CapSetEntry {
    pub cap_id: u32,
    pub name_len: u32,
    pub interface_id: u64,
    pub name: [u8; MAX_CAP_NAME],
}

impl CapSetEntry {
    /// Builds an entry; `None` if the name is empty or too long.
    pub fn new(name: &str, cap_id: u32, interface_id: u64) -> Option<Self> {
        let bytes = name.as_bytes();
        if bytes.is_empty() || bytes.len() > MAX_CAP_NAME {
            return None;
        }
        let mut entry = CapSetEntry {
            cap_id,
            name_len: bytes.len() as u32,
            interface_id,
            name: [0; MAX_CAP_NAME],
        };
        entry.name[..bytes.len()].copy_from_slice(bytes);
        Some(entry)
    }

    /// The entry's name; empty if `name_len` is out of range.
    pub fn name(&self) -> &[u8] {
        self.name.get(..self.name_len as usize).unwrap_or(&[])
    }
}

/// Finds the entry called `name`.
pub fn find<'a>(entries: &'a [CapSetEntry], name: &[u8]) -> Option<&'a CapSetEntry> {
    entries.iter().find(|e| e.name() == name)
}

#[cfg(test)]
mod fuzz;

#[cfg(test)]
mod tests {
    use super::*;
    use core::mem::size_of;

    #[test]
    fn layout_is_fixed() {
        assert_eq!(size_of::<CapSetHeader>(), 64);
        assert_eq!(size_of::<CapSetEntry>(), 64);
        assert_eq!(MAX_CAPSET_ENTRIES, 63);
    }

    #[test]
    fn names_are_bounded_and_found() {
        assert!(CapSetEntry::new("", 1, 2).is_none());
        assert!(CapSetEntry::new(&"x".repeat(MAX_CAP_NAME + 1), 1, 2).is_none());
        let long = "y".repeat(MAX_CAP_NAME);
        let entries = [
            CapSetEntry::new("console", 1, 10).unwrap(),
            CapSetEntry::new(&long, 2, 20).unwrap(),
        ];
        assert_eq!(find(&entries, b"console").unwrap().cap_id, 1);
        assert_eq!(find(&entries, long.as_bytes()).unwrap().interface_id, 20);
        assert!(find(&entries, b"consol").is_none());
        assert!(find(&entries, b"console2").is_none());
    }

    #[test]
    fn corrupt_length_reads_as_empty() {
        let mut e = CapSetEntry::new("timer", 1, 2).unwrap();
        e.name_len = 1000;
        assert_eq!(e.name(), b"");
    }
}
