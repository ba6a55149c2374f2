//! PipeReader and PipeWriter: the halves of a kernel pipe
//! (docs/interfaces/pipe-reader.md, pipe-writer.md).

use super::Client;
use crate::error::Error;
use crate::pending::PendingCall;
use crate::reply::Reply;
use capos_abi::pipe::READ_OVERHEAD;
use capos_schema::{interface_id, pipe_reader, pipe_writer};

/// Schema ordinals, the same in both halves.
const READ_OR_WRITE: u16 = 0;
const READY: u16 = 1;

/// Most bytes one [`PipeReader::read`] or [`PipeWriter::write`] moves,
/// keeping each call well inside a ring message (MAX_MESSAGE_BYTES).
pub const MAX_PIPE_CHUNK: usize = 32 * 1024;

/// What a read got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Read {
    /// This many bytes (at least one) were copied into the buffer.
    Bytes(usize),
    /// No writer is left and everything written has been read.
    Eof,
    /// Nothing is buffered yet and the read was told not to wait.
    WouldBlock,
}

/// The state a readiness wait reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Readiness {
    /// For a read half, bytes are buffered; for a write half, a write of
    /// PIPE_BUF bytes would go in now. With `hangup` also false, a newer
    /// readiness wait of this process on the same half replaced this one.
    pub ready: bool,
    /// The other half is gone.
    pub hangup: bool,
}

super::client!(PipeReader, interface_id::PIPE_READER);
super::client!(PipeWriter, interface_id::PIPE_WRITER);

impl PipeReader {
    /// Reads into `buf` (at most [`MAX_PIPE_CHUNK`] bytes). With `wait`,
    /// waits for at least one byte or end of file; without, says
    /// [`Read::WouldBlock`] instead of waiting.
    pub fn read(&self, buf: &mut [u8], wait: bool) -> Result<Read, Error> {
        let max = buf.len().min(MAX_PIPE_CHUNK);
        if max == 0 {
            return Ok(Read::Bytes(0));
        }
        let reply = self.cap.call_sized::<pipe_reader::read_params::Owned>(
            Self::INTERFACE_ID,
            READ_OR_WRITE,
            max.next_multiple_of(8) + READ_OVERHEAD,
            |mut p| {
                p.set_max(max as u32);
                p.set_wait(wait);
            },
        )?;
        reply.read::<pipe_reader::read_results::Owned, _>(|r| {
            let data = r.get_data()?;
            if data.len() > max {
                return Err(Error::Decode(crate::error::DecodeError::Contract(
                    "a pipe read returned more than asked",
                )));
            }
            buf[..data.len()].copy_from_slice(data);
            Ok(match (data.len(), r.get_would_block()) {
                (0, true) => Read::WouldBlock,
                (0, false) => Read::Eof,
                (n, _) => Read::Bytes(n),
            })
        })
    }

    /// Starts a readiness wait and returns at once; [`Readiness::from_reply`]
    /// reads its reply.
    pub fn ready_async(&self) -> Result<PendingCall, Error> {
        self.cap
            .submit::<pipe_reader::ready_params::Owned>(Self::INTERFACE_ID, READY, |_| {})
    }
}

impl PipeWriter {
    /// Writes `data` (at most [`MAX_PIPE_CHUNK`] bytes) and returns how
    /// much went in. With `wait`, completes when all of it is in; without,
    /// takes what fits now (all or nothing up to PIPE_BUF bytes), maybe 0.
    /// With no reader left it fails with a `disconnected` exception.
    pub fn write(&self, data: &[u8], wait: bool) -> Result<usize, Error> {
        let data = &data[..data.len().min(MAX_PIPE_CHUNK)];
        let reply = self.cap.call::<pipe_writer::write_params::Owned>(
            Self::INTERFACE_ID,
            READ_OR_WRITE,
            |mut p| {
                p.set_data(data);
                p.set_wait(wait);
            },
        )?;
        let written =
            reply.read::<pipe_writer::write_results::Owned, _>(|r| Ok(r.get_written()))?;
        usize::try_from(written)
            .ok()
            .filter(|&n| n <= data.len())
            .ok_or(Error::Decode(crate::error::DecodeError::Contract(
                "a pipe write took more than it was given",
            )))
    }

    /// As [`PipeReader::ready_async`], for room to write.
    pub fn ready_async(&self) -> Result<PendingCall, Error> {
        self.cap
            .submit::<pipe_writer::ready_params::Owned>(Self::INTERFACE_ID, READY, |_| {})
    }
}

impl Readiness {
    /// Reads the reply of a readiness wait of either half (their results
    /// have the same layout).
    pub fn from_reply(reply: &Reply) -> Result<Self, Error> {
        reply.read::<pipe_reader::ready_results::Owned, _>(|r| {
            Ok(Readiness {
                ready: r.get_ready(),
                hangup: r.get_hangup(),
            })
        })
    }
}
