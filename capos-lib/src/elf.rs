//! ELF64 load plans: what to map where, checked against a hostile binary.
//!
//! The kernel loads user programs from the boot manifest, and mkmanifest
//! refuses to embed a binary the kernel would refuse, so both call
//! [`load_plan`]. Only static, non-PIE x86_64 executables are accepted. A
//! plan returned here is safe to act on without further checks: every file
//! range lies inside the image, every segment lies inside the user image
//! region, no two segments share a page (the kernel maps whole pages, each
//! with one set of permissions), no page is writable and executable, and the
//! entry point is code from the file.

mod error;
mod raw;
#[cfg(test)]
mod tests;

use alloc::vec::Vec;
use capos_abi::layout::{PAGE_SIZE, USER_IMAGE_BASE, USER_IMAGE_LIMIT};
use core::ops::Range;

pub use error::ElfError;
use raw::{EHDR_SIZE, FileHeader, PHDR_SIZE, ProgramHeader};

/// Most PT_LOAD segments an image may have. Linkers emit three or four;
/// the bound keeps the page-overlap check and the plan small.
pub const MAX_SEGMENTS: usize = 16;

/// Where a program starts and what to map for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadPlan {
    pub entry: u64,
    /// The PT_LOAD segments, in program header order.
    pub segments: Vec<Segment>,
}

/// One PT_LOAD segment: `file_size` bytes from `file_offset` copied to
/// `vaddr`, the rest up to `mem_size` zeroed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segment {
    pub vaddr: u64,
    pub mem_size: u64,
    pub file_offset: u64,
    pub file_size: u64,
    pub writable: bool,
    pub executable: bool,
}

impl Segment {
    /// The page-aligned address range the segment occupies. Cannot overflow
    /// for segments of a [`LoadPlan`], which lie inside the user image.
    pub fn page_range(&self) -> Range<u64> {
        let start = self.vaddr & !(PAGE_SIZE - 1);
        let end = (self.vaddr + self.mem_size).next_multiple_of(PAGE_SIZE);
        start..end
    }

    /// The segment's bytes in `image`, the ELF it was planned from.
    pub fn file_bytes<'a>(&self, image: &'a [u8]) -> &'a [u8] {
        let start = self.file_offset as usize;
        &image[start..start + self.file_size as usize]
    }
}

/// Parses and checks `image`, returning what to map and where to start.
pub fn load_plan(image: &[u8]) -> Result<LoadPlan, ElfError> {
    let header = read_header(image)?;
    let mut segments = Vec::new();
    for index in 0..usize::from(header.phnum) {
        let ph = read_program_header(image, &header, index)?;
        match ph.p_type {
            raw::PT_LOAD => {
                if segments.len() == MAX_SEGMENTS {
                    return Err(ElfError::TooManySegments);
                }
                segments.push(check_segment(&ph, image.len())?);
            }
            raw::PT_INTERP => return Err(ElfError::Interpreter),
            raw::PT_DYNAMIC => return Err(ElfError::Dynamic),
            // PT_TLS, PT_GNU_STACK, notes and the like need no mapping.
            _ => {}
        }
    }
    if segments.is_empty() {
        return Err(ElfError::NoSegments);
    }
    check_no_shared_pages(&segments)?;
    let entry_ok = segments
        .iter()
        .any(|s| s.executable && header.entry >= s.vaddr && header.entry - s.vaddr < s.file_size);
    if !entry_ok {
        return Err(ElfError::EntryNotExecutable);
    }
    Ok(LoadPlan {
        entry: header.entry,
        segments,
    })
}

/// Reads the file header and checks it describes a static x86_64
/// executable whose program header table lies inside the file.
fn read_header(image: &[u8]) -> Result<FileHeader, ElfError> {
    let raw = image.first_chunk::<EHDR_SIZE>().ok_or(ElfError::TooShort)?;
    let header = FileHeader::parse(raw);
    if header.magic != raw::MAGIC {
        return Err(ElfError::BadMagic);
    }
    if header.class != raw::ELFCLASS64 {
        return Err(ElfError::NotElf64);
    }
    if header.data != raw::ELFDATA2LSB {
        return Err(ElfError::NotLittleEndian);
    }
    if header.ident_version != raw::EV_CURRENT || header.version != u32::from(raw::EV_CURRENT) {
        return Err(ElfError::BadVersion);
    }
    if header.machine != raw::EM_X86_64 {
        return Err(ElfError::NotX86_64);
    }
    if header.e_type != raw::ET_EXEC {
        return Err(ElfError::NotExecutable);
    }
    if usize::from(header.phentsize) != PHDR_SIZE {
        return Err(ElfError::BadProgramHeaderSize);
    }
    let table_len = u64::from(header.phnum) * PHDR_SIZE as u64;
    let table_end = header.phoff.checked_add(table_len);
    if table_end.is_none_or(|end| end > image.len() as u64) {
        return Err(ElfError::ProgramHeadersOutOfFile);
    }
    Ok(header)
}

/// Reads program header `index`; [`read_header`] checked the table bounds.
fn read_program_header(
    image: &[u8],
    header: &FileHeader,
    index: usize,
) -> Result<ProgramHeader, ElfError> {
    let start = header.phoff as usize + index * PHDR_SIZE;
    image
        .get(start..)
        .and_then(|rest| rest.first_chunk::<PHDR_SIZE>())
        .map(ProgramHeader::parse)
        .ok_or(ElfError::ProgramHeadersOutOfFile)
}

/// Checks one PT_LOAD header on its own; overlaps are checked afterwards.
fn check_segment(ph: &ProgramHeader, image_len: usize) -> Result<Segment, ElfError> {
    if ph.memsz == 0 {
        return Err(ElfError::EmptySegment);
    }
    if ph.filesz > ph.memsz {
        return Err(ElfError::FileSizeExceedsMemSize);
    }
    let file_end = ph.offset.checked_add(ph.filesz);
    if file_end.is_none_or(|end| end > image_len as u64) {
        return Err(ElfError::SegmentOutOfFile);
    }
    // The kernel maps file pages at their offset within the page, so the
    // address and the offset must agree below the page size.
    if ph.vaddr % PAGE_SIZE != ph.offset % PAGE_SIZE {
        return Err(ElfError::Misaligned);
    }
    let mem_end = ph.vaddr.checked_add(ph.memsz);
    if ph.vaddr < USER_IMAGE_BASE || mem_end.is_none_or(|end| end > USER_IMAGE_LIMIT) {
        return Err(ElfError::OutsideUserImage);
    }
    let writable = ph.flags & raw::PF_W != 0;
    let executable = ph.flags & raw::PF_X != 0;
    if writable && executable {
        return Err(ElfError::WritableAndExecutable);
    }
    Ok(Segment {
        vaddr: ph.vaddr,
        mem_size: ph.memsz,
        file_offset: ph.offset,
        file_size: ph.filesz,
        writable,
        executable,
    })
}

/// Refuses segments that touch a common page: that page would need two
/// sets of permissions, or one segment's mapping would clobber the other's.
fn check_no_shared_pages(segments: &[Segment]) -> Result<(), ElfError> {
    for (i, a) in segments.iter().enumerate() {
        let a = a.page_range();
        for b in &segments[..i] {
            let b = b.page_range();
            if a.start < b.end && b.start < a.end {
                return Err(ElfError::Overlap);
            }
        }
    }
    Ok(())
}
