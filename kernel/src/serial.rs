//! COM1, the kernel's only output device, and the console's input once
//! a Terminal exists (its receive interrupt, IRQ 4). Console
//! capabilities write here too; the kernel's log lines wait for a
//! program's line to end ([`LogHold`]).

use core::fmt;
use core::sync::atomic::{AtomicU64, Ordering};

use capos_lib::log_hold::{LogHold, Wire};
use spin::Mutex;

use crate::arch::cpu::{inb, outb};

const COM1: u16 = 0x3f8;
/// COM1's interrupt line on the PC.
pub const IRQ: u8 = 4;
/// Line status: a byte is waiting; the chip lost bytes (overrun).
const LSR_DATA: u8 = 0x01;
const LSR_OVERRUN: u8 = 0x02;

/// Bytes the chip lost because its FIFO was full before the kernel read
/// it (its overrun flag; each report counts one loss).
static HARDWARE_OVERRUNS: AtomicU64 = AtomicU64::new(0);

pub struct Serial;

/// The port and the log lines waiting for a program's line to end.
struct Line {
    port: Serial,
    hold: LogHold,
}

static LINE: Mutex<Line> = Mutex::new(Line {
    port: Serial,
    hold: LogHold::new(),
});

pub fn init() {
    outb(COM1 + 1, 0x00); // no interrupts
    outb(COM1 + 3, 0x80); // DLAB
    outb(COM1, 0x01); // 115200 baud
    outb(COM1 + 1, 0x00);
    outb(COM1 + 3, 0x03); // 8N1
    outb(COM1 + 2, 0xc7); // FIFO on
    outb(COM1 + 4, 0x03);
}

/// Turns on the receive interrupt (IRQ 4): for the Terminal, which reads
/// what arrives. OUT2 in the modem control register gates the chip's
/// interrupt onto the PC's line. Bytes that came before are discarded.
pub fn enable_receive() {
    while inb(COM1 + 5) & LSR_DATA != 0 {
        inb(COM1);
    }
    outb(COM1 + 4, 0x0b); // DTR, RTS, OUT2
    outb(COM1 + 1, 0x01); // received data available
    crate::arch::pic::unmask(IRQ);
}

/// Reads what has arrived into `buf`, returning how many bytes; counts
/// the chip's overruns on the way.
pub fn receive(buf: &mut [u8]) -> usize {
    let mut n = 0;
    while n < buf.len() {
        let status = inb(COM1 + 5);
        if status & LSR_OVERRUN != 0 {
            HARDWARE_OVERRUNS.fetch_add(1, Ordering::Relaxed);
        }
        if status & LSR_DATA == 0 {
            break;
        }
        buf[n] = inb(COM1);
        n += 1;
    }
    n
}

pub fn hardware_overruns() -> u64 {
    HARDWARE_OVERRUNS.load(Ordering::Relaxed)
}

impl Serial {
    fn put(&mut self, byte: u8) {
        while inb(COM1 + 5) & 0x20 == 0 {}
        outb(COM1, byte);
    }

    /// Writes bytes as they are, turning `\n` into `\r\n` for terminals.
    pub fn write_bytes(&mut self, bytes: &[u8]) {
        for &b in bytes {
            if b == b'\n' {
                self.put(b'\r');
            }
            self.put(b);
        }
    }
}

/// A program's output, exactly as given (a Terminal has already
/// processed it).
pub fn write_raw(bytes: &[u8]) {
    let mut line = LINE.lock();
    let Line { port, hold } = &mut *line;
    hold.program(bytes, &mut RawWire(port));
}

/// A program's output, with `\n` sent as `\r\n` (a Console's).
pub fn write_bytes(bytes: &[u8]) {
    let mut line = LINE.lock();
    let Line { port, hold } = &mut *line;
    hold.program(bytes, port);
}

/// A program's line: `text` and its newline, with nothing between them.
pub fn write_line(text: &str) {
    let mut line = LINE.lock();
    let Line { port, hold } = &mut *line;
    port.write_bytes(text.as_bytes());
    hold.program(b"\n", port);
}

/// Log lines and Console output: `\n` becomes `\r\n`.
impl Wire for Serial {
    fn program(&mut self, bytes: &[u8]) {
        self.write_bytes(bytes);
    }
    fn log(&mut self, bytes: &[u8]) {
        self.write_bytes(bytes);
    }
}

/// A Terminal's output, sent as it is; logs between its lines as usual.
struct RawWire<'a>(&'a mut Serial);

impl Wire for RawWire<'_> {
    fn program(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0.put(b);
        }
    }
    fn log(&mut self, bytes: &[u8]) {
        self.0.write_bytes(bytes);
    }
}

impl fmt::Write for Serial {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.write_bytes(s.as_bytes());
        Ok(())
    }
}

/// A log line's text on its way into the hold.
struct Held<'a> {
    line: &'a mut Line,
    now: u64,
}

impl fmt::Write for Held<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let Line { port, hold } = &mut *self.line;
        hold.log(s.as_bytes(), self.now, port);
        Ok(())
    }
}

/// The kernel's log: straight out between programs' lines, else held.
pub fn print(args: fmt::Arguments) {
    use fmt::Write;
    let mut line = LINE.lock();
    if !line.hold.holding() {
        let _ = line.port.write_fmt(args);
        return;
    }
    let now = crate::time::now_ns();
    let _ = Held {
        line: &mut line,
        now,
    }
    .write_fmt(args);
}

/// Timer work: held log lines that waited long enough go out. Skipped if
/// the interrupt came while the line was being written.
pub fn on_tick(now: u64) {
    if let Some(mut line) = LINE.try_lock() {
        let Line { port, hold } = &mut *line;
        hold.tick(now, port);
    }
}

/// Used by the panic handler, which may interrupt a holder of the lock.
pub fn print_unlocked(args: fmt::Arguments) {
    use fmt::Write;
    let _ = Serial.write_fmt(args);
}

#[macro_export]
macro_rules! kprintln {
    ($($arg:tt)*) => {
        $crate::serial::print(format_args!("{}\n", format_args!($($arg)*)))
    };
}
