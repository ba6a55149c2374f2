//! Writes small ELF64 images for the tests: every header field is a plain
//! struct field, so a test breaks exactly the rule it is about.

use super::super::raw::{EHDR_SIZE, PF_W, PF_X, PHDR_SIZE, PT_LOAD};
use std::vec;
use std::vec::Vec;

pub const PF_R: u32 = 4;

#[derive(Clone, Debug)]
pub struct Phdr {
    pub p_type: u32,
    pub flags: u32,
    pub offset: u64,
    pub vaddr: u64,
    pub filesz: u64,
    pub memsz: u64,
}

impl Phdr {
    pub fn load(flags: u32, offset: u64, vaddr: u64, filesz: u64, memsz: u64) -> Self {
        Phdr {
            p_type: PT_LOAD,
            flags,
            offset,
            vaddr,
            filesz,
            memsz,
        }
    }

    pub fn other(p_type: u32) -> Self {
        Phdr {
            p_type,
            ..Phdr::load(PF_R, 0, 0, 0, 0)
        }
    }
}

#[derive(Clone, Debug)]
pub struct TestElf {
    pub class: u8,
    pub data: u8,
    pub ident_version: u8,
    pub e_type: u16,
    pub machine: u16,
    pub version: u32,
    pub entry: u64,
    pub phoff: u64,
    pub phentsize: u16,
    pub phnum: Option<u16>,
    pub phdrs: Vec<Phdr>,
    /// Length of the image; anything written past it is cut off.
    pub len: usize,
}

impl TestElf {
    /// A typical static executable: text (R-X) at 0x401000, data and bss
    /// (RW-) at 0x402000, entry at the start of the text.
    pub fn valid() -> Self {
        TestElf {
            class: 2,
            data: 1,
            ident_version: 1,
            e_type: 2,
            machine: 62,
            version: 1,
            entry: 0x40_1000,
            phoff: EHDR_SIZE as u64,
            phentsize: PHDR_SIZE as u16,
            phnum: None,
            phdrs: vec![
                Phdr::load(PF_R | PF_X, 0x1000, 0x40_1000, 0x100, 0x100),
                Phdr::load(PF_R | PF_W, 0x2000, 0x40_2000, 0x10, 0x1800),
            ],
            len: 0x2010,
        }
    }

    pub fn build(&self) -> Vec<u8> {
        let table_end = self.phoff as usize + self.phdrs.len() * PHDR_SIZE;
        let mut out = vec![0u8; self.len.max(table_end).max(EHDR_SIZE)];
        out[..4].copy_from_slice(b"\x7fELF");
        out[4] = self.class;
        out[5] = self.data;
        out[6] = self.ident_version;
        put(&mut out, 16, &self.e_type.to_le_bytes());
        put(&mut out, 18, &self.machine.to_le_bytes());
        put(&mut out, 20, &self.version.to_le_bytes());
        put(&mut out, 24, &self.entry.to_le_bytes());
        put(&mut out, 32, &self.phoff.to_le_bytes());
        put(&mut out, 52, &(EHDR_SIZE as u16).to_le_bytes());
        put(&mut out, 54, &self.phentsize.to_le_bytes());
        let phnum = self.phnum.unwrap_or(self.phdrs.len() as u16);
        put(&mut out, 56, &phnum.to_le_bytes());
        for (i, ph) in self.phdrs.iter().enumerate() {
            let at = self.phoff as usize + i * PHDR_SIZE;
            put(&mut out, at, &ph.p_type.to_le_bytes());
            put(&mut out, at + 4, &ph.flags.to_le_bytes());
            put(&mut out, at + 8, &ph.offset.to_le_bytes());
            put(&mut out, at + 16, &ph.vaddr.to_le_bytes());
            put(&mut out, at + 24, &ph.vaddr.to_le_bytes());
            put(&mut out, at + 32, &ph.filesz.to_le_bytes());
            put(&mut out, at + 40, &ph.memsz.to_le_bytes());
            put(&mut out, at + 48, &0x1000u64.to_le_bytes());
        }
        out.truncate(self.len);
        out
    }
}

fn put(out: &mut [u8], at: usize, bytes: &[u8]) {
    out[at..at + bytes.len()].copy_from_slice(bytes);
}
