//! What the network smoke's guest and host sides agree on. The host side
//! is tools/net/udp-echo.py and the QEMU arguments in tools/net/run.sh;
//! both run inside a private network namespace, so these ports reach
//! nothing else.

#![no_std]

use capos_rt::UdpEndpoint;

/// QEMU user networking's alias for the host's 127.0.0.1.
pub const HOST: u32 = 0x0a00_0202;

/// The echo server on the host (udp-echo.py --port).
pub const ECHO: UdpEndpoint = UdpEndpoint {
    addr: HOST,
    port: 5555,
};

/// A guest port nobody binds: the host sends datagrams to it through
/// QEMU's forwarding (hostfwd=udp:127.0.0.1:7778-:7777), and the kernel
/// must drop and count them.
pub const UNBOUND_PORT: u16 = 7777;

/// tools/net/tcp-peer.py's peers (its --base is 5600).
pub const TCP_ECHO: UdpEndpoint = UdpEndpoint {
    addr: HOST,
    port: 5600,
};
pub const TCP_RESET: UdpEndpoint = UdpEndpoint {
    addr: HOST,
    port: 5601,
};
pub const TCP_SILENT: UdpEndpoint = UdpEndpoint {
    addr: HOST,
    port: 5602,
};
pub const TCP_SLOW: UdpEndpoint = UdpEndpoint {
    addr: HOST,
    port: 5603,
};
pub const TCP_CONTROL: UdpEndpoint = UdpEndpoint {
    addr: HOST,
    port: 5604,
};
/// Nothing listens there: connections are refused.
pub const TCP_CLOSED: UdpEndpoint = UdpEndpoint {
    addr: HOST,
    port: 5605,
};
/// The guest's listener that the host reaches through QEMU's forwarding
/// (hostfwd=tcp:127.0.0.1:7780-:7780).
pub const TCP_LISTEN_PORT: u16 = 7780;
