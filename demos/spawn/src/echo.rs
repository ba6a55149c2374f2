//! The echo protocol between spawn-echo (server) and spawn-client.
//!
//! A test protocol, so it borrows an existing schema struct for its one
//! text argument (`Console.writeLine`'s params) rather than adding a demo
//! interface to the system schema. The interface id is made up and only
//! has to match the export's `interfaceId` in system-spawn.cue.

/// The interface the echo Endpoint serves.
pub const INTERFACE: u64 = 0xec40_5e7e_0000_0001;

/// Replies with "echo: " and the text.
pub const ECHO: u16 = 0;
/// Sends every capability it receives back to the caller, by move.
pub const RETURN_CAPS: u16 = 1;
/// Receives a MemoryObject, reads the NUL-terminated text at its start and
/// writes "server saw: <text>" at [`SHARED_REPLY_OFFSET`].
pub const SHARED: u16 = 2;
/// Replies, then the server exits.
pub const QUIT: u16 = 3;

pub const SHARED_REPLY_OFFSET: usize = 1024;

use alloc::string::String;
use capos_schema::console::write_line_params;

/// The text of an echo message (lossy: the test only prints it).
pub fn text<R>(reader: capnp::message::Reader<R>) -> Result<String, capnp::Error>
where
    R: capnp::message::ReaderSegments,
{
    let params: write_line_params::Reader = reader.get_root()?;
    Ok(String::from_utf8_lossy(params.get_text()?.as_bytes()).into_owned())
}
