//! NetworkManager: makes UDP sockets, TCP connections and listeners, and
//! narrower managers
//! (docs/interfaces/network-manager.md).

use super::{Client, TcpConnection, TcpListener, UdpSocket};
use crate::any_cap::AnyCap;
use crate::error::Error;
use capos_lib::udp::Endpoint;
use capos_schema::{interface_id, network_manager, udp_endpoint};

/// Schema ordinals.
const CREATE_UDP_SOCKET: u16 = 0;
const NARROW: u16 = 1;
const STATS: u16 = 2;
const TCP_CONNECT: u16 = 3;
const TCP_LISTEN: u16 = 4;
const NARROW_LISTEN: u16 = 5;
const TCP_STATS: u16 = 6;

/// The stack's TCP counters (schema TcpStats).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TcpStats {
    pub connections: u32,
    pub listeners: u32,
    pub opened: u64,
    pub refused: u64,
    pub reset: u64,
}

super::client!(NetworkManager, interface_id::NETWORK_MANAGER);

/// The stack's address and counters (schema NetStats).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NetStats {
    /// False when the machine has no network device.
    pub has_device: bool,
    pub address: u32,
    pub prefix_length: u8,
    pub gateway: u32,
    pub udp_sent: u64,
    pub udp_delivered: u64,
    pub udp_no_port: u64,
    pub udp_malformed: u64,
    pub udp_queue_full: u64,
    pub udp_filtered: u64,
}

fn fill_list(mut list: capnp::struct_list::Builder<'_, udp_endpoint::Owned>, allowed: &[Endpoint]) {
    for (i, e) in allowed.iter().enumerate() {
        let mut entry = list.reborrow().get(i as u32);
        entry.set_address(e.addr);
        entry.set_port(e.port);
    }
}

impl NetworkManager {
    /// A UDP socket bound to `port` (0: any free ephemeral port). A
    /// non-empty `allowed` narrows it to those destinations (on a narrowed
    /// manager, a subset of its own; empty then means all of its own).
    pub fn create_udp_socket(&self, port: u16, allowed: &[Endpoint]) -> Result<UdpSocket, Error> {
        let ring = self.cap.ring();
        let socket = self
            .cap
            .call::<network_manager::create_udp_socket_params::Owned>(
                Self::INTERFACE_ID,
                CREATE_UDP_SOCKET,
                |mut p| {
                    p.set_port(port);
                    fill_list(p.init_allowed(allowed.len() as u32), allowed);
                },
            )?
            .read::<network_manager::create_udp_socket_results::Owned, _>(|r| {
                Ok(AnyCap::from_result(ring, r.get_socket()?))
            })?;
        socket.expect("createUdpSocket returned something that is not a UdpSocket")
    }

    /// A manager whose sockets reach only `allowed` (non-empty).
    pub fn narrow(&self, allowed: &[Endpoint]) -> Result<NetworkManager, Error> {
        let ring = self.cap.ring();
        let manager = self
            .cap
            .call::<network_manager::narrow_params::Owned>(Self::INTERFACE_ID, NARROW, |p| {
                fill_list(p.init_allowed(allowed.len() as u32), allowed);
            })?
            .read::<network_manager::narrow_results::Owned, _>(|r| {
                Ok(AnyCap::from_result(ring, r.get_manager()?))
            })?;
        manager.expect("narrow returned something that is not a NetworkManager")
    }

    /// Starts a TCP connection to `to`; it is returned at once, being
    /// established (TcpConnection::ready with `write` waits for that).
    pub fn tcp_connect(&self, to: Endpoint) -> Result<TcpConnection, Error> {
        let ring = self.cap.ring();
        let connection = self
            .cap
            .call::<network_manager::tcp_connect_params::Owned>(
                Self::INTERFACE_ID,
                TCP_CONNECT,
                |p| {
                    let mut e = p.init_to();
                    e.set_address(to.addr);
                    e.set_port(to.port);
                },
            )?
            .read::<network_manager::tcp_connect_results::Owned, _>(|r| {
                Ok(AnyCap::from_result(ring, r.get_connection()?))
            })?;
        connection.expect("tcpConnect returned something that is not a TcpConnection")
    }

    /// A TCP listener on `port` (0: any) holding at most `backlog`
    /// connections for accept (0: the default).
    pub fn tcp_listen(&self, port: u16, backlog: u32) -> Result<TcpListener, Error> {
        let ring = self.cap.ring();
        let listener = self
            .cap
            .call::<network_manager::tcp_listen_params::Owned>(
                Self::INTERFACE_ID,
                TCP_LISTEN,
                |mut p| {
                    p.set_port(port);
                    p.set_backlog(backlog);
                },
            )?
            .read::<network_manager::tcp_listen_results::Owned, _>(|r| {
                Ok(AnyCap::from_result(ring, r.get_listener()?))
            })?;
        listener.expect("tcpListen returned something that is not a TcpListener")
    }

    /// A manager that may listen on `port` and do nothing else.
    pub fn narrow_listen(&self, port: u16) -> Result<NetworkManager, Error> {
        let ring = self.cap.ring();
        let manager = self
            .cap
            .call::<network_manager::narrow_listen_params::Owned>(
                Self::INTERFACE_ID,
                NARROW_LISTEN,
                |mut p| p.set_port(port),
            )?
            .read::<network_manager::narrow_listen_results::Owned, _>(|r| {
                Ok(AnyCap::from_result(ring, r.get_manager()?))
            })?;
        manager.expect("narrowListen returned something that is not a NetworkManager")
    }

    pub fn tcp_stats(&self) -> Result<TcpStats, Error> {
        self.cap
            .call::<network_manager::tcp_stats_params::Owned>(
                Self::INTERFACE_ID,
                TCP_STATS,
                |_| {},
            )?
            .read::<network_manager::tcp_stats_results::Owned, _>(|r| {
                let s = r.get_stats()?;
                Ok(TcpStats {
                    connections: s.get_connections(),
                    listeners: s.get_listeners(),
                    opened: s.get_opened(),
                    refused: s.get_refused(),
                    reset: s.get_reset(),
                })
            })
    }

    pub fn stats(&self) -> Result<NetStats, Error> {
        self.cap
            .call::<network_manager::stats_params::Owned>(Self::INTERFACE_ID, STATS, |_| {})?
            .read::<network_manager::stats_results::Owned, _>(|r| {
                let s = r.get_stats()?;
                Ok(NetStats {
                    has_device: s.get_has_device(),
                    address: s.get_address(),
                    prefix_length: s.get_prefix_length(),
                    gateway: s.get_gateway(),
                    udp_sent: s.get_udp_sent(),
                    udp_delivered: s.get_udp_delivered(),
                    udp_no_port: s.get_udp_no_port(),
                    udp_malformed: s.get_udp_malformed(),
                    udp_queue_full: s.get_udp_queue_full(),
                    udp_filtered: s.get_udp_filtered(),
                })
            })
    }
}
