mod builder;
mod fuzz;

use super::raw::{PF_W, PF_X, PT_DYNAMIC, PT_INTERP};
use super::*;
use builder::{PF_R, Phdr, TestElf};
use capos_abi::layout::{USER_IMAGE_BASE, USER_IMAGE_LIMIT};
use std::string::ToString;

/// Builds `elf` after `change` and returns what `load_plan` says about it.
fn plan_with(change: impl FnOnce(&mut TestElf)) -> Result<LoadPlan, ElfError> {
    let mut elf = TestElf::valid();
    change(&mut elf);
    load_plan(&elf.build())
}

fn rejects(expected: ElfError, change: impl FnOnce(&mut TestElf)) {
    assert_eq!(plan_with(change), Err(expected));
}

#[test]
fn valid_image_gives_its_plan() {
    let image = TestElf::valid().build();
    let plan = load_plan(&image).unwrap();
    assert_eq!(plan.entry, 0x40_1000);
    assert_eq!(
        plan.segments,
        [
            Segment {
                vaddr: 0x40_1000,
                mem_size: 0x100,
                file_offset: 0x1000,
                file_size: 0x100,
                writable: false,
                executable: true,
            },
            Segment {
                vaddr: 0x40_2000,
                mem_size: 0x1800,
                file_offset: 0x2000,
                file_size: 0x10,
                writable: true,
                executable: false,
            },
        ]
    );
    assert_eq!(plan.segments[1].page_range(), 0x40_2000..0x40_4000);
    assert_eq!(plan.segments[1].file_bytes(&image).len(), 0x10);
}

#[test]
fn other_program_headers_are_ignored() {
    const PT_NOTE: u32 = 4;
    const PT_TLS: u32 = 7;
    const PT_GNU_STACK: u32 = 0x6474_e551;
    let plan = plan_with(|e| {
        for p_type in [PT_NOTE, PT_TLS, PT_GNU_STACK] {
            e.phdrs.push(Phdr::other(p_type));
        }
    })
    .unwrap();
    assert_eq!(plan.segments.len(), 2);
}

#[test]
fn segments_may_sit_at_the_edges_of_the_image_region() {
    let plan = plan_with(|e| {
        e.phdrs[0].vaddr = USER_IMAGE_BASE;
        e.phdrs[1].vaddr = USER_IMAGE_LIMIT - 0x2000;
        e.phdrs[1].memsz = 0x2000;
        e.entry = USER_IMAGE_BASE + 0xff;
    })
    .unwrap();
    assert_eq!(plan.segments[0].page_range().start, USER_IMAGE_BASE);
    assert_eq!(plan.segments[1].page_range().end, USER_IMAGE_LIMIT);
}

#[test]
fn rejects_bad_file_headers() {
    rejects(ElfError::TooShort, |e| e.len = 63);
    rejects(ElfError::NotElf64, |e| e.class = 1);
    rejects(ElfError::NotLittleEndian, |e| e.data = 2);
    rejects(ElfError::BadVersion, |e| e.ident_version = 0);
    rejects(ElfError::BadVersion, |e| e.version = 2);
    rejects(ElfError::NotX86_64, |e| e.machine = 183);
    rejects(ElfError::NotExecutable, |e| e.e_type = 3);
    rejects(ElfError::NotExecutable, |e| e.e_type = 1);
    rejects(ElfError::BadProgramHeaderSize, |e| e.phentsize = 64);

    let mut image = TestElf::valid().build();
    image[0] = 0x7e;
    assert_eq!(load_plan(&image), Err(ElfError::BadMagic));
    assert_eq!(load_plan(&[]), Err(ElfError::TooShort));
}

#[test]
fn rejects_program_headers_past_the_end() {
    rejects(ElfError::ProgramHeadersOutOfFile, |e| {
        e.phnum = Some(u16::MAX)
    });
    rejects(ElfError::ProgramHeadersOutOfFile, |e| {
        e.phoff = 0x2000;
        e.len = 0x2000 + 56;
    });
    // An offset so large that offset + size wraps around.
    let mut image = TestElf::valid().build();
    image[32..40].copy_from_slice(&(u64::MAX - 8).to_le_bytes());
    assert_eq!(load_plan(&image), Err(ElfError::ProgramHeadersOutOfFile));
}

#[test]
fn rejects_dynamic_linking() {
    rejects(ElfError::Interpreter, |e| {
        e.phdrs.push(Phdr::other(PT_INTERP))
    });
    rejects(ElfError::Dynamic, |e| e.phdrs.push(Phdr::other(PT_DYNAMIC)));
}

#[test]
fn rejects_too_many_or_no_segments() {
    rejects(ElfError::TooManySegments, |e| {
        e.phdrs = (0..=MAX_SEGMENTS as u64)
            .map(|i| Phdr::load(PF_R, 0x1000, 0x40_1000 + i * 0x1000, 0, 1))
            .collect();
        e.len = 0x1000 + 17 * 56;
    });
    rejects(ElfError::NoSegments, |e| e.phdrs.clear());
    rejects(ElfError::NoSegments, |e| e.phdrs = [Phdr::other(7)].into());
    assert!(
        ElfError::TooManySegments
            .message()
            .contains(&MAX_SEGMENTS.to_string())
    );
}

#[test]
fn rejects_inconsistent_sizes() {
    rejects(ElfError::EmptySegment, |e| e.phdrs[1].memsz = 0);
    rejects(ElfError::FileSizeExceedsMemSize, |e| {
        e.phdrs[1].filesz = 0x1801
    });
}

#[test]
fn rejects_file_ranges_outside_the_file() {
    rejects(ElfError::SegmentOutOfFile, |e| e.phdrs[1].filesz = 0x11);
    rejects(ElfError::SegmentOutOfFile, |e| e.phdrs[1].offset = 0x3000);
    rejects(ElfError::SegmentOutOfFile, |e| {
        e.phdrs[1].offset = u64::MAX - 0x0f;
        e.phdrs[1].filesz = 0x10;
    });
}

#[test]
fn rejects_offset_and_address_out_of_page_step() {
    rejects(ElfError::Misaligned, |e| e.phdrs[1].vaddr = 0x40_2008);
}

#[test]
fn rejects_segments_outside_the_image_region() {
    rejects(ElfError::OutsideUserImage, |e| {
        e.phdrs[1].vaddr = USER_IMAGE_BASE - 0x1000;
    });
    rejects(ElfError::OutsideUserImage, |e| {
        e.phdrs[1].vaddr = USER_IMAGE_LIMIT - 0x1000;
    });
    rejects(ElfError::OutsideUserImage, |e| {
        e.phdrs[1].vaddr = 0xffff_ffff_8000_0000;
    });
    // vaddr + memsz wraps around to a small, "valid" address.
    rejects(ElfError::OutsideUserImage, |e| {
        e.phdrs[1].memsz = 0u64.wrapping_sub(0x40_2000) + 0x10_0000;
    });
}

#[test]
fn rejects_segments_sharing_a_page() {
    // Byte ranges are disjoint, but both touch page 0x402000.
    rejects(ElfError::Overlap, |e| {
        e.phdrs[0].memsz = 0x1100;
    });
    rejects(ElfError::Overlap, |e| {
        e.phdrs
            .push(Phdr::load(PF_R, 0x1000, 0x40_3000, 0x10, 0x10));
    });
}

#[test]
fn rejects_writable_and_executable() {
    rejects(ElfError::WritableAndExecutable, |e| {
        e.phdrs[0].flags = PF_R | PF_W | PF_X;
    });
}

#[test]
fn rejects_entry_outside_file_backed_code() {
    rejects(ElfError::EntryNotExecutable, |e| e.entry = 0x40_2000);
    rejects(ElfError::EntryNotExecutable, |e| e.entry = 0x40_1100);
    rejects(ElfError::EntryNotExecutable, |e| e.entry = 0);
    rejects(ElfError::EntryNotExecutable, |e| {
        e.phdrs[0].filesz = 0x80;
        e.entry = 0x40_1080;
    });
}

#[test]
fn garbage_never_panics() {
    let image = TestElf::valid().build();
    for len in 0..image.len() {
        let _ = load_plan(&image[..len]);
    }
    let headers_end = 64 + 2 * 56;
    for at in 0..headers_end {
        for value in [0x00, 0x01, 0x7f, 0x80, 0xff] {
            let mut bad = image.clone();
            bad[at] = value;
            let _ = load_plan(&bad);
        }
    }
}

#[test]
fn every_error_has_a_message() {
    let all = [
        ElfError::TooShort,
        ElfError::BadMagic,
        ElfError::NotElf64,
        ElfError::NotLittleEndian,
        ElfError::BadVersion,
        ElfError::NotX86_64,
        ElfError::NotExecutable,
        ElfError::BadProgramHeaderSize,
        ElfError::ProgramHeadersOutOfFile,
        ElfError::Interpreter,
        ElfError::Dynamic,
        ElfError::TooManySegments,
        ElfError::NoSegments,
        ElfError::EmptySegment,
        ElfError::FileSizeExceedsMemSize,
        ElfError::SegmentOutOfFile,
        ElfError::Misaligned,
        ElfError::OutsideUserImage,
        ElfError::Overlap,
        ElfError::WritableAndExecutable,
        ElfError::EntryNotExecutable,
    ];
    for (i, e) in all.iter().enumerate() {
        assert_eq!(e.to_string(), e.message());
        assert!(all[i + 1..].iter().all(|o| o.message() != e.message()));
    }
}
