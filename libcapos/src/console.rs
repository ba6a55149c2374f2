//! Console: `capos_console_write` and `capos_console_write_line`.

use crate::error::{CAPOS_E_MESSAGE_TOO_LARGE, code, status};
use crate::ffi::{self, MAX_BYTES};
use crate::state::{self, State};
use core::ffi::{c_char, c_void};

impl State {
    pub fn console_write(&self, console: u32, data: &[u8]) -> Result<(), i32> {
        if data.len() > MAX_BYTES {
            return Err(CAPOS_E_MESSAGE_TOO_LARGE);
        }
        let console = self.held.console(console)?;
        console.write(data).map_err(|e| code(&e))
    }

    pub fn console_write_line(&self, console: u32, text: &str) -> Result<(), i32> {
        let console = self.held.console(console)?;
        console.write_line(text).map_err(|e| code(&e))
    }
}

/// Writes `len` bytes from `data` to the Console `console`, as they are.
/// Returns 0, `CAPOS_E_NOT_HELD`, `CAPOS_E_WRONG_INTERFACE` (not a
/// Console), `CAPOS_E_MESSAGE_TOO_LARGE` (over 64 KiB) or a transport code.
///
/// # Safety
/// `data` must be valid for `len` bytes (NULL if 0).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn capos_console_write(console: u32, data: *const c_void, len: usize) -> i32 {
    // SAFETY: valid for `len` bytes per the contract.
    let run = || state::with(|s| s.console_write(console, unsafe { ffi::bytes(data, len) }?));
    status(run())
}

/// Writes the NUL-terminated UTF-8 `text` and a line end to the Console
/// `console`, in one call, so lines of different processes never mix.
/// Returns as `capos_console_write`, or `CAPOS_E_BAD_ARGUMENT` if `text` is
/// NULL or not UTF-8.
///
/// # Safety
/// `text` must be NULL or a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn capos_console_write_line(console: u32, text: *const c_char) -> i32 {
    // SAFETY: NULL or terminated per the contract.
    let run = || state::with(|s| s.console_write_line(console, unsafe { ffi::text(text) }?));
    status(run())
}

#[cfg(test)]
mod tests {
    use crate::error::{CAPOS_E_NOT_HELD, CAPOS_E_WRONG_INTERFACE};
    use crate::iface::{CAPOS_IFACE_CONSOLE, CAPOS_IFACE_TIMER};
    use crate::test_kernel::{Outcome, TestEnv};
    use capos_rt::message;
    use capos_schema::console;

    #[test]
    fn lines_reach_the_console_and_other_caps_are_refused() {
        let caps = [
            ("log", 0x1_0001, CAPOS_IFACE_CONSOLE),
            ("clock", 0x1_0002, CAPOS_IFACE_TIMER),
        ];
        let mut env = TestEnv::new(&caps, |sqe, params| {
            assert_eq!(sqe.interface_id, CAPOS_IFACE_CONSOLE);
            if sqe.method_id == 1 {
                let msg = message::read(params).unwrap();
                let p: console::write_line_params::Reader = msg.get_root().unwrap();
                assert_eq!(p.get_text().unwrap(), "hi");
            }
            let words = message::build::<console::write_line_results::Owned>(|_| {});
            Outcome::Reply(message::as_bytes(&words).to_vec())
        });
        let mut s = env.state();
        let (log, _) = s.capset_get(b"log").unwrap();
        let (clock, _) = s.capset_get(b"clock").unwrap();
        assert_eq!(s.console_write_line(log, "hi"), Ok(()));
        assert_eq!(s.console_write(log, b"raw"), Ok(()));
        assert_eq!(
            s.console_write_line(clock, "hi"),
            Err(CAPOS_E_WRONG_INTERFACE)
        );
        assert_eq!(s.console_write_line(0x9_0009, "hi"), Err(CAPOS_E_NOT_HELD));
        assert_eq!(env.log.borrow().calls.len(), 2);
    }
}
