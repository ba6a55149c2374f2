//! Why an ELF image was refused.

use core::fmt;

/// A reason [`super::load_plan`] refused an image. Each names the first
/// rule the image broke, so a build tool can print it as is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ElfError {
    TooShort,
    BadMagic,
    NotElf64,
    NotLittleEndian,
    BadVersion,
    NotX86_64,
    NotExecutable,
    BadProgramHeaderSize,
    ProgramHeadersOutOfFile,
    Interpreter,
    Dynamic,
    TooManySegments,
    NoSegments,
    EmptySegment,
    FileSizeExceedsMemSize,
    SegmentOutOfFile,
    Misaligned,
    OutsideUserImage,
    Overlap,
    WritableAndExecutable,
    EntryNotExecutable,
}

impl ElfError {
    /// A one-line, human-readable description.
    pub fn message(&self) -> &'static str {
        match self {
            ElfError::TooShort => "file is shorter than an ELF header",
            ElfError::BadMagic => "not an ELF file (bad magic number)",
            ElfError::NotElf64 => "not a 64-bit ELF file",
            ElfError::NotLittleEndian => "not a little-endian ELF file",
            ElfError::BadVersion => "unknown ELF version",
            ElfError::NotX86_64 => "not an x86_64 ELF file",
            ElfError::NotExecutable => {
                "not a static executable (ELF type must be EXEC; PIE and objects are refused)"
            }
            ElfError::BadProgramHeaderSize => "program header entry size is not 56 bytes",
            ElfError::ProgramHeadersOutOfFile => {
                "program header table extends past the end of the file"
            }
            ElfError::Interpreter => {
                "dynamically linked: has an interpreter (PT_INTERP); link statically"
            }
            ElfError::Dynamic => "dynamically linked: has a PT_DYNAMIC segment; link statically",
            ElfError::TooManySegments => "too many loadable segments (at most 16)",
            ElfError::NoSegments => "no loadable (PT_LOAD) segment",
            ElfError::EmptySegment => "a loadable segment has a memory size of zero",
            ElfError::FileSizeExceedsMemSize => {
                "a segment's file size is larger than its memory size"
            }
            ElfError::SegmentOutOfFile => "a segment's file range extends past the end of the file",
            ElfError::Misaligned => {
                "a segment's address and file offset differ modulo the page size"
            }
            ElfError::OutsideUserImage => {
                "a segment lies outside the user image region [USER_IMAGE_BASE, USER_IMAGE_LIMIT)"
            }
            ElfError::Overlap => "two loadable segments share a page",
            ElfError::WritableAndExecutable => "a segment is both writable and executable (W^X)",
            ElfError::EntryNotExecutable => {
                "the entry point is not inside the file-backed part of an executable segment"
            }
        }
    }
}

impl fmt::Display for ElfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}
