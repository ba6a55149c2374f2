use super::*;
use alloc::vec;

fn typed(ld: &mut LineDiscipline, bytes: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let mut echo = Vec::new();
    let mut signals = Vec::new();
    for &b in bytes {
        if let Some(s) = ld.receive(b, &mut echo) {
            signals.push(s);
        }
    }
    (echo, signals)
}

fn raw(vmin: u8, vtime: u8) -> Mode {
    let mut m = Mode::default();
    m.lflag &= !(lflag::ICANON | lflag::ECHO | lflag::ISIG);
    m.iflag &= !iflag::ICRNL;
    m.cc[cc::VMIN] = vmin;
    m.cc[cc::VTIME] = vtime;
    m
}

#[test]
fn a_line_is_readable_only_when_ended() {
    let mut ld = LineDiscipline::new();
    let (echo, _) = typed(&mut ld, b"ls");
    assert_eq!(echo, b"ls");
    assert_eq!(ld.read_now(100, false), ReadNow::MustWait);
    assert!(!ld.readable());
    let (echo, _) = typed(&mut ld, b"\r");
    // CR read as NL (ICRNL), echoed as CR NL (ONLCR).
    assert_eq!(echo, b"\r\n");
    assert!(ld.readable());
    assert_eq!(ld.read_now(100, false), ReadNow::Data(b"ls\n".to_vec()));
    assert_eq!(ld.read_now(100, false), ReadNow::MustWait);
}

#[test]
fn erase_removes_a_character_and_backs_over_it() {
    let mut ld = LineDiscipline::new();
    let (echo, _) = typed(&mut ld, b"abx\x7fc\x7fd\n");
    assert_eq!(echo, b"abx\x08 \x08c\x08 \x08d\r\n");
    assert_eq!(ld.read_now(100, false), ReadNow::Data(b"abd\n".to_vec()));
    // Backspace is an ordinary byte unless it is VERASE (stty erase ^H),
    // as on Linux; a control character erases two columns (^H).
    let (echo, _) = typed(&mut ld, b"a\x08\x7f\x7f\n");
    assert_eq!(echo, b"a^H\x08 \x08\x08 \x08\x08 \x08\r\n");
    let mut m = Mode::default();
    m.cc[cc::VERASE] = 0x08;
    ld.set_mode(m, false);
    typed(&mut ld, b"xy\x08\n");
    assert_eq!(ld.read_now(100, false), ReadNow::Data(b"\n".to_vec()));
    assert_eq!(ld.read_now(100, false), ReadNow::Data(b"x\n".to_vec()));
    ld.set_mode(Mode::default(), false);
    // Erasing an empty line does nothing, echoes nothing.
    let (echo, _) = typed(&mut ld, b"\x7f\x7f");
    assert!(echo.is_empty());
}

#[test]
fn kill_erases_the_whole_line() {
    let mut ld = LineDiscipline::new();
    let (echo, _) = typed(&mut ld, b"wrong\x15right\n");
    assert_eq!(&echo[..5], b"wrong");
    assert_eq!(echo.windows(3).filter(|w| w == b"\x08 \x08").count(), 5);
    assert_eq!(ld.read_now(100, false), ReadNow::Data(b"right\n".to_vec()));
}

#[test]
fn kill_without_echoke_echoes_the_character_and_a_newline() {
    let mut ld = LineDiscipline::new();
    let mut m = Mode::default();
    m.lflag &= !lflag::ECHOKE;
    ld.set_mode(m, false);
    let (echo, _) = typed(&mut ld, b"ab\x15");
    assert_eq!(echo, b"ab^U\r\n");
}

#[test]
fn word_erase_removes_the_last_word() {
    let mut ld = LineDiscipline::new();
    typed(&mut ld, b"echo hello  \x17x\n");
    assert_eq!(ld.read_now(100, false), ReadNow::Data(b"echo x\n".to_vec()));
}

#[test]
fn eof_on_an_empty_line_is_end_of_file_and_ends_a_line_otherwise() {
    let mut ld = LineDiscipline::new();
    let (echo, _) = typed(&mut ld, b"abc\x04\x04");
    assert_eq!(echo, b"abc");
    assert_eq!(ld.read_now(100, false), ReadNow::Data(b"abc".to_vec()));
    assert_eq!(ld.read_now(100, false), ReadNow::Eof);
    assert_eq!(ld.read_now(100, false), ReadNow::MustWait);
}

#[test]
fn a_short_read_leaves_the_rest_of_the_line() {
    let mut ld = LineDiscipline::new();
    typed(&mut ld, b"hello\nworld\n");
    assert_eq!(ld.read_now(3, false), ReadNow::Data(b"hel".to_vec()));
    assert_eq!(ld.read_now(100, false), ReadNow::Data(b"lo\n".to_vec()));
    assert_eq!(ld.read_now(100, false), ReadNow::Data(b"world\n".to_vec()));
}

#[test]
fn signal_characters_raise_signals_and_flush() {
    let mut ld = LineDiscipline::new();
    let (echo, signals) = typed(&mut ld, b"half a line\x03");
    assert_eq!(signals, vec![SIGINT]);
    assert!(echo.ends_with(b"^C"));
    assert_eq!(ld.held(), 0);
    let (_, signals) = typed(&mut ld, b"\x1c\x1a");
    assert_eq!(signals, vec![SIGQUIT, SIGTSTP]);
    // NOFLSH keeps the input; without ISIG they are plain bytes.
    let mut m = Mode::default();
    m.lflag |= lflag::NOFLSH;
    ld.set_mode(m, false);
    typed(&mut ld, b"keep\x03\n");
    assert_eq!(ld.read_now(100, false), ReadNow::Data(b"keep\n".to_vec()));
    m.lflag &= !lflag::ISIG;
    ld.set_mode(m, false);
    let (_, signals) = typed(&mut ld, b"\x03\n");
    assert!(signals.is_empty());
    assert_eq!(ld.read_now(100, false), ReadNow::Data(b"\x03\n".to_vec()));
}

#[test]
fn a_disabled_control_character_is_an_ordinary_byte() {
    let mut ld = LineDiscipline::new();
    let mut m = Mode::default();
    m.cc[cc::VINTR] = 0;
    ld.set_mode(m, false);
    let (_, signals) = typed(&mut ld, b"\x03\n");
    assert!(signals.is_empty());
    // A NUL is not "the disabled character" either.
    typed(&mut ld, b"\0\n");
    assert_eq!(ld.read_now(100, false), ReadNow::Data(b"\x03\n".to_vec()));
    assert_eq!(ld.read_now(100, false), ReadNow::Data(b"\0\n".to_vec()));
}

#[test]
fn raw_mode_with_vmin_waits_for_that_many_bytes() {
    let mut ld = LineDiscipline::new();
    ld.set_mode(raw(3, 0), false);
    let (echo, _) = typed(&mut ld, b"\x03\x7f");
    assert!(echo.is_empty());
    assert_eq!(ld.read_now(100, false), ReadNow::MustWait);
    typed(&mut ld, b"\r");
    assert_eq!(
        ld.read_now(100, false),
        ReadNow::Data(b"\x03\x7f\r".to_vec())
    );
    // VMIN above the request: the request is enough.
    typed(&mut ld, b"z");
    assert_eq!(ld.read_now(1, false), ReadNow::Data(b"z".to_vec()));
}

#[test]
fn raw_mode_vmin_zero_never_waits() {
    let mut ld = LineDiscipline::new();
    ld.set_mode(raw(0, 0), false);
    assert_eq!(ld.read_now(10, false), ReadNow::Data(Vec::new()));
    assert!(ld.readable());
    assert_eq!(ld.timer(false), Timer::None);
}

#[test]
fn vtime_timers_follow_posix() {
    let mut ld = LineDiscipline::new();
    // VMIN 0, VTIME 5: a timer from the read's start; when it runs out
    // the read returns nothing.
    ld.set_mode(raw(0, 5), false);
    assert_eq!(ld.timer(false), Timer::Tenths(5));
    assert_eq!(ld.read_now(10, false), ReadNow::MustWait);
    assert_eq!(ld.read_now(10, true), ReadNow::Data(Vec::new()));
    // VMIN 2, VTIME 5: no timer before the first byte, then between bytes.
    ld.set_mode(raw(2, 5), false);
    assert_eq!(ld.timer(false), Timer::None);
    typed(&mut ld, b"a");
    assert_eq!(ld.timer(true), Timer::Tenths(5));
    assert_eq!(ld.read_now(10, false), ReadNow::MustWait);
    assert_eq!(ld.read_now(10, true), ReadNow::Data(b"a".to_vec()));
    // Canonical mode has no timers.
    ld.set_mode(Mode::default(), false);
    assert_eq!(ld.timer(true), Timer::None);
}

#[test]
fn switching_modes_keeps_pending_input() {
    let mut ld = LineDiscipline::new();
    typed(&mut ld, b"par");
    ld.set_mode(raw(1, 0), false);
    assert_eq!(ld.read_now(10, false), ReadNow::Data(b"par".to_vec()));
    typed(&mut ld, b"xy");
    ld.set_mode(Mode::default(), false);
    assert_eq!(ld.read_now(10, false), ReadNow::Data(b"xy".to_vec()));
    typed(&mut ld, b"gone");
    ld.set_mode(Mode::default(), true);
    assert_eq!(ld.held(), 0);
}

#[test]
fn a_full_queue_drops_and_counts() {
    let mut ld = LineDiscipline::new();
    let line = vec![b'x'; CAPACITY + 10];
    typed(&mut ld, &line);
    assert_eq!(ld.held(), CAPACITY - 1);
    assert_eq!(ld.counters(), ((CAPACITY + 10) as u64, 11));
    // The line end still goes in.
    typed(&mut ld, b"\n");
    assert_eq!(ld.held(), CAPACITY);
    match ld.read_now(usize::MAX, false) {
        ReadNow::Data(d) => assert_eq!(d.len(), CAPACITY),
        other => panic!("{other:?}"),
    }
}

#[test]
fn output_processing() {
    let mut ld = LineDiscipline::new();
    let mut out = Vec::new();
    ld.output(b"a\nb\r", &mut out);
    assert_eq!(out, b"a\r\nb\r");
    let mut m = Mode::default();
    m.oflag |= oflag::OCRNL;
    ld.set_mode(m, false);
    out.clear();
    ld.output(b"\ra\rb\n\n", &mut out);
    assert_eq!(out, b"\na\nb\r\n\r\n");
    let mut m = Mode::default();
    m.oflag &= !oflag::OPOST;
    ld.set_mode(m, false);
    out.clear();
    ld.output(b"a\n", &mut out);
    assert_eq!(out, b"a\n");
}

#[test]
fn foreground_rule() {
    assert!(in_foreground(0, 7));
    assert!(in_foreground(7, 7));
    assert!(!in_foreground(7, 8));
}

#[test]
fn who_hears_a_signal_character() {
    // Recorded at the terminal and running (busy): posted, even with a
    // signal wait of its own waiting (it would hear it only at its next
    // cap_enter).
    assert_eq!(hearing(7, Some(7), true, false), Hearing::Post);
    assert_eq!(hearing(7, Some(7), false, false), Hearing::Post);
    // Recorded and waiting in cap_enter: its wait tells it; with no wait,
    // posted.
    assert_eq!(hearing(7, Some(7), true, true), Hearing::Wait);
    assert_eq!(hearing(7, Some(7), false, true), Hearing::Post);
    // Recorded in another group: not for it; foreground 0 is any group.
    assert_eq!(hearing(7, Some(8), false, false), Hearing::Not);
    assert_eq!(hearing(0, Some(8), false, false), Hearing::Post);
    // Not recorded: its wait, else owed for its next call.
    assert_eq!(hearing(7, None, true, false), Hearing::Wait);
    assert_eq!(hearing(7, None, false, true), Hearing::Owed);
}

#[test]
fn a_pending_signal_follows_the_foreground_handed_on() {
    // Typed while group 2 was the foreground, nobody reading: group 5,
    // made the foreground next, gets it.
    assert_eq!(pending_after_foreground(Some((2, 2)), 2, 5), Some((5, 2)));
    // One for another group stays that group's.
    assert_eq!(pending_after_foreground(Some((3, 2)), 2, 5), Some((3, 2)));
    assert_eq!(pending_after_foreground(None, 2, 5), None);
}
