//! Params of the Terminal methods (the fuzz system grants the console's
//! terminal; nothing types into it): reads of every size, waiting or
//! not, for the foreground group or another; modes with any flags and
//! control characters, a `cc` of the right length or not, flushing or
//! not; readiness and signal waits; foreground groups, the caller's own
//! group (setGroup: 0, 1, the maximum, any) and window sizes at the
//! edges. `write` is sensitive (text on the serial log) and gets
//! bytes that never decode (params.rs).

use alloc::vec;
use alloc::vec::Vec;
use capos_abi::terminal::{MAX_READ, READ_OVERHEAD};
use capos_rt::NCCS;
use capos_rt::message::build;
use capos_schema::terminal;
use fuzz_programs::rng::Rng;

/// A group id: the usual small pids, 0 (none), or anything.
fn group(rng: &mut Rng) -> u32 {
    match rng.below(4) {
        0 => 0,
        1 | 2 => rng.range(1, 16) as u32,
        _ => rng.next_u32(),
    }
}

/// Terminal params for `method` (not write), and whether the result
/// wants a big slot.
pub fn params(rng: &mut Rng, method: u16) -> (Vec<u64>, bool) {
    let words = match method {
        0 => {
            let max = match rng.below(5) {
                0 => 0,
                1 => rng.range(1, 64),
                2 => rng.range(MAX_READ as u64 - 8, MAX_READ as u64 + 8),
                _ => rng.edgy_u64(),
            } as u32;
            let (wait, g) = (rng.chance(1, 2), group(rng));
            let words = build::<terminal::read_params::Owned>(|mut p| {
                p.set_max(max);
                p.set_wait(wait);
                p.set_group(g);
            });
            return (words, max > 900 && rng.chance(1, 2));
        }
        2 => build::<terminal::get_mode_params::Owned>(|_| {}),
        3 => {
            let len = if rng.chance(7, 8) {
                NCCS
            } else {
                rng.below(80) as usize
            };
            let mut cc = vec![0u8; len];
            rng.fill(&mut cc);
            let flags = [
                rng.next_u32(),
                rng.next_u32(),
                rng.next_u32(),
                rng.next_u32(),
            ];
            let flush = rng.chance(1, 2);
            build::<terminal::set_mode_params::Owned>(|mut p| {
                p.set_flush(flush);
                let mut m = p.init_mode();
                m.set_iflag(flags[0]);
                m.set_oflag(flags[1]);
                m.set_cflag(flags[2]);
                m.set_lflag(flags[3]);
                m.set_cc(&cc);
            })
        }
        4 => {
            let g = group(rng);
            build::<terminal::ready_params::Owned>(|mut p| p.set_group(g))
        }
        5 => {
            let g = group(rng);
            build::<terminal::set_foreground_params::Owned>(|mut p| p.set_group(g))
        }
        6 => build::<terminal::get_foreground_params::Owned>(|_| {}),
        7 => build::<terminal::window_size_params::Owned>(|_| {}),
        8 => {
            let (rows, columns) = (rng.next_u32() as u16, rng.next_u32() as u16);
            build::<terminal::set_window_size_params::Owned>(|mut p| {
                p.set_rows(rows);
                p.set_columns(columns);
            })
        }
        9 => build::<terminal::stats_params::Owned>(|_| {}),
        11 => {
            let g = match rng.below(4) {
                0 => 0,
                1 => 1,
                2 => u32::MAX,
                _ => group(rng),
            };
            build::<terminal::set_group_params::Owned>(|mut p| p.set_group(g))
        }
        _ => {
            let g = group(rng);
            build::<terminal::signal_params::Owned>(|mut p| p.set_group(g))
        }
    };
    (words, false)
}

/// The smallest result buffer a read accepts: its framing and a word.
pub fn read_floor() -> u32 {
    READ_OVERHEAD as u32 + 8
}
