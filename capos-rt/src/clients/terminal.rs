//! Terminal: the serial console as a terminal, with the kernel's line
//! discipline (docs/interfaces/terminal.md).

use super::Client;
use crate::error::{DecodeError, Error};
use crate::pending::PendingCall;
use crate::reply::Reply;
use capos_abi::terminal::{MAX_READ, READ_OVERHEAD};
use capos_schema::method::terminal as method;
use capos_schema::{interface_id, terminal};

pub use capos_lib::terminal::{Mode as TerminalMode, NCCS};

super::client!(Terminal, interface_id::TERMINAL);

/// What a terminal read got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TermRead {
    /// This many bytes (at least one) were copied into the buffer.
    Bytes(usize),
    /// End of file (^D on an empty line), or a non-canonical read that
    /// had nothing to wait for or whose VTIME ran out.
    Nothing,
    /// Nothing yet, and the read was told not to wait.
    WouldBlock,
    /// A signal character for the caller's group ended the read.
    Signal(u8),
}

/// What a readiness wait reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TermReadiness {
    /// A read would not wait. With `signal` 0 too, a newer wait of this
    /// process replaced this one.
    pub ready: bool,
    /// A signal character for the caller's group, or 0.
    pub signal: u8,
}

/// Input counters (Terminal.stats).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TermStats {
    pub received: u64,
    pub dropped: u64,
    pub hardware_overruns: u64,
}

impl Terminal {
    /// Reads into `buf` (at most capos_abi::terminal::MAX_READ bytes) as
    /// process group `group`; waits unless `wait` is false.
    pub fn read(&self, buf: &mut [u8], wait: bool, group: u32) -> Result<TermRead, Error> {
        let max = buf.len().min(MAX_READ);
        if max == 0 {
            return Ok(TermRead::Nothing);
        }
        let reply = self.cap.call_sized::<terminal::read_params::Owned>(
            Self::INTERFACE_ID,
            method::READ,
            max.next_multiple_of(8) + READ_OVERHEAD,
            |mut p| {
                p.set_max(max as u32);
                p.set_wait(wait);
                p.set_group(group);
            },
        )?;
        reply.read::<terminal::read_results::Owned, _>(|r| {
            let data = r.get_data()?;
            if data.len() > max {
                return Err(Error::Decode(DecodeError::Contract(
                    "a terminal read returned more than asked",
                )));
            }
            buf[..data.len()].copy_from_slice(data);
            Ok(match (data.len(), r.get_signal(), r.get_would_block()) {
                (0, 0, true) => TermRead::WouldBlock,
                (0, 0, false) => TermRead::Nothing,
                (0, s, _) => TermRead::Signal(s),
                (n, _, _) => TermRead::Bytes(n),
            })
        })
    }

    /// Writes `data` through the terminal's output processing.
    pub fn write(&self, data: &[u8]) -> Result<usize, Error> {
        let reply = self.cap.call::<terminal::write_params::Owned>(
            Self::INTERFACE_ID,
            method::WRITE,
            |mut p| p.set_data(data),
        )?;
        let n = reply.read::<terminal::write_results::Owned, _>(|r| Ok(r.get_written()))?;
        Ok((n as usize).min(data.len()))
    }

    pub fn mode(&self) -> Result<TerminalMode, Error> {
        let reply = self.cap.call::<terminal::get_mode_params::Owned>(
            Self::INTERFACE_ID,
            method::GET_MODE,
            |_| {},
        )?;
        reply.read::<terminal::get_mode_results::Owned, _>(|r| {
            let m = r.get_mode()?;
            let cc = m.get_cc()?.try_into().map_err(|_| {
                Error::Decode(DecodeError::Contract("a terminal mode with a short cc"))
            })?;
            Ok(TerminalMode {
                iflag: m.get_iflag(),
                oflag: m.get_oflag(),
                cflag: m.get_cflag(),
                lflag: m.get_lflag(),
                cc,
            })
        })
    }

    /// Sets the mode; `flush` discards unread input first.
    pub fn set_mode(&self, mode: &TerminalMode, flush: bool) -> Result<(), Error> {
        self.cap
            .call::<terminal::set_mode_params::Owned>(
                Self::INTERFACE_ID,
                method::SET_MODE,
                |mut p| {
                    p.set_flush(flush);
                    let mut m = p.init_mode();
                    m.set_iflag(mode.iflag);
                    m.set_oflag(mode.oflag);
                    m.set_cflag(mode.cflag);
                    m.set_lflag(mode.lflag);
                    m.set_cc(&mode.cc);
                },
            )
            .map(drop)
    }

    /// Starts a readiness wait for process group `group`;
    /// [`TermReadiness::from_reply`] reads its reply.
    pub fn ready_async(&self, group: u32) -> Result<PendingCall, Error> {
        self.cap.submit::<terminal::ready_params::Owned>(
            Self::INTERFACE_ID,
            method::READY,
            |mut p| p.set_group(group),
        )
    }

    /// Starts a signal wait for process group `group`: it completes when
    /// a signal character is typed for the group; [`Terminal::signal_of`]
    /// reads its reply.
    pub fn signal_async(&self, group: u32) -> Result<PendingCall, Error> {
        self.cap.submit::<terminal::signal_params::Owned>(
            Self::INTERFACE_ID,
            method::SIGNAL,
            |mut p| p.set_group(group),
        )
    }

    /// The signal a signal wait reported; 0 if a newer wait replaced it.
    pub fn signal_of(reply: &Reply) -> Result<u8, Error> {
        reply.read::<terminal::signal_results::Owned, _>(|r| Ok(r.get_signal()))
    }

    /// Records the caller's process group (0: none), so a signal
    /// character for it reaches the caller through the kernel's signal
    /// path; returns at once, the call completing at the next flush.
    pub fn set_group_async(&self, group: u32) -> Result<PendingCall, Error> {
        self.cap.submit::<terminal::set_group_params::Owned>(
            Self::INTERFACE_ID,
            method::SET_GROUP,
            |mut p| p.set_group(group),
        )
    }

    pub fn set_foreground(&self, group: u32) -> Result<(), Error> {
        self.cap
            .call::<terminal::set_foreground_params::Owned>(
                Self::INTERFACE_ID,
                method::SET_FOREGROUND,
                |mut p| p.set_group(group),
            )
            .map(drop)
    }

    pub fn foreground(&self) -> Result<u32, Error> {
        let reply = self.cap.call::<terminal::get_foreground_params::Owned>(
            Self::INTERFACE_ID,
            method::GET_FOREGROUND,
            |_| {},
        )?;
        reply.read::<terminal::get_foreground_results::Owned, _>(|r| Ok(r.get_group()))
    }

    /// (rows, columns).
    pub fn window_size(&self) -> Result<(u16, u16), Error> {
        let reply = self.cap.call::<terminal::window_size_params::Owned>(
            Self::INTERFACE_ID,
            method::WINDOW_SIZE,
            |_| {},
        )?;
        reply.read::<terminal::window_size_results::Owned, _>(|r| {
            Ok((r.get_rows(), r.get_columns()))
        })
    }

    pub fn set_window_size(&self, rows: u16, columns: u16) -> Result<(), Error> {
        self.cap
            .call::<terminal::set_window_size_params::Owned>(
                Self::INTERFACE_ID,
                method::SET_WINDOW_SIZE,
                |mut p| {
                    p.set_rows(rows);
                    p.set_columns(columns);
                },
            )
            .map(drop)
    }

    pub fn stats(&self) -> Result<TermStats, Error> {
        let reply = self.cap.call::<terminal::stats_params::Owned>(
            Self::INTERFACE_ID,
            method::STATS,
            |_| {},
        )?;
        reply.read::<terminal::stats_results::Owned, _>(|r| {
            Ok(TermStats {
                received: r.get_received(),
                dropped: r.get_dropped(),
                hardware_overruns: r.get_hardware_overruns(),
            })
        })
    }
}

impl TermReadiness {
    pub fn from_reply(reply: &Reply) -> Result<Self, Error> {
        reply.read::<terminal::ready_results::Owned, _>(|r| {
            Ok(TermReadiness {
                ready: r.get_ready(),
                signal: r.get_signal(),
            })
        })
    }
}
