//! A terminal's line discipline without the hardware: what each input
//! byte does (edit the line, end it, raise a signal, echo), what a read
//! may take now, and how output is processed. The kernel's Terminal
//! (kernel/src/cap/terminal.rs) feeds it the serial line's bytes and puts
//! its answers behind the ring.
//!
//! The mode is Linux's struct termios, bit for bit (flag words and c_cc),
//! so the POSIX adapter passes tcgetattr/tcsetattr through unchanged. The
//! bits acted on are named below; the others are kept and reported back
//! but change nothing (docs/interfaces/terminal.md lists them).

use alloc::collections::VecDeque;
use alloc::vec::Vec;

/// Bytes held for readers: the lines (or raw bytes) ready, plus the line
/// being edited. Input past it is dropped and counted, as Linux's
/// N_TTY_BUF_SIZE.
pub const CAPACITY: usize = 4096;
/// Length of c_cc.
pub const NCCS: usize = 32;

/// c_cc indices.
pub mod cc {
    pub const VINTR: usize = 0;
    pub const VQUIT: usize = 1;
    pub const VERASE: usize = 2;
    pub const VKILL: usize = 3;
    pub const VEOF: usize = 4;
    pub const VTIME: usize = 5;
    pub const VMIN: usize = 6;
    pub const VSTART: usize = 8;
    pub const VSTOP: usize = 9;
    pub const VSUSP: usize = 10;
    pub const VEOL: usize = 11;
    pub const VREPRINT: usize = 12;
    pub const VDISCARD: usize = 13;
    pub const VWERASE: usize = 14;
    pub const VLNEXT: usize = 15;
    pub const VEOL2: usize = 16;
}

/// c_iflag bits.
pub mod iflag {
    pub const ISTRIP: u32 = 0o40;
    pub const INLCR: u32 = 0o100;
    pub const IGNCR: u32 = 0o200;
    pub const ICRNL: u32 = 0o400;
    pub const IXON: u32 = 0o2000;
}

/// c_oflag bits.
pub mod oflag {
    pub const OPOST: u32 = 0o1;
    pub const ONLCR: u32 = 0o4;
    pub const OCRNL: u32 = 0o10;
}

/// c_cflag: B38400 | CS8 | CREAD | HUPCL, reported and never acted on
/// (a virtual serial line has no speed or parity to set).
pub const DEFAULT_CFLAG: u32 = 0o17 | 0o60 | 0o200 | 0o2000;

/// c_lflag bits.
pub mod lflag {
    pub const ISIG: u32 = 0o1;
    pub const ICANON: u32 = 0o2;
    pub const ECHO: u32 = 0o10;
    pub const ECHOE: u32 = 0o20;
    pub const ECHOK: u32 = 0o40;
    pub const ECHONL: u32 = 0o100;
    pub const NOFLSH: u32 = 0o200;
    pub const ECHOCTL: u32 = 0o1000;
    pub const ECHOKE: u32 = 0o4000;
    pub const IEXTEN: u32 = 0o100000;
}

/// Signal numbers the signal characters raise (Linux's).
pub const SIGINT: u8 = 2;
pub const SIGQUIT: u8 = 3;
pub const SIGTSTP: u8 = 20;

const DEL: u8 = 0x7f;

/// A terminal mode: Linux's struct termios without the line and speeds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mode {
    pub iflag: u32,
    pub oflag: u32,
    pub cflag: u32,
    pub lflag: u32,
    pub cc: [u8; NCCS],
}

impl Default for Mode {
    /// Linux's initial mode of a terminal (`stty sane`): canonical, echo,
    /// signal characters, CR read as NL, NL written as CR NL.
    fn default() -> Mode {
        let mut cc = [0u8; NCCS];
        cc[cc::VINTR] = 0x03;
        cc[cc::VQUIT] = 0x1c;
        cc[cc::VERASE] = DEL;
        cc[cc::VKILL] = 0x15;
        cc[cc::VEOF] = 0x04;
        cc[cc::VMIN] = 1;
        cc[cc::VSTART] = 0x11;
        cc[cc::VSTOP] = 0x13;
        cc[cc::VSUSP] = 0x1a;
        cc[cc::VREPRINT] = 0x12;
        cc[cc::VDISCARD] = 0x0f;
        cc[cc::VWERASE] = 0x17;
        cc[cc::VLNEXT] = 0x16;
        Mode {
            iflag: iflag::ICRNL | iflag::IXON,
            oflag: oflag::OPOST | oflag::ONLCR,
            cflag: DEFAULT_CFLAG,
            lflag: lflag::ISIG
                | lflag::ICANON
                | lflag::ECHO
                | lflag::ECHOE
                | lflag::ECHOK
                | lflag::ECHOCTL
                | lflag::ECHOKE
                | lflag::IEXTEN,
            cc,
        }
    }
}

impl Mode {
    fn l(&self, bit: u32) -> bool {
        self.lflag & bit != 0
    }

    fn canonical(&self) -> bool {
        self.l(lflag::ICANON)
    }

    /// Whether `byte` is control character `index` (0 disables one, as
    /// _POSIX_VDISABLE).
    fn is(&self, index: usize, byte: u8) -> bool {
        self.cc[index] != 0 && self.cc[index] == byte
    }

    pub fn vmin(&self) -> u8 {
        self.cc[cc::VMIN]
    }

    /// VTIME in tenths of a second.
    pub fn vtime(&self) -> u8 {
        self.cc[cc::VTIME]
    }
}

/// What a read can have now.
#[derive(Debug, PartialEq, Eq)]
pub enum ReadNow {
    /// These bytes (empty: a non-canonical read with nothing to wait for,
    /// or whose VTIME ran out).
    Data(Vec<u8>),
    /// End of file: ^D on an empty line.
    Eof,
    /// Nothing yet: the reader waits.
    MustWait,
}

/// When a waiting non-canonical read stops waiting for more (VTIME).
#[derive(Debug, PartialEq, Eq)]
pub enum Timer {
    /// No timer: wait for bytes.
    None,
    /// This many tenths of a second from now.
    Tenths(u8),
}

/// The line discipline: mode, input queue, line being edited, counters.
pub struct LineDiscipline {
    mode: Mode,
    /// Bytes a read can take: whole lines in canonical mode.
    ready: VecDeque<u8>,
    /// Canonical mode: how many bytes of `ready` each line holds, oldest
    /// first (0: an end-of-file mark).
    lines: VecDeque<usize>,
    /// The line being edited (canonical mode).
    edit: Vec<u8>,
    /// Bytes dropped because the queue was full.
    dropped: u64,
    /// Bytes received.
    received: u64,
}

impl Default for LineDiscipline {
    fn default() -> Self {
        LineDiscipline::new()
    }
}

impl LineDiscipline {
    pub fn new() -> LineDiscipline {
        LineDiscipline {
            mode: Mode::default(),
            ready: VecDeque::new(),
            lines: VecDeque::new(),
            edit: Vec::new(),
            dropped: 0,
            received: 0,
        }
    }

    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Bytes received since the start, and bytes dropped for want of room.
    pub fn counters(&self) -> (u64, u64) {
        (self.received, self.dropped)
    }

    /// Bytes held (ready and being edited); never above CAPACITY.
    pub fn held(&self) -> usize {
        self.ready.len() + self.edit.len()
    }

    /// A new mode; with `flush`, input not read yet is discarded. Leaving
    /// canonical mode makes the line being edited readable; entering it
    /// makes what is ready one line, as Linux does.
    pub fn set_mode(&mut self, mode: Mode, flush: bool) {
        if flush {
            self.flush();
        }
        let was = self.mode.canonical();
        self.mode = mode;
        match (was, mode.canonical()) {
            (true, false) => {
                self.ready.extend(self.edit.drain(..));
                self.lines.clear();
            }
            (false, true) if !self.ready.is_empty() => {
                self.lines.clear();
                self.lines.push_back(self.ready.len());
            }
            _ => {}
        }
    }

    /// Discards all input not read yet.
    pub fn flush(&mut self) {
        self.ready.clear();
        self.lines.clear();
        self.edit.clear();
    }

    /// Takes one input byte; the bytes to echo are appended to `echo`
    /// (already output-processed). Returns the signal it raises, if any.
    pub fn receive(&mut self, byte: u8, echo: &mut Vec<u8>) -> Option<u8> {
        self.received += 1;
        let m = self.mode;
        let mut b = byte;
        if m.iflag & iflag::ISTRIP != 0 {
            b &= 0x7f;
        }
        if b == b'\r' {
            if m.iflag & iflag::IGNCR != 0 {
                return None;
            }
            if m.iflag & iflag::ICRNL != 0 {
                b = b'\n';
            }
        } else if b == b'\n' && m.iflag & iflag::INLCR != 0 {
            b = b'\r';
        }
        if m.l(lflag::ISIG) {
            let signal = if m.is(cc::VINTR, b) {
                Some(SIGINT)
            } else if m.is(cc::VQUIT, b) {
                Some(SIGQUIT)
            } else if m.is(cc::VSUSP, b) {
                Some(SIGTSTP)
            } else {
                None
            };
            if let Some(signal) = signal {
                if !m.l(lflag::NOFLSH) {
                    self.flush();
                }
                if m.l(lflag::ECHO) {
                    self.echo_char(b, echo);
                }
                return Some(signal);
            }
        }
        if m.canonical() {
            self.canonical(b, echo);
        } else if self.held() < CAPACITY {
            self.ready.push_back(b);
            if m.l(lflag::ECHO) {
                self.echo_char(b, echo);
            }
        } else {
            self.dropped += 1;
        }
        None
    }

    fn canonical(&mut self, b: u8, echo: &mut Vec<u8>) {
        let m = self.mode;
        let echoing = m.l(lflag::ECHO);
        if m.is(cc::VERASE, b) {
            if let Some(gone) = self.edit.pop() {
                self.echo_erase(gone, b, echo);
            }
        } else if m.is(cc::VKILL, b) {
            if m.l(lflag::ECHOKE) && m.l(lflag::ECHOE) && echoing {
                while let Some(gone) = self.edit.pop() {
                    self.echo_erase(gone, b, echo);
                }
            } else {
                self.edit.clear();
                if echoing {
                    self.echo_char(b, echo);
                    if m.l(lflag::ECHOK) {
                        self.output(b"\n", echo);
                    }
                }
            }
        } else if m.l(lflag::IEXTEN) && m.is(cc::VWERASE, b) {
            while self.edit.last() == Some(&b' ') {
                let gone = self.edit.pop().unwrap_or(b' ');
                self.echo_erase(gone, b, echo);
            }
            while self.edit.last().is_some_and(|&c| c != b' ') {
                let gone = self.edit.pop().unwrap_or(b' ');
                self.echo_erase(gone, b, echo);
            }
        } else if m.is(cc::VEOF, b) {
            // The line so far, without the ^D; on an empty line, an
            // end-of-file mark.
            self.end_line();
        } else if b == b'\n' || m.is(cc::VEOL, b) || (m.l(lflag::IEXTEN) && m.is(cc::VEOL2, b)) {
            // A line end always finds room: the edit buffer keeps one
            // byte free for it.
            if self.held() < CAPACITY {
                self.edit.push(b);
            } else {
                self.dropped += 1;
            }
            if echoing || (b == b'\n' && m.l(lflag::ECHONL)) {
                self.echo_char(b, echo);
            }
            self.end_line();
        } else if self.held() < CAPACITY - 1 {
            self.edit.push(b);
            if echoing {
                self.echo_char(b, echo);
            }
        } else {
            self.dropped += 1;
        }
    }

    fn end_line(&mut self) {
        self.lines.push_back(self.edit.len());
        self.ready.extend(self.edit.drain(..));
    }

    /// Echo of one byte: control characters as ^X with ECHOCTL (not tab
    /// or newline), the rest as they are.
    fn echo_char(&self, b: u8, echo: &mut Vec<u8>) {
        if self.mode.l(lflag::ECHOCTL) && is_control(b) {
            self.output(&[b'^', b ^ 0x40], echo);
        } else {
            self.output(&[b], echo);
        }
    }

    /// Echo of erasing `gone` with erase character `by`: back over it
    /// (ECHOE; two columns if it showed as ^X), or the erase character.
    fn echo_erase(&self, gone: u8, by: u8, echo: &mut Vec<u8>) {
        let m = self.mode;
        if !m.l(lflag::ECHO) {
            return;
        }
        if m.l(lflag::ECHOE) {
            let columns = if m.l(lflag::ECHOCTL) && is_control(gone) {
                2
            } else {
                1
            };
            for _ in 0..columns {
                echo.extend_from_slice(b"\x08 \x08");
            }
        } else {
            self.echo_char(by, echo);
        }
    }

    /// Output processing of `data` into `out`, as oflag says.
    pub fn output(&self, data: &[u8], out: &mut Vec<u8>) {
        self.output_with(data, |bytes| out.extend_from_slice(bytes));
    }

    /// Output processing of `data`, handed to `put` piece by piece
    /// (for a writer that needs no buffer).
    pub fn output_with(&self, data: &[u8], mut put: impl FnMut(&[u8])) {
        let o = self.mode.oflag;
        if o & oflag::OPOST == 0 {
            put(data);
            return;
        }
        let mut start = 0;
        for (i, &b) in data.iter().enumerate() {
            let replacement: &[u8] = match b {
                b'\n' if o & oflag::ONLCR != 0 => b"\r\n",
                b'\r' if o & oflag::OCRNL != 0 => b"\n",
                _ => continue,
            };
            put(&data[start..i]);
            put(replacement);
            start = i + 1;
        }
        put(&data[start..]);
    }

    /// What a read of at most `max` bytes gets now. `timed_out`: its VTIME
    /// ran out (non-canonical mode), so it takes what there is.
    pub fn read_now(&mut self, max: usize, timed_out: bool) -> ReadNow {
        if self.mode.canonical() {
            return self.read_line(max);
        }
        let (vmin, vtime) = (self.mode.vmin() as usize, self.mode.vtime());
        let want = vmin.min(max);
        let now = self.ready.len() >= want.max(1)
            || (vmin == 0 && vtime == 0)
            || (timed_out && (vmin == 0 || !self.ready.is_empty()));
        if !now {
            return ReadNow::MustWait;
        }
        let n = self.ready.len().min(max);
        ReadNow::Data(self.ready.drain(..n).collect())
    }

    fn read_line(&mut self, max: usize) -> ReadNow {
        let Some(&line) = self.lines.front() else {
            // Raw bytes left from before canonical mode have no line.
            return ReadNow::MustWait;
        };
        if line == 0 {
            self.lines.pop_front();
            return ReadNow::Eof;
        }
        let n = line.min(max);
        if n == line {
            self.lines.pop_front();
        } else if let Some(rest) = self.lines.front_mut() {
            *rest -= n;
        }
        ReadNow::Data(self.ready.drain(..n).collect())
    }

    /// Whether a read would not wait now (for poll).
    pub fn readable(&self) -> bool {
        if self.mode.canonical() {
            !self.lines.is_empty()
        } else {
            let vmin = self.mode.vmin() as usize;
            !self.ready.is_empty() || vmin == 0
        }
    }

    /// The timer a waiting read starts: `on_arrival` is false when the
    /// read begins to wait and true when bytes arrived while it waits.
    /// VMIN 0 with VTIME: from the start of the read; VMIN and VTIME:
    /// between bytes, restarted by each arrival.
    pub fn timer(&self, on_arrival: bool) -> Timer {
        let m = self.mode;
        if m.canonical() || m.vtime() == 0 {
            return Timer::None;
        }
        match (m.vmin(), on_arrival) {
            (0, false) => Timer::Tenths(m.vtime()),
            (0, true) => Timer::None,
            (_, true) => Timer::Tenths(m.vtime()),
            (_, false) if !self.ready.is_empty() => Timer::Tenths(m.vtime()),
            (_, false) => Timer::None,
        }
    }
}

fn is_control(b: u8) -> bool {
    (b < 0x20 && b != b'\t' && b != b'\n') || b == DEL
}

/// Whether a reader or waiter of process group `group` is the one a
/// signal character reaches, with `foreground` the terminal's
/// foreground group (0: none set, when any group is).
pub fn in_foreground(foreground: u32, group: u32) -> bool {
    foreground == 0 || foreground == group
}

/// How a process hears a signal character when no read of its own
/// ended with it (kernel/src/cap/terminal/waits.rs; docs/interfaces/
/// terminal.md, "Signal characters and process groups").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hearing {
    /// Its waiting `ready` or `signal` call ends with the signal.
    Wait,
    /// It is posted the signal through the kernel's signal path.
    Post,
    /// It is owed the signal, for its next call at the terminal.
    Owed,
    /// It is not of the foreground group.
    Not,
}

/// How a live process hears a signal character for `foreground`:
/// `recorded` is the group it recorded with Terminal.setGroup (None: it
/// recorded none), `waiting` whether it has a `ready` or `signal` call
/// of a group in the foreground waiting, `blocked` whether it waits in
/// cap_enter. A process that recorded its group and runs (a busy loop)
/// is posted the signal even with such a call waiting: the call would
/// tell it only at its next cap_enter.
pub fn hearing(foreground: u32, recorded: Option<u32>, waiting: bool, blocked: bool) -> Hearing {
    match recorded {
        Some(_) if waiting && blocked => Hearing::Wait,
        Some(group) if in_foreground(foreground, group) => Hearing::Post,
        Some(_) => Hearing::Not,
        None if waiting => Hearing::Wait,
        None => Hearing::Owed,
    }
}

/// The pending signal character (for the group it was typed for) once
/// the foreground becomes `new`: one still pending for the outgoing
/// foreground goes to the incoming one. A shell forks a job, which then
/// makes its own group the foreground; a ^C typed before that was, on
/// Linux, a signal to the shell's group, the job still in it, so the job
/// gets it and the shell, not reading the terminal, does not.
pub fn pending_after_foreground(
    pending: Option<(u32, u8)>,
    old: u32,
    new: u32,
) -> Option<(u32, u8)> {
    match pending {
        Some((group, signal)) if group == old => Some((new, signal)),
        other => other,
    }
}

#[cfg(test)]
mod fuzz;
#[cfg(test)]
mod tests;
