//! Terminal sizes (schema: Terminal).

/// What a Terminal.read result adds to the data (segment table, root
/// pointer, struct), so that `max` bytes fit a result buffer of
/// `max + READ_OVERHEAD` bytes.
pub const READ_OVERHEAD: usize = 32;

/// Most bytes one Terminal.read returns: the line discipline holds no
/// more (capos_lib::terminal::CAPACITY).
pub const MAX_READ: usize = 4096;
