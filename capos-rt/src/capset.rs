//! The CapSet page: the capabilities the process was started with.

use capos_abi::capset::{
    CAPSET_MAGIC, CAPSET_VERSION, CapSetEntry, CapSetHeader, MAX_CAPSET_ENTRIES,
};
use core::fmt;

/// Why the CapSet page was refused at start-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CapSetError {
    BadMagic(u32),
    BadVersion(u32),
    TooManyEntries(u32),
}

/// Why a capability could not be taken from the CapSet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LookupError {
    /// No capability has that name.
    NotFound,
    /// The capability implements another interface than the one asked for.
    WrongInterface { expected: u64, actual: u64 },
    /// The capability was already taken: it has a single owner, which
    /// releases it on drop.
    AlreadyTaken,
}

impl fmt::Display for LookupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LookupError::NotFound => f.write_str("no such capability"),
            LookupError::WrongInterface { expected, actual } => write!(
                f,
                "capability implements interface {actual:#x}, not {expected:#x}"
            ),
            LookupError::AlreadyTaken => f.write_str("capability already taken"),
        }
    }
}

/// A validated view of the CapSet page.
#[derive(Debug, Clone, Copy)]
pub struct CapSet<'a> {
    header: &'a CapSetHeader,
    entries: &'a [CapSetEntry],
}

impl<'a> CapSet<'a> {
    /// Validates the header and wraps the page.
    ///
    /// # Safety
    /// `page` must point to a readable, 8-aligned CapSet page (4 KiB) that
    /// nothing writes for `'a`.
    pub unsafe fn from_ptr(page: *const CapSetHeader) -> Result<Self, CapSetError> {
        // SAFETY: readable and aligned per the contract.
        let header = unsafe { &*page };
        if header.magic != CAPSET_MAGIC {
            return Err(CapSetError::BadMagic(header.magic));
        }
        if header.version != CAPSET_VERSION {
            return Err(CapSetError::BadVersion(header.version));
        }
        if header.count as usize > MAX_CAPSET_ENTRIES {
            return Err(CapSetError::TooManyEntries(header.count));
        }
        // SAFETY: the entries follow the header inside the same page (count
        // was bounded by what fits in it), aligned like the header.
        let entries = unsafe {
            core::slice::from_raw_parts(page.add(1).cast::<CapSetEntry>(), header.count as usize)
        };
        Ok(CapSet { header, entries })
    }

    /// The pid the kernel recorded for this process.
    pub fn pid(&self) -> u64 {
        self.header.pid
    }

    /// The pid of the process that spawned this one (0 for init).
    pub fn ppid(&self) -> u64 {
        self.header.ppid
    }

    pub fn entries(&self) -> &'a [CapSetEntry] {
        self.entries
    }

    /// Finds `name`, whatever its interface. Returns the entry's index and
    /// the entry.
    pub fn find(&self, name: &str) -> Result<(usize, &'a CapSetEntry), LookupError> {
        self.entries
            .iter()
            .enumerate()
            .find(|(_, e)| e.name() == name.as_bytes())
            .ok_or(LookupError::NotFound)
    }

    /// Finds `name` and checks that it implements `interface_id`.
    /// Returns the entry's index and the entry.
    pub fn lookup(
        &self,
        name: &str,
        interface_id: u64,
    ) -> Result<(usize, &'a CapSetEntry), LookupError> {
        let (index, entry) = self.find(name)?;
        if entry.interface_id != interface_id {
            return Err(LookupError::WrongInterface {
                expected: interface_id,
                actual: entry.interface_id,
            });
        }
        Ok((index, entry))
    }
}

#[cfg(test)]
mod fuzz;

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::boxed::Box;

    #[repr(C)]
    struct Page {
        header: CapSetHeader,
        entries: [CapSetEntry; 2],
    }

    fn page() -> Box<Page> {
        Box::new(Page {
            header: CapSetHeader {
                magic: CAPSET_MAGIC,
                version: CAPSET_VERSION,
                count: 2,
                pid: 7,
                ..CapSetHeader::default()
            },
            entries: [
                CapSetEntry::new("console", 0x1_0000, 11).unwrap(),
                CapSetEntry::new("timer", 0x1_0001, 22).unwrap(),
            ],
        })
    }

    #[test]
    fn lookup_checks_name_and_interface() {
        let p = page();
        // SAFETY: the page lives for the whole test.
        let set = unsafe { CapSet::from_ptr(&p.header) }.unwrap();
        assert_eq!(set.pid(), 7);
        assert_eq!(set.lookup("timer", 22).unwrap().0, 1);
        assert_eq!(set.lookup("timer", 22).unwrap().1.cap_id, 0x1_0001);
        let index = |name| set.lookup(name, 22).map(|(i, _)| i);
        assert_eq!(index("spawner"), Err(LookupError::NotFound));
        assert_eq!(
            index("console"),
            Err(LookupError::WrongInterface {
                expected: 22,
                actual: 11
            })
        );
    }

    #[test]
    fn bad_headers_are_refused() {
        let mut p = page();
        p.header.count = 64;
        // SAFETY: the page lives for the whole test; count is checked
        // before any entry is read.
        let err = unsafe { CapSet::from_ptr(&p.header) }.unwrap_err();
        assert_eq!(err, CapSetError::TooManyEntries(64));
        p.header.version = 2;
        // SAFETY: as above.
        let err = unsafe { CapSet::from_ptr(&p.header) }.unwrap_err();
        assert_eq!(err, CapSetError::BadVersion(2));
        p.header.magic = 0;
        // SAFETY: as above.
        let err = unsafe { CapSet::from_ptr(&p.header) }.unwrap_err();
        assert_eq!(err, CapSetError::BadMagic(0));
    }
}
