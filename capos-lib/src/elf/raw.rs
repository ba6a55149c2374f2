//! Byte-level reading of ELF64 little-endian headers.
//!
//! Fields are copied out of the input with `from_le_bytes` rather than by
//! casting the bytes to a struct, so input of any length and alignment reads
//! safely (an ELF embedded in the boot manifest need not be 8-byte aligned).

/// Size of the ELF64 file header.
pub const EHDR_SIZE: usize = 64;
/// Size of one ELF64 program header.
pub const PHDR_SIZE: usize = 56;

pub const MAGIC: [u8; 4] = *b"\x7fELF";
pub const ELFCLASS64: u8 = 2;
pub const ELFDATA2LSB: u8 = 1;
pub const EV_CURRENT: u8 = 1;
pub const ET_EXEC: u16 = 2;
pub const EM_X86_64: u16 = 62;

pub const PT_LOAD: u32 = 1;
pub const PT_DYNAMIC: u32 = 2;
pub const PT_INTERP: u32 = 3;

pub const PF_X: u32 = 1;
pub const PF_W: u32 = 2;

/// The file header fields the loader looks at.
pub struct FileHeader {
    pub magic: [u8; 4],
    pub class: u8,
    pub data: u8,
    pub ident_version: u8,
    pub e_type: u16,
    pub machine: u16,
    pub version: u32,
    pub entry: u64,
    pub phoff: u64,
    pub phentsize: u16,
    pub phnum: u16,
}

/// The program header fields the loader looks at.
pub struct ProgramHeader {
    pub p_type: u32,
    pub flags: u32,
    pub offset: u64,
    pub vaddr: u64,
    pub filesz: u64,
    pub memsz: u64,
}

impl FileHeader {
    pub fn parse(raw: &[u8; EHDR_SIZE]) -> Self {
        FileHeader {
            magic: field(raw, 0),
            class: raw[4],
            data: raw[5],
            ident_version: raw[6],
            e_type: u16::from_le_bytes(field(raw, 16)),
            machine: u16::from_le_bytes(field(raw, 18)),
            version: u32::from_le_bytes(field(raw, 20)),
            entry: u64::from_le_bytes(field(raw, 24)),
            phoff: u64::from_le_bytes(field(raw, 32)),
            phentsize: u16::from_le_bytes(field(raw, 54)),
            phnum: u16::from_le_bytes(field(raw, 56)),
        }
    }
}

impl ProgramHeader {
    pub fn parse(raw: &[u8; PHDR_SIZE]) -> Self {
        ProgramHeader {
            p_type: u32::from_le_bytes(field(raw, 0)),
            flags: u32::from_le_bytes(field(raw, 4)),
            offset: u64::from_le_bytes(field(raw, 8)),
            vaddr: u64::from_le_bytes(field(raw, 16)),
            filesz: u64::from_le_bytes(field(raw, 32)),
            memsz: u64::from_le_bytes(field(raw, 40)),
        }
    }
}

/// The `N` bytes at `at` of a fixed-size record. Callers pass constant
/// offsets that lie inside the record, so the slicing cannot fail.
fn field<const N: usize>(record: &[u8], at: usize) -> [u8; N] {
    let mut out = [0; N];
    out.copy_from_slice(&record[at..at + N]);
    out
}
