//! Properties of `load_plan` on random bytes, on valid images it must
//! accept, and on mutations of those. Whatever it is given, it answers
//! `Ok` or `Err`; every plan it returns lies inside the file and the user
//! image region, keeps W^X and one set of permissions per page, starts in
//! file-backed code, and says exactly what the PT_LOAD headers say.

use super::super::raw::{EHDR_SIZE, PF_W, PF_X, PHDR_SIZE, PT_LOAD};
use super::*;
use capos_abi::layout::{PAGE_SIZE, is_user_range};
use proptest::collection;
use proptest::prelude::*;
use std::vec;
use std::vec::Vec;

fn u16_at(image: &[u8], at: usize) -> u16 {
    u16::from_le_bytes(image[at..at + 2].try_into().unwrap())
}

fn u32_at(image: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(image[at..at + 4].try_into().unwrap())
}

fn u64_at(image: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(image[at..at + 8].try_into().unwrap())
}

/// The PT_LOAD headers of an image `load_plan` accepted, read here on
/// their own, as the segments they must become.
fn loads_in(image: &[u8]) -> Vec<Segment> {
    let phoff = u64_at(image, 32) as usize;
    (0..usize::from(u16_at(image, 56)))
        .map(|i| phoff + i * PHDR_SIZE)
        .filter(|&at| u32_at(image, at) == PT_LOAD)
        .map(|at| {
            let flags = u32_at(image, at + 4);
            Segment {
                vaddr: u64_at(image, at + 16),
                mem_size: u64_at(image, at + 40),
                file_offset: u64_at(image, at + 8),
                file_size: u64_at(image, at + 32),
                writable: flags & PF_W != 0,
                executable: flags & PF_X != 0,
            }
        })
        .collect()
}

/// Everything a plan promises the kernel, checked with wide arithmetic.
fn check_plan(image: &[u8], plan: &LoadPlan) -> Result<(), TestCaseError> {
    prop_assert!((1..=MAX_SEGMENTS).contains(&plan.segments.len()));
    prop_assert_eq!(&plan.segments, &loads_in(image));
    for s in &plan.segments {
        prop_assert!(s.mem_size > 0 && s.file_size <= s.mem_size);
        let file_end = u128::from(s.file_offset) + u128::from(s.file_size);
        prop_assert!(file_end <= image.len() as u128, "file range past the file");
        prop_assert_eq!(s.file_bytes(image).len() as u64, s.file_size);
        let mem_end = u128::from(s.vaddr) + u128::from(s.mem_size);
        prop_assert!(s.vaddr >= USER_IMAGE_BASE && mem_end <= u128::from(USER_IMAGE_LIMIT));
        prop_assert!(!(s.writable && s.executable), "W^X");
        prop_assert_eq!(s.vaddr % PAGE_SIZE, s.file_offset % PAGE_SIZE);
        let pages = s.page_range();
        prop_assert!(pages.start % PAGE_SIZE == 0 && pages.end % PAGE_SIZE == 0);
        prop_assert!(u128::from(pages.start) <= u128::from(s.vaddr));
        prop_assert!(u128::from(pages.end) >= mem_end);
        prop_assert!(pages.end <= USER_IMAGE_LIMIT);
        prop_assert!(is_user_range(pages.start, pages.end - pages.start));
    }
    for (i, a) in plan.segments.iter().enumerate() {
        for b in &plan.segments[..i] {
            let (a, b) = (a.page_range(), b.page_range());
            prop_assert!(
                a.end <= b.start || b.end <= a.start,
                "segments share a page"
            );
        }
    }
    let entry = plan.entry;
    prop_assert_eq!(entry, u64_at(image, 24));
    prop_assert!(
        plan.segments
            .iter()
            .any(|s| s.executable && s.vaddr <= entry && entry - s.vaddr < s.file_size),
        "entry outside file-backed code"
    );
    Ok(())
}

fn check_any(image: &[u8]) -> Result<(), TestCaseError> {
    match load_plan(image) {
        Ok(plan) => check_plan(image, &plan),
        Err(e) => {
            prop_assert!(!e.message().is_empty());
            Ok(())
        }
    }
}

/// A valid image and the plan it must give: up to MAX_SEGMENTS PT_LOAD
/// segments on pages of their own (in address order, with gaps), each at
/// any in-page offset, its file range anywhere in the file with the same
/// offset in its page, any flags but W+X, with other program headers
/// mixed in and the entry inside some executable segment's file bytes.
fn valid_image() -> impl Strategy<Value = (TestElf, LoadPlan)> {
    // PT_NOTE, PT_TLS or PT_GNU_STACK after a segment, now and then.
    let note = prop_oneof![Just(4u32), Just(7), Just(0x6474_e551)];
    let other = prop_oneof![4 => Just(None), 1 => note.prop_map(Some)];
    let segment = (
        0..3u64,                      // pages skipped before it
        1..4u64,                      // pages it may span
        0..PAGE_SIZE,                 // offset in its first page
        0..4u64,                      // file page of its data
        any::<prop::sample::Index>(), // memory size
        any::<prop::sample::Index>(), // file size
        prop_oneof![Just(0u32), Just(PF_W), Just(PF_X)],
        other,
    );
    let strategy = (
        collection::vec(segment, 1..=MAX_SEGMENTS),
        any::<prop::sample::Index>(),
        any::<prop::sample::Index>(),
    );
    strategy.prop_map(|(specs, which, at)| {
        let mut elf = TestElf::valid();
        elf.phdrs.clear();
        let mut segments = Vec::new();
        let mut page = USER_IMAGE_BASE / PAGE_SIZE;
        for (skip, span, offset, file_page, mem, file, flags, other) in specs {
            page += skip;
            let vaddr = page * PAGE_SIZE + offset;
            let mem_size = 1 + mem.index((span * PAGE_SIZE - offset) as usize) as u64;
            let file_size = file.index(mem_size as usize + 1) as u64;
            let file_offset = file_page * PAGE_SIZE + offset;
            page += span;
            segments.push(Segment {
                vaddr,
                mem_size,
                file_offset,
                file_size,
                writable: flags == PF_W,
                executable: flags == PF_X,
            });
            elf.phdrs.push(Phdr::load(
                flags | PF_R,
                file_offset,
                vaddr,
                file_size,
                mem_size,
            ));
            if let Some(p_type) = other {
                elf.phdrs.push(Phdr::other(p_type));
            }
        }
        // The entry needs a file-backed executable byte: make one if the
        // draw gave none.
        let code: Vec<usize> = (0..segments.len())
            .filter(|&i| segments[i].executable && segments[i].file_size > 0)
            .collect();
        let chosen = if code.is_empty() {
            let count = segments.len();
            let s = &mut segments[which.index(count)];
            (s.writable, s.executable, s.file_size) = (false, true, s.file_size.max(1));
            let s = *s;
            let ph = elf
                .phdrs
                .iter_mut()
                .find(|p| p.p_type == PT_LOAD && p.vaddr == s.vaddr);
            let ph = ph.expect("each segment has its header");
            (ph.flags, ph.filesz) = (PF_R | PF_X, s.file_size);
            s
        } else {
            segments[code[which.index(code.len())]]
        };
        elf.entry = chosen.vaddr + at.index(chosen.file_size as usize) as u64;
        let table_end = EHDR_SIZE + elf.phdrs.len() * PHDR_SIZE;
        let file_end = segments.iter().map(|s| s.file_offset + s.file_size).max();
        elf.len = table_end.max(file_end.unwrap_or(0) as usize);
        let plan = LoadPlan {
            entry: elf.entry,
            segments,
        };
        (elf, plan)
    })
}

#[test]
fn valid_images_give_exactly_their_plan() {
    capos_fuzz::check(512, valid_image(), |(elf, expected)| {
        let image = elf.build();
        let plan = load_plan(&image);
        prop_assert_eq!(plan.as_ref(), Ok(&expected));
        check_plan(&image, &expected)
    });
}

#[test]
fn random_bytes_give_a_safe_plan_or_an_error() {
    // Raw bytes, and bytes behind a valid file header so that the program
    // headers are random too.
    let header = TestElf::valid().build()[..EHDR_SIZE].to_vec();
    let strategy = prop_oneof![
        collection::vec(any::<u8>(), 0..256),
        collection::vec(any::<u8>(), 0..1024).prop_map(move |tail| [&header[..], &tail].concat()),
    ];
    capos_fuzz::check(1024, strategy, |image| check_any(&image));
}

/// One corruption of a valid image.
#[derive(Debug, Clone)]
enum Mutation {
    /// Sets a file header field (which, value), at its own width.
    Header(usize, u64),
    /// Sets field (which) of program header (index) to a value.
    Program(usize, usize, u64),
    Byte(prop::sample::Index, u8),
    Truncate(prop::sample::Index),
    Append(Vec<u8>),
}

/// File header fields as (offset, width).
const HEADER_FIELDS: [(usize, usize); 10] = [
    (4, 1),
    (5, 1),
    (6, 1),
    (16, 2),
    (18, 2),
    (20, 4),
    (24, 8),
    (32, 8),
    (54, 2),
    (56, 2),
];

/// Program header fields as (offset, width): type, flags, offset, vaddr,
/// filesz, memsz.
const PROGRAM_FIELDS: [(usize, usize); 6] = [(0, 4), (4, 4), (8, 8), (16, 8), (32, 8), (40, 8)];

/// Values where the checks' arithmetic turns: page and region edges,
/// sizes that overflow when added, and anything else.
fn edge() -> impl Strategy<Value = u64> {
    prop_oneof![
        Just(0u64),
        Just(1),
        Just(PAGE_SIZE - 1),
        Just(PAGE_SIZE),
        Just(EHDR_SIZE as u64),
        Just(USER_IMAGE_BASE - 1),
        Just(USER_IMAGE_BASE),
        Just(USER_IMAGE_LIMIT - 1),
        Just(USER_IMAGE_LIMIT),
        Just(1 << 63),
        Just(u64::MAX - PAGE_SIZE),
        Just(u64::MAX),
        0..0x3000u64,
        any::<u64>(),
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        2 => (0..HEADER_FIELDS.len(), edge()).prop_map(|(f, v)| Mutation::Header(f, v)),
        4 => (0..4usize, 0..PROGRAM_FIELDS.len(), edge())
            .prop_map(|(i, f, v)| Mutation::Program(i, f, v)),
        2 => (any::<prop::sample::Index>(), any::<u8>()).prop_map(|(i, b)| Mutation::Byte(i, b)),
        1 => any::<prop::sample::Index>().prop_map(Mutation::Truncate),
        1 => collection::vec(any::<u8>(), 1..64).prop_map(Mutation::Append),
    ]
}

fn put(image: &mut [u8], at: usize, width: usize, value: u64) {
    if let Some(field) = image.get_mut(at..at + width) {
        field.copy_from_slice(&value.to_le_bytes()[..width]);
    }
}

fn apply(image: &mut Vec<u8>, phdrs: usize, mutation: &Mutation) {
    match mutation {
        Mutation::Header(which, value) => {
            let (at, width) = HEADER_FIELDS[*which];
            put(image, at, width, *value);
        }
        Mutation::Program(index, which, value) => {
            let (at, width) = PROGRAM_FIELDS[*which];
            put(
                image,
                EHDR_SIZE + (index % phdrs) * PHDR_SIZE + at,
                width,
                *value,
            );
        }
        Mutation::Byte(index, value) if !image.is_empty() => {
            let at = index.index(image.len());
            image[at] = *value;
        }
        Mutation::Truncate(index) if !image.is_empty() => image.truncate(index.index(image.len())),
        Mutation::Append(bytes) => image.extend(bytes),
        Mutation::Byte(..) | Mutation::Truncate(_) => {}
    }
}

#[test]
fn mutated_images_give_a_safe_plan_or_an_error() {
    let base = prop_oneof![
        Just(TestElf::valid()),
        valid_image().prop_map(|(elf, _)| elf)
    ];
    let strategy = (base, collection::vec(mutation(), 1..4));
    capos_fuzz::check(1024, strategy, |(elf, mutations)| {
        let mut image = elf.build();
        for m in &mutations {
            apply(&mut image, elf.phdrs.len(), m);
        }
        check_any(&image)
    });
}
