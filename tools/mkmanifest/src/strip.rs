//! What of an ELF goes into the boot image: the bytes the kernel loads.
//!
//! The kernel reads an ELF's header, its program headers and the file
//! bytes its segments name, nothing else. Release builds keep debug
//! information (`debug = 1`, for `make profile`, which reads the host's
//! copy), which in a user program is several times its code and would
//! otherwise be copied into the boot image, and so into RAM the kernel
//! cannot give processes, once per binary. The image keeps the prefix
//! of the file that ends with the last byte a program header names, and
//! the section header table fields are cleared, since that table is cut
//! off. The result is still an ELF that `capos_lib::elf::load_plan`
//! accepts, with the same segments.

/// Offsets of the ELF64 header fields used here.
const E_PHOFF: usize = 0x20;
const E_SHOFF: usize = 0x28;
const E_PHENTSIZE: usize = 0x36;
const E_PHNUM: usize = 0x38;
const E_SHENTSIZE: usize = 0x3a;
const E_SHNUM: usize = 0x3c;
const E_SHSTRNDX: usize = 0x3e;
/// Offsets in a program header.
const P_OFFSET: usize = 0x08;
const P_FILESZ: usize = 0x20;

fn u16_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?).into())
}

fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

/// `elf` (already accepted by `load_plan`) without the bytes after its
/// last loaded one; `None` if a header does not read, which a checked
/// ELF never does.
pub fn loadable(elf: &[u8]) -> Option<Vec<u8>> {
    let phoff = u64_at(elf, E_PHOFF)?;
    let phentsize = u16_at(elf, E_PHENTSIZE)?;
    let phnum = u16_at(elf, E_PHNUM)?;
    let mut end = phoff.checked_add(phentsize.checked_mul(phnum)?)?;
    for i in 0..phnum {
        let ph = usize::try_from(phoff + i * phentsize).ok()?;
        let offset = u64_at(elf, ph + P_OFFSET)?;
        let filesz = u64_at(elf, ph + P_FILESZ)?;
        end = end.max(offset.checked_add(filesz)?);
    }
    let end = usize::try_from(end).ok()?;
    let mut out = elf.get(..end)?.to_vec();
    out[E_SHOFF..E_SHOFF + 8].fill(0);
    for field in [E_SHENTSIZE, E_SHNUM, E_SHSTRNDX] {
        out[field..field + 2].fill(0);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_elf::tiny_elf;

    #[test]
    fn trailing_sections_are_cut_and_the_segments_kept() {
        let mut elf = tiny_elf();
        let loaded = elf.len();
        // Debug sections and a section header table after the segment.
        elf.extend_from_slice(&[0xdb; 5000]);
        elf[E_SHOFF..E_SHOFF + 8].copy_from_slice(&(loaded as u64 + 100).to_le_bytes());
        elf[E_SHNUM..E_SHNUM + 2].copy_from_slice(&7u16.to_le_bytes());
        let out = loadable(&elf).unwrap();
        assert_eq!(out.len(), loaded);
        assert_eq!(u64_at(&out, E_SHOFF), Some(0));
        assert_eq!(u16_at(&out, E_SHNUM), Some(0));
        assert_eq!(out[..E_SHOFF], elf[..E_SHOFF]);
        let plan = capos_lib::elf::load_plan(&out).expect("still loadable");
        let original = capos_lib::elf::load_plan(&tiny_elf()).unwrap();
        assert_eq!(format!("{plan:?}"), format!("{original:?}"));
        // A file already without sections is unchanged.
        assert_eq!(loadable(&tiny_elf()).unwrap(), tiny_elf());
    }

    #[test]
    fn headers_that_do_not_read_are_refused() {
        assert_eq!(loadable(&tiny_elf()[..40]), None);
        assert_eq!(loadable(&[]), None);
    }
}
