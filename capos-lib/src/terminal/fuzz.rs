//! Random typing against a model of canonical editing: whatever bytes
//! arrive (printable, erase, kill, line ends, ^D, signal characters,
//! binary garbage) and however reads and mode changes interleave, the
//! discipline never holds more than CAPACITY bytes, and in canonical mode
//! every line read is the model's edited line.

use super::*;
use alloc::vec::Vec;
use proptest::collection;
use proptest::prelude::*;
use proptest::prop_assert_eq;

/// The model of one canonical line: printable bytes, erase, kill, end.
fn edit(model: &mut Vec<u8>, lines: &mut Vec<Vec<u8>>, b: u8) {
    match b {
        0x7f => {
            model.pop();
        }
        0x15 => model.clear(),
        // A signal character flushes everything not read yet.
        0x03 => {
            model.clear();
            lines.clear();
        }
        b'\r' | b'\n' => {
            model.push(b'\n');
            lines.push(core::mem::take(model));
        }
        _ => model.push(b),
    }
}

fn typing() -> impl Strategy<Value = Vec<u8>> {
    let key = prop_oneof![
        8 => b'a'..=b'z',
        2 => Just(0x7fu8),
        1 => Just(0x08u8),
        1 => Just(0x15u8),
        1 => Just(0x03u8),
        2 => Just(b'\r'),
        2 => Just(b'\n'),
    ];
    collection::vec(key, 0..400)
}

#[test]
fn canonical_lines_are_the_models() {
    capos_fuzz::check(256, typing(), |keys| {
        let mut ld = LineDiscipline::new();
        let (mut model, mut lines) = (Vec::new(), Vec::new());
        let mut echo = Vec::new();
        for &b in &keys {
            ld.receive(b, &mut echo);
            edit(&mut model, &mut lines, b);
        }
        for line in lines {
            prop_assert_eq!(ld.read_now(usize::MAX, false), ReadNow::Data(line));
        }
        prop_assert_eq!(ld.read_now(usize::MAX, false), ReadNow::MustWait);
        prop_assert_eq!(ld.held(), model.len());
        Ok(())
    });
}

#[test]
fn any_input_and_any_mode_stay_bounded() {
    let step = (any::<u8>(), any::<u8>(), any::<u32>(), 0..4096usize);
    capos_fuzz::check(256, collection::vec(step, 0..2000), |steps| {
        let mut ld = LineDiscipline::new();
        let mut echo = Vec::new();
        for (byte, op, flags, max) in steps {
            match op % 16 {
                0 => {
                    let m = Mode {
                        lflag: flags,
                        iflag: flags.rotate_left(7),
                        oflag: flags.rotate_left(13),
                        cc: {
                            let mut cc = Mode::default().cc;
                            cc[cc::VMIN] = byte % 8;
                            cc[cc::VTIME] = (flags % 3) as u8;
                            cc
                        },
                        ..Mode::default()
                    };
                    ld.set_mode(m, flags & 1 << 31 != 0);
                }
                1..=3 => {
                    let _ = ld.read_now(max, flags & 1 != 0);
                }
                _ => {
                    echo.clear();
                    let before = ld.held();
                    let _ = ld.receive(byte, &mut echo);
                    // At most: erasing every held ^X, or one ^X and CR NL.
                    prop_assert!(echo.len() <= 6 * before.max(1));
                }
            }
            prop_assert!(ld.held() <= CAPACITY);
        }
        Ok(())
    });
}
