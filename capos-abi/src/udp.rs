//! UDP sizes (schema: NetworkManager, UdpSocket).

/// The largest datagram payload a UdpSocket sends or receives: what one
/// Ethernet frame of 1500 bytes holds after the IPv4 (20) and UDP (8)
/// headers. The stack does not fragment or reassemble.
pub const MAX_PAYLOAD: usize = 1472;

/// Datagrams a socket's receive queue holds before it drops new ones.
pub const QUEUE_DATAGRAMS: usize = 32;

/// Payload bytes a socket's receive queue holds before it drops new ones
/// (charged to the socket's creator with the socket).
pub const QUEUE_BYTES: usize = 16 * 1024;

/// What a UdpSocket.recvFrom result adds to the data (segment table, root
/// pointer, results struct, sender struct), so that `max` bytes fit a
/// result buffer of `max + RECV_OVERHEAD` bytes.
pub const RECV_OVERHEAD: usize = 48;

/// The first port NetworkManager.createUdpSocket picks when asked for any
/// (IANA's dynamic range, 49152..=65535).
pub const EPHEMERAL_FIRST: u16 = 49152;
