//! COM1, the kernel's only output device. Console capabilities write here too.

use core::fmt;

use spin::Mutex;

use crate::arch::cpu::{inb, outb};

const COM1: u16 = 0x3f8;

pub struct Serial;

static SERIAL: Mutex<Serial> = Mutex::new(Serial);

pub fn init() {
    outb(COM1 + 1, 0x00); // no interrupts
    outb(COM1 + 3, 0x80); // DLAB
    outb(COM1, 0x01); // 115200 baud
    outb(COM1 + 1, 0x00);
    outb(COM1 + 3, 0x03); // 8N1
    outb(COM1 + 2, 0xc7); // FIFO on
    outb(COM1 + 4, 0x03);
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

impl fmt::Write for Serial {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.write_bytes(s.as_bytes());
        Ok(())
    }
}

pub fn write_bytes(bytes: &[u8]) {
    SERIAL.lock().write_bytes(bytes);
}

pub fn print(args: fmt::Arguments) {
    use fmt::Write;
    let _ = SERIAL.lock().write_fmt(args);
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
