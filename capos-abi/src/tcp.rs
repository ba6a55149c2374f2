//! TCP sizes (schema: NetworkManager.tcpConnect/tcpListen, TcpConnection,
//! TcpListener).

/// Bytes each of a connection's two buffers (receive, send) holds. The
/// receive buffer is the window the peer may fill; the send buffer is
/// what a sender may have queued but not yet acknowledged. Both are
/// charged to whoever made or accepted the connection.
pub const BUFFER_BYTES: usize = 32 * 1024;

/// The most connections one listener holds for accept at once (and the
/// backlog it gets when asked for 0).
pub const MAX_BACKLOG: u32 = 16;

/// The backlog a listener gets when asked for 0.
pub const DEFAULT_BACKLOG: u32 = 8;

/// What a TcpConnection.receive result adds to the data (segment table,
/// root pointer, results struct), so that `max` bytes fit a result buffer
/// of `max + RECEIVE_OVERHEAD` bytes.
pub const RECEIVE_OVERHEAD: usize = 32;

/// The most bytes one TcpConnection.send takes (more is refused): a
/// sender loops, as with a short write. Half a ring message, so the
/// params always fit.
pub const MAX_SEND: usize = 32 * 1024;
