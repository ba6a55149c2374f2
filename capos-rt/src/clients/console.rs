//! Console: serial output.

use super::Client;
use crate::error::Error;
use capos_schema::{console, interface_id};
use core::fmt;

/// Schema ordinals of Console's methods.
const WRITE: u16 = 0;
const WRITE_LINE: u16 = 1;

super::client!(Console, interface_id::CONSOLE);

impl Console {
    /// Writes raw bytes.
    pub fn write(&self, data: &[u8]) -> Result<(), Error> {
        self.cap
            .call::<console::write_params::Owned>(Self::INTERFACE_ID, WRITE, |mut p| {
                p.set_data(data)
            })
            .map(drop)
    }

    /// Writes `text` and a line end.
    pub fn write_line(&self, text: &str) -> Result<(), Error> {
        self.cap
            .call::<console::write_line_params::Owned>(Self::INTERFACE_ID, WRITE_LINE, |mut p| {
                p.set_text(text)
            })
            .map(drop)
    }

    /// Formats `args` and writes the result as one line, in one call, so
    /// lines of different processes never interleave.
    pub fn write_line_fmt(&self, args: fmt::Arguments<'_>) -> Result<(), Error> {
        match args.as_str() {
            Some(text) => self.write_line(text),
            None => self.write_line(&alloc::fmt::format(args)),
        }
    }

    /// Formats `args` and writes the result, in one call. Being named
    /// `write_fmt`, it also makes `write!(console, ...)` and
    /// `writeln!(console, ...)` work.
    pub fn write_fmt(&self, args: fmt::Arguments<'_>) -> Result<(), Error> {
        match args.as_str() {
            Some(text) => self.write(text.as_bytes()),
            None => self.write(alloc::fmt::format(args).as_bytes()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cap::Cap;
    use crate::message;
    use crate::test_kernel::{Outcome, shared_ring};

    #[test]
    fn formatted_lines_are_one_write_line_call() {
        let (ring, log) = shared_ring(|_, _| {
            let words = message::build::<console::write_line_results::Owned>(|_| {});
            Outcome::Reply(message::as_bytes(&words).to_vec())
        });
        let console = Console::from_cap(Cap::new(0x1_0000, ring));
        crate::println!(console, "pid {} ok", 7);
        console.write_line_fmt(format_args!("plain")).unwrap();
        let log = log.borrow();
        let texts: alloc::vec::Vec<_> = log
            .calls
            .iter()
            .map(|(sqe, params)| {
                assert_eq!(
                    (sqe.interface_id, sqe.method_id),
                    (interface_id::CONSOLE, WRITE_LINE)
                );
                let msg = message::read(params).unwrap();
                let p: console::write_line_params::Reader = msg.get_root().unwrap();
                alloc::string::String::from(p.get_text().unwrap().to_str().unwrap())
            })
            .collect();
        assert_eq!(texts, ["pid 7 ok", "plain"]);
    }
}
