//! Params of the Directory and File methods (the kernel's file store):
//! names at the edges of the name rules (empty, ".", "..", a "/" or a NUL
//! inside, 255 and 256 bytes, bytes that are not UTF-8) beside a few
//! plain ones that meet each other often; name lists for walk and rename
//! of 0 to 5 such names; every open flag combination; offsets and sizes
//! at the edges of a file (0, a page boundary, the 2^40 limit and past
//! it, the top of u64); reads and listings of 0, a few or absurd counts;
//! writes up to the message limit; modes and time changes of every kind;
//! seeks to both ends of the offset range from each whence.

use alloc::vec;
use alloc::vec::Vec;
use capnp::text;
use capos_abi::ring::MAX_MESSAGE_BYTES;
use capos_lib::fs::{MAX_FILE_SIZE, NAME_MAX, PAGE_SIZE};
use capos_rt::message::build;
use capos_schema::{Whence, directory, file, time_change};
use fuzz_programs::rng::Rng;

/// A name: mostly one of a few, so that operations meet; sometimes one
/// the rules refuse.
fn name(rng: &mut Rng) -> Vec<u8> {
    match rng.below(16) {
        0 => Vec::new(),
        1 => b".".to_vec(),
        2 => b"..".to_vec(),
        3 => b"a/b".to_vec(),
        4 => b"x\0y".to_vec(),
        5 => vec![b'n'; NAME_MAX],
        6 => vec![b'n'; NAME_MAX + 1],
        7 => vec![0xff, 0xfe, b'!'],
        8 => b"tmp".to_vec(),
        _ => vec![*rng.pick(b"abcdf")],
    }
}

fn names(rng: &mut Rng, list: capnp::text_list::Builder<'_>) {
    let mut list = list;
    for i in 0..list.len() {
        list.set(i, text::Reader::from(&name(rng)[..]));
    }
}

fn list_len(rng: &mut Rng) -> u32 {
    match rng.below(8) {
        0 => 0,
        1 => 5,
        _ => rng.range(1, 3) as u32,
    }
}

fn offset(rng: &mut Rng) -> u64 {
    match rng.below(8) {
        0 => 0,
        1 => rng.below(64),
        2 => PAGE_SIZE as u64 * rng.range(1, 8) - rng.below(2),
        3 => MAX_FILE_SIZE - rng.below(4),
        4 => MAX_FILE_SIZE + rng.below(4),
        5 => rng.edgy_u64(),
        _ => rng.below(64 * 1024),
    }
}

/// Most data one write carries (see pipe_params's MAX_WRITE).
const MAX_WRITE: u64 = MAX_MESSAGE_BYTES as u64 - 48;

fn write_len(rng: &mut Rng) -> u64 {
    match rng.below(8) {
        0 => 0,
        1..=3 => rng.range(1, 64),
        4 => rng.range(PAGE_SIZE as u64 - 2, PAGE_SIZE as u64 + 2),
        5 => rng.range(MAX_WRITE - 16, MAX_WRITE + 16),
        _ => rng.below(3 * PAGE_SIZE as u64),
    }
}

fn set_time(rng: &mut Rng, mut t: time_change::Builder<'_>) {
    match rng.below(3) {
        0 => t.set_keep(()),
        1 => t.set_now(()),
        _ => t.set_ns(rng.edgy_u64()),
    }
}

/// Directory params for `method`, and whether the result wants a big slot.
pub fn directory(rng: &mut Rng, method: u16) -> (Vec<u64>, bool) {
    let small = |words| (words, false);
    match method {
        0 => small(build::<directory::open_params::Owned>(|mut p| {
            p.set_name(text::Reader::from(&name(rng)[..]));
            p.set_create(rng.chance(1, 2));
            p.set_exclusive(rng.chance(1, 4));
            p.set_truncate(rng.chance(1, 4));
            p.set_read_only(rng.chance(1, 3));
            p.set_append(rng.chance(1, 4));
        })),
        1 => small(build::<directory::mkdir_params::Owned>(|mut p| {
            p.set_name(text::Reader::from(&name(rng)[..]));
            p.set_mode(match rng.below(3) {
                0 => rng.edgy_u64() as u32,
                _ => rng.below(0o10000) as u32,
            });
        })),
        2 | 3 | 7 => small(build::<directory::unlink_params::Owned>(|mut p| {
            p.set_name(text::Reader::from(&name(rng)[..]))
        })),
        4 => small(build::<directory::rename_params::Owned>(|mut p| {
            let (from, to) = (list_len(rng), list_len(rng));
            names(rng, p.reborrow().init_from(from));
            names(rng, p.init_to(to));
        })),
        5 => {
            let max = match rng.below(4) {
                0 => 0,
                1 => rng.edgy_u64() as u32,
                _ => rng.range(1, 40) as u32,
            };
            let words = build::<directory::list_params::Owned>(|mut p| {
                p.set_cursor(match rng.below(3) {
                    0 => 0,
                    1 => rng.edgy_u64(),
                    _ => rng.below(64),
                });
                p.set_max(max);
            });
            (words, max > 8)
        }
        8 => small(build::<directory::walk_params::Owned>(|p| {
            let n = list_len(rng);
            names(rng, p.init_names(n));
        })),
        _ => small(build::<directory::stat_params::Owned>(|_| {})),
    }
}

/// File params for `method`, and whether the result wants a big slot.
pub fn file(rng: &mut Rng, method: u16) -> (Vec<u64>, bool) {
    let small = |words| (words, false);
    match method {
        0 => {
            let max = match rng.below(5) {
                0 => 0,
                1 => rng.edgy_u64() as u32,
                2 => rng.range(PAGE_SIZE as u64 - 1, PAGE_SIZE as u64 + 1) as u32,
                _ => rng.range(1, 600) as u32,
            };
            let words = build::<file::read_params::Owned>(|mut p| {
                p.set_offset(offset(rng));
                p.set_max(max);
            });
            (words, max > 600)
        }
        1 => {
            let len = write_len(rng) as usize;
            let byte = rng.next_u64() as u8;
            small(build::<file::write_params::Owned>(|mut p| {
                p.set_offset(offset(rng));
                p.set_append(rng.chance(1, 3));
                p.set_data(&vec![byte; len]);
            }))
        }
        3 => small(build::<file::truncate_params::Owned>(|mut p| {
            p.set_size(offset(rng))
        })),
        7 => small(build::<file::set_mode_params::Owned>(|mut p| {
            p.set_mode(match rng.below(3) {
                0 => rng.edgy_u64() as u32,
                _ => rng.below(0o10000) as u32,
            })
        })),
        8 => small(build::<file::set_times_params::Owned>(|mut p| {
            set_time(rng, p.reborrow().init_accessed());
            set_time(rng, p.init_modified());
        })),
        10 => {
            let max = match rng.below(4) {
                0 => 0,
                1 => rng.edgy_u64() as u32,
                _ => rng.range(1, 600) as u32,
            };
            let words = build::<file::read_next_params::Owned>(|mut p| p.set_max(max));
            (words, max > 600)
        }
        11 => {
            let len = write_len(rng) as usize;
            let byte = rng.next_u64() as u8;
            small(build::<file::write_next_params::Owned>(|mut p| {
                p.set_data(&vec![byte; len])
            }))
        }
        12 => small(build::<file::seek_params::Owned>(|mut p| {
            // Offsets at the ends of the range, from every whence.
            p.set_offset(match rng.below(4) {
                0 => offset(rng) as i64,
                1 => -(rng.below(64) as i64),
                _ => rng.edgy_u64() as i64,
            });
            p.set_whence(*rng.pick(&[Whence::Start, Whence::Current, Whence::End]));
        })),
        13 => small(build::<file::set_append_params::Owned>(|mut p| {
            p.set_append(rng.chance(1, 2))
        })),
        _ => small(build::<file::size_params::Owned>(|_| {})),
    }
}
