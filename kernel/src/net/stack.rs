//! The IPv4 stack: smoltcp's interface (Ethernet, ARP, IPv4, ICMP echo)
//! over the virtio-net device, with one raw socket that carries every UDP
//! packet in and out, and smoltcp's own TCP sockets (crate::net::tcp).
//!
//! UDP is not smoltcp's: its UDP sockets would demultiplex and queue in
//! ways the kernel cannot charge to a process or count, so the raw socket
//! hands each UDP packet (IPv4 header included) to capos-lib's
//! demultiplexer (crate::net::demux), and datagrams to send arrive here
//! as whole IPv4 packets built by capos_lib::udp::wire. smoltcp still
//! resolves the gateway's MAC, fills the IPv4 checksum and frames them.

use alloc::vec;
use alloc::vec::Vec;

use smoltcp::iface::{Config, Interface, PollIngressSingleResult, SocketHandle, SocketSet};
use smoltcp::socket::raw;
use smoltcp::time::Instant;
use smoltcp::wire::{EthernetAddress, IpCidr, IpProtocol, IpVersion, Ipv4Address};

use super::NetConfig;
use super::device::NicDevice;

/// Packets, and bytes, the raw socket buffers each way. Received packets
/// are taken out after each one (see [`Stack::poll`]); sent ones wait
/// here only while the gateway's MAC is being resolved.
const RAW_PACKETS: usize = 32;
const RAW_BYTES: usize = RAW_PACKETS * 1500;

/// Received frames one poll handles at most, so a flood cannot keep the
/// kernel in one interrupt; the rest wait in the device for the next poll.
const POLL_BUDGET: usize = 64;

pub struct Stack {
    pub(super) iface: Interface,
    pub(super) sockets: SocketSet<'static>,
    raw: SocketHandle,
    pub device: NicDevice,
}

fn instant(now_ns: u64) -> Instant {
    Instant::from_micros((now_ns / 1000) as i64)
}

impl Stack {
    pub fn new(mut device: NicDevice, config: &NetConfig, now_ns: u64) -> Self {
        let mac = EthernetAddress(device.mac());
        let mut iface_config = Config::new(mac.into());
        // TCP's initial sequence numbers come from this seed: the boot
        // clock and the device's address make it differ between boots.
        let [m0, m1, m2, m3, m4, m5] = mac.0;
        iface_config.random_seed = now_ns ^ u64::from_be_bytes([0, 0, m0, m1, m2, m3, m4, m5]);
        let mut iface = Interface::new(iface_config, &mut device, instant(now_ns));
        iface.update_ip_addrs(|addrs| {
            // One address: the vector has room for it.
            let _ = addrs.push(IpCidr::new(
                Ipv4Address::from_bits(config.address).into(),
                config.prefix_length,
            ));
        });
        // Refused only if the route table is full, and it is empty.
        let _ = iface
            .routes_mut()
            .add_default_ipv4_route(Ipv4Address::from_bits(config.gateway));
        let buffer = || {
            raw::PacketBuffer::new(
                vec![raw::PacketMetadata::EMPTY; RAW_PACKETS],
                vec![0u8; RAW_BYTES],
            )
        };
        let socket = raw::Socket::new(
            Some(IpVersion::Ipv4),
            Some(IpProtocol::Udp),
            buffer(),
            buffer(),
        );
        // Room for every socket there will ever be at once, allocated now
        // (the kernel's own), so adding a TCP socket never grows it.
        let mut sockets = SocketSet::new(Vec::with_capacity(1 + super::tcp::MAX_SOCKETS));
        let raw = sockets.add(socket);
        Stack {
            iface,
            sockets,
            raw,
            device,
        }
    }

    /// Takes in what the device received (calling `udp` with each UDP
    /// packet, up to [`POLL_BUDGET`] frames) and sends what is waiting.
    pub fn poll(&mut self, now_ns: u64, mut udp: impl FnMut(&[u8])) {
        let now = instant(now_ns);
        self.iface.poll_maintenance(now);
        for _ in 0..POLL_BUDGET {
            let result = self
                .iface
                .poll_ingress_single(now, &mut self.device, &mut self.sockets);
            // Drained after every frame, so the raw socket's buffer never
            // fills and drops a packet the demultiplexer would not count.
            let socket = self.sockets.get_mut::<raw::Socket>(self.raw);
            while let Ok(packet) = socket.recv() {
                udp(packet);
            }
            if result == PollIngressSingleResult::None {
                break;
            }
        }
        self.iface
            .poll_egress(now, &mut self.device, &mut self.sockets);
    }

    /// Sends what the sockets have to send (after a TCP socket was
    /// given data, or its receive window opened).
    pub fn egress(&mut self, now_ns: u64) {
        self.iface
            .poll_egress(instant(now_ns), &mut self.device, &mut self.sockets);
    }

    /// Queues one IPv4 packet carrying a UDP datagram and sends it (or,
    /// while the gateway's MAC is unknown, sends the ARP request; the
    /// packet follows when the answer is polled in). `false` if the queue
    /// is full.
    pub fn send(&mut self, packet: &[u8], now_ns: u64) -> bool {
        let socket = self.sockets.get_mut::<raw::Socket>(self.raw);
        if socket.send_slice(packet).is_err() {
            return false;
        }
        self.iface
            .poll_egress(instant(now_ns), &mut self.device, &mut self.sockets);
        true
    }
}
