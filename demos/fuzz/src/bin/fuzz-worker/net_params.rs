//! Params of the NetworkManager and UdpSocket methods, at the values where
//! their rules change: ports 0 (any), 1, the ephemeral range's edges and
//! 65535; allowed sets empty (all), of one, at the kernel's limit and past
//! it, with duplicates and with the wildcard address; datagrams of 0 bytes,
//! a few, exactly MAX_PAYLOAD and just past it, up to what a message holds;
//! receives of 0, small, MAX_PAYLOAD and absurd sizes, waiting or not, with
//! no timeout, a short one or an absurd one. The readiness wait,
//! localAddress, close and both stats take empty params.
//!
//! The fuzz system has no network device, so the kernel's NetworkManager
//! must refuse every createUdpSocket (`unimplemented`) after decoding and
//! checking it, while narrow and stats work. A UdpSocket the worker holds
//! is a client facet posing as one (EndpointFactory.create with its
//! interface id): its calls reach the worker's own Endpoint through the
//! kernel's CALL path.

use alloc::vec;
use alloc::vec::Vec;
use capos_abi::udp::{EPHEMERAL_FIRST, MAX_PAYLOAD, RECV_OVERHEAD};
use capos_rt::message::build;
use capos_schema::{network_manager, udp_endpoint, udp_socket};
use fuzz_programs::rng::Rng;

/// The most entries the kernel accepts in one allowed set (MAX_ALLOWED in
/// kernel/src/cap/udp_socket.rs): sets around that size are built.
const SET_EDGE: u64 = 16;

/// QEMU user networking's host alias, the gateway: a destination the
/// kernel would route to if it had a device.
const HOST: u32 = 0x0a00_0202;

fn port(rng: &mut Rng) -> u16 {
    match rng.below(8) {
        0 => 0,
        1 => 1,
        2 => 65535,
        3 => EPHEMERAL_FIRST - 1 + rng.below(3) as u16,
        4 => 53,
        _ => rng.next_u32() as u16,
    }
}

fn address(rng: &mut Rng) -> u32 {
    match rng.below(6) {
        0 => 0,
        1 => u32::MAX,
        2 | 3 => HOST,
        4 => 0x7f00_0001,
        _ => rng.next_u32(),
    }
}

fn endpoint(rng: &mut Rng, mut e: udp_endpoint::Builder<'_>) {
    e.set_address(address(rng));
    e.set_port(port(rng));
}

/// The length of an allowed set: empty, one, a few, at the kernel's
/// limit or past it.
fn set_len(rng: &mut Rng) -> u32 {
    (match rng.below(6) {
        0 => 0,
        1 | 2 => 1,
        3 => rng.range(2, 6),
        4 => rng.range(SET_EDGE - 1, SET_EDGE + 1),
        _ => rng.range(SET_EDGE + 2, 4 * SET_EDGE),
    }) as u32
}

fn fill_set(rng: &mut Rng, mut list: capnp::struct_list::Builder<'_, udp_endpoint::Owned>) {
    let mut last = (address(rng), port(rng));
    for i in 0..list.len() {
        // Now and then the previous entry again.
        if i == 0 || !rng.chance(1, 6) {
            last = (address(rng), port(rng));
        }
        let mut e = list.reborrow().get(i);
        e.set_address(last.0);
        e.set_port(last.1);
    }
}

/// NetworkManager params by method: createUdpSocket, narrow, stats.
pub fn manager(rng: &mut Rng, method: u16) -> Vec<u64> {
    match method {
        0 => build::<network_manager::create_udp_socket_params::Owned>(|mut p| {
            p.set_port(port(rng));
            let n = set_len(rng);
            fill_set(rng, p.init_allowed(n));
        }),
        1 => build::<network_manager::narrow_params::Owned>(|p| {
            let n = set_len(rng);
            fill_set(rng, p.init_allowed(n));
        }),
        _ => build::<network_manager::stats_params::Owned>(|_| {}),
    }
}

/// How many bytes a sendTo carries.
fn datagram_len(rng: &mut Rng) -> usize {
    match rng.below(8) {
        0 => 0,
        1 | 2 => rng.range(1, 64) as usize,
        3 => rng.range(65, MAX_PAYLOAD as u64 - 1) as usize,
        4 => MAX_PAYLOAD,
        5 => MAX_PAYLOAD + 1,
        6 => rng.range(MAX_PAYLOAD as u64 + 2, 4 * MAX_PAYLOAD as u64) as usize,
        _ => rng.range(MAX_PAYLOAD as u64 - 2, MAX_PAYLOAD as u64 + 2) as usize,
    }
}

fn recv_max(rng: &mut Rng) -> u32 {
    match rng.below(6) {
        0 => 0,
        1 => rng.range(1, 64) as u32,
        2 => MAX_PAYLOAD as u32,
        3 => MAX_PAYLOAD as u32 + 1,
        _ => rng.edgy_u64() as u32,
    }
}

fn timeout_ns(rng: &mut Rng) -> u64 {
    match rng.below(5) {
        // Forever (when waiting).
        0 | 1 => 0,
        2 => rng.range(1, 100_000),
        3 => rng.range(100_000, 2_000_000),
        _ => rng.edgy_u64(),
    }
}

/// UdpSocket params by method, and whether the result wants a big slot.
pub fn socket(rng: &mut Rng, method: u16) -> (Vec<u64>, bool) {
    match method {
        0 => {
            let mut data = vec![0u8; datagram_len(rng)];
            rng.fill(&mut data);
            let words = build::<udp_socket::send_to_params::Owned>(|mut p| {
                endpoint(rng, p.reborrow().init_to());
                p.set_data(&data);
            });
            (words, false)
        }
        1 => {
            let max = recv_max(rng);
            let words = build::<udp_socket::recv_from_params::Owned>(|mut p| {
                p.set_max(max);
                p.set_wait(rng.chance(1, 2));
                p.set_timeout_ns(timeout_ns(rng));
            });
            (words, max > 900 && rng.chance(1, 2))
        }
        2 => (build::<udp_socket::ready_params::Owned>(|_| {}), false),
        3 => (
            build::<udp_socket::local_address_params::Owned>(|_| {}),
            false,
        ),
        4 => (build::<udp_socket::close_params::Owned>(|_| {}), false),
        _ => (build::<udp_socket::stats_params::Owned>(|_| {}), false),
    }
}

/// The smallest result buffer a receive accepts: its framing and a word.
pub fn recv_floor() -> u32 {
    RECV_OVERHEAD as u32 + 8
}
