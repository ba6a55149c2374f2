//! The kernel's log and the programs' output share one serial line. A log
//! line written while a program's line is half-written splits that line in
//! two, which a reader, and a test that compares output with Linux, sees
//! as two wrong lines. So a log line waits until the program's line ends.
//!
//! Not forever: a prompt never ends its line, so a held log goes out after
//! [`HOLD_NS`], on a line of its own (the program's line is broken there,
//! as a Linux console breaks it for a kernel message). Nothing is dropped:
//! a log that does not fit the buffer pushes the held ones out first.

/// How much log text waits for a program's line (a few dozen lines).
pub const HELD_BYTES: usize = 2048;

/// How long a log line waits for a program's line to end.
pub const HOLD_NS: u64 = 100_000_000;

/// Where the bytes go: a program's as they are, a log's as the kernel
/// writes its lines.
pub trait Wire {
    fn program(&mut self, bytes: &[u8]);
    fn log(&mut self, bytes: &[u8]);
}

pub struct LogHold {
    /// The programs' output so far ends inside a line.
    mid_line: bool,
    held: [u8; HELD_BYTES],
    len: usize,
    /// When the oldest held byte came.
    since: u64,
}

impl LogHold {
    pub const fn new() -> Self {
        LogHold {
            mid_line: false,
            held: [0; HELD_BYTES],
            len: 0,
            since: 0,
        }
    }

    /// Whether a log written now must wait (else it goes straight out).
    pub fn holding(&self) -> bool {
        self.mid_line || self.len > 0
    }

    /// A program writes `out`. Held logs go out after the last newline
    /// in it, so a write that ends one line and starts the next does not
    /// keep them waiting.
    pub fn program(&mut self, out: &[u8], wire: &mut impl Wire) {
        let Some(&last) = out.last() else { return };
        if self.len > 0
            && let Some(end) = out.iter().rposition(|&b| b == b'\n')
        {
            wire.program(&out[..=end]);
            wire.log(&self.held[..self.len]);
            self.len = 0;
            wire.program(&out[end + 1..]);
        } else {
            wire.program(out);
        }
        self.mid_line = last != b'\n';
    }

    /// Log text at `now`: held while a program's line is open, else
    /// written. Text that would overflow the buffer first pushes out what
    /// is held, breaking the program's line.
    pub fn log(&mut self, text: &[u8], now: u64, wire: &mut impl Wire) {
        if self.len + text.len() > HELD_BYTES {
            self.break_line(wire);
        }
        if !self.holding() {
            wire.log(text);
            return;
        }
        if self.len == 0 {
            self.since = now;
        }
        self.held[self.len..self.len + text.len()].copy_from_slice(text);
        self.len += text.len();
    }

    /// The clock moved: logs held for [`HOLD_NS`] go out on their own line.
    pub fn tick(&mut self, now: u64, wire: &mut impl Wire) {
        if self.len > 0 && now.saturating_sub(self.since) >= HOLD_NS {
            self.break_line(wire);
        }
    }

    fn break_line(&mut self, wire: &mut impl Wire) {
        if self.mid_line {
            wire.program(b"\n");
            self.mid_line = false;
        }
        self.release(wire);
    }

    fn release(&mut self, wire: &mut impl Wire) {
        if self.len > 0 {
            wire.log(&self.held[..self.len]);
            self.len = 0;
        }
    }
}

impl Default for LogHold {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    /// The serial line as a reader sees it.
    struct Line {
        hold: LogHold,
        wire: Bytes,
    }

    struct Bytes(Vec<u8>);

    impl Wire for Bytes {
        fn program(&mut self, bytes: &[u8]) {
            self.0.extend_from_slice(bytes);
        }
        fn log(&mut self, bytes: &[u8]) {
            self.0.extend_from_slice(bytes);
        }
    }

    impl Line {
        fn new() -> Self {
            Line {
                hold: LogHold::new(),
                wire: Bytes(Vec::new()),
            }
        }
        fn program(&mut self, out: &[u8]) {
            self.hold.program(out, &mut self.wire);
        }
        fn log(&mut self, text: &[u8], now: u64) {
            self.hold.log(text, now, &mut self.wire);
        }
        fn tick(&mut self, now: u64) {
            self.hold.tick(now, &mut self.wire);
        }
    }

    #[test]
    fn a_log_between_lines_goes_out_at_once() {
        let mut l = Line::new();
        l.program(b"one\n");
        l.log(b"[k] x\n", 0);
        assert_eq!(l.wire.0, b"one\n[k] x\n");
    }

    #[test]
    fn a_log_waits_for_the_program_line_to_end() {
        let mut l = Line::new();
        l.program(b"hal");
        l.log(b"[k] x\n", 0);
        l.log(b"[k] y\n", 1);
        assert_eq!(l.wire.0, b"hal");
        l.program(b"f and ");
        l.program(b"more\nnext");
        assert_eq!(l.wire.0, b"half and more\n[k] x\n[k] y\nnext");
    }

    #[test]
    fn a_prompt_that_never_ends_its_line_gets_the_log_after_the_hold() {
        let mut l = Line::new();
        l.program(b"$ ");
        l.log(b"[k] x\n", 1_000);
        l.tick(1_000 + HOLD_NS - 1);
        assert_eq!(l.wire.0, b"$ ");
        l.tick(1_000 + HOLD_NS);
        assert_eq!(l.wire.0, b"$ \n[k] x\n");
        // The program's line was broken: the next log is not held.
        l.log(b"[k] y\n", 2);
        assert_eq!(l.wire.0, b"$ \n[k] x\n[k] y\n");
    }

    #[test]
    fn an_overflowing_log_pushes_out_what_is_held_and_loses_nothing() {
        let mut l = Line::new();
        l.program(b"p");
        let mut expected = b"p\n".to_vec();
        for i in 0..100u8 {
            let line = [b'a' + i % 26; 40];
            l.log(&line, 0);
            expected.extend_from_slice(&line);
        }
        l.program(b"\n");
        // The program's newline came after the overflow broke its line.
        expected.push(b'\n');
        assert_eq!(l.wire.0, expected);
    }

    #[test]
    fn a_log_larger_than_the_buffer_is_written_whole() {
        let mut l = Line::new();
        l.program(b"p");
        let big = [b'z'; HELD_BYTES + 10];
        l.log(&big, 0);
        let mut expected = b"p\n".to_vec();
        expected.extend_from_slice(&big);
        assert_eq!(l.wire.0, expected);
    }

    #[test]
    fn empty_program_output_changes_nothing() {
        let mut l = Line::new();
        l.program(b"abc");
        l.program(b"");
        l.log(b"k\n", 0);
        assert_eq!(l.wire.0, b"abc");
    }
}
