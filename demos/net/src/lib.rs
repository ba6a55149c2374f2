//! What the network smoke's guest and host sides agree on. The host side
//! is tools/net/udp-echo.py and the QEMU arguments in tools/net/run.sh;
//! both run inside a private network namespace, so these ports reach
//! nothing else.

#![no_std]

extern crate alloc;

use alloc::format;
use alloc::string::String;
use capos_rt::{Console, Error, NetworkManager, Runtime, Timer, UdpEndpoint, println};

/// What a network smoke program works with.
pub struct Ctx<'a> {
    pub console: &'a Console,
    pub timer: Timer,
    pub net: NetworkManager,
}

/// A smoke program's start and end: takes `console`, `timer` and `net`,
/// runs `checks`, and reports `TAG: done` (exit 0) or `TAG: FAIL why`
/// (exit 1; 2 when a capability is missing).
pub fn run_smoke(
    mut rt: Runtime,
    tag: &str,
    checks: impl FnOnce(&Ctx<'_>) -> Result<(), String>,
) -> i64 {
    let Ok(console) = rt.take::<Console>("console") else {
        return 2;
    };
    let (Ok(timer), Ok(net)) = (rt.take::<Timer>("timer"), rt.take::<NetworkManager>("net")) else {
        println!(console, "{tag}: FAIL missing timer or net capability");
        return 2;
    };
    let ctx = Ctx {
        console: &console,
        timer,
        net,
    };
    match checks(&ctx) {
        Ok(()) => {
            println!(console, "{tag}: done");
            0
        }
        Err(why) => {
            println!(console, "{tag}: FAIL {why}");
            1
        }
    }
}

/// Maps a call's error to the failure of step `what`.
pub fn err(what: &str) -> impl Fn(Error) -> String + '_ {
    move |e| format!("{what}: {e}")
}

/// An address as the smokes print it.
pub fn show(e: UdpEndpoint) -> String {
    let [a, b, c, d] = e.addr.to_be_bytes();
    format!("{a}.{b}.{c}.{d}:{}", e.port)
}

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
