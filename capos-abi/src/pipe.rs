//! Pipe sizes (schema: PipeFactory, PipeReader, PipeWriter).

/// Bytes a pipe buffers before a writer waits. Linux's default is 64 KiB;
/// capOS charges the buffer to the creator's kernel quota (256 KiB by
/// default), so it is smaller, and a stream larger than it still flows,
/// one buffer at a time.
pub const CAPACITY: usize = 16 * 1024;

/// Writes of up to this many bytes go into a pipe whole (POSIX PIPE_BUF).
pub const ATOMIC: usize = 4096;

/// What a PipeReader.read result adds to the data (segment table, root
/// pointer, struct), so that `max` bytes fit a result buffer of
/// `max + READ_OVERHEAD` bytes.
pub const READ_OVERHEAD: usize = 32;
