//! NetworkManager: makes UDP sockets (kernel/src/cap/udp_socket.rs), TCP
//! connections and listeners (kernel/src/cap/tcp.rs) and narrower
//! managers, and reports the stack's counters.
//!
//! A manager is unrestricted (the manifest's `networkManager` kind) or
//! narrowed to a set of UDP destinations; whatever it makes is narrowed to
//! that set or a subset of it, so authority only ever shrinks as it is
//! passed on: a resolver given a manager narrowed to its nameserver can
//! reach that nameserver and nothing else. A manager narrowed to
//! destinations (a connector) may not listen; one narrowed with
//! narrowListen may listen on its one port and reach nothing.

use alloc::boxed::Box;
use alloc::format;
use alloc::sync::Arc;
use alloc::vec::Vec;

use capos_lib::udp::{BindError, Endpoint};
use capos_schema::ExceptionType;
use capos_schema::capos_capnp::network_manager;
use capos_schema::interface_id;

use capos_abi::tcp::{DEFAULT_BACKLOG, MAX_BACKLOG};

use super::tcp;
use super::udp_socket::{MAX_ALLOWED, Shown, UdpSocket, allowed_set, endpoint, socket_bytes};
use super::{
    ALLOC_SLACK, CallCtx, CallError, CapObject, Params, Reply, check_cap_reply, encode,
    insert_cap_reply, new_message, set_result_cap,
};
use crate::net;

pub struct NetworkManager {
    /// `None`: unrestricted. `Some`: the only destinations its sockets
    /// and connections may reach (empty for a listen-only manager).
    allowed: Option<Arc<[Endpoint]>>,
    /// Where it may listen for TCP connections.
    listen: Listen,
    /// A narrowed manager's creator pays for it.
    _charge: Option<capos_lib::account::Charge>,
}

impl NetworkManager {
    pub fn unrestricted() -> Self {
        NetworkManager {
            allowed: None,
            listen: Listen::Any,
            _charge: None,
        }
    }

    /// The set a socket or manager made from this one gets when it asks
    /// for `requested` (empty: as much as this one has).
    fn narrow_to(&self, requested: Box<[Endpoint]>) -> Result<Option<Box<[Endpoint]>>, CallError> {
        match &self.allowed {
            None if requested.is_empty() => Ok(None),
            None => Ok(Some(requested)),
            Some(own) if requested.is_empty() => Ok(Some(own.iter().copied().collect())),
            Some(own) => match requested.iter().find(|e| !own.contains(e)) {
                Some(outside) => Err(CallError::Exception(
                    ExceptionType::Failed,
                    format!(
                        "destination {} is outside this manager's allowed set",
                        Shown(*outside)
                    ),
                )),
                None => Ok(Some(requested)),
            },
        }
    }

    fn create_udp_socket(&self, ctx: &mut CallCtx, params: &Params) -> Result<Reply, CallError> {
        let p: network_manager::create_udp_socket_params::Reader = params.get_root()?;
        let allowed = self.narrow_to(allowed_set(p.get_allowed()?)?)?;
        if net::lock().is_none() {
            return Err(no_device());
        }
        check_cap_reply(ctx, &encode_socket)?;
        let charge = ctx.charge(socket_bytes(allowed.as_ref().map_or(0, |a| a.len())))?;
        let bound = net::lock()
            .as_mut()
            .ok_or_else(no_device)?
            .udp
            .bind(p.get_port(), allowed);
        let (id, port) = bound.map_err(|e| match e {
            BindError::InUse(port) => CallError::Exception(
                ExceptionType::Failed,
                format!("UDP port {port} is in use (EADDRINUSE)"),
            ),
            BindError::NoFreePort => CallError::Exception(
                ExceptionType::Overloaded,
                "no free ephemeral UDP port".into(),
            ),
        })?;
        insert_cap_reply(
            ctx,
            Arc::new(UdpSocket::new(id, port, charge)),
            &encode_socket,
        )
    }

    fn narrow(&self, ctx: &mut CallCtx, params: &Params) -> Result<Reply, CallError> {
        let p: network_manager::narrow_params::Reader = params.get_root()?;
        let requested = allowed_set(p.get_allowed()?)?;
        if requested.is_empty() {
            return Err(CallError::Exception(
                ExceptionType::Failed,
                "a narrowed manager needs at least one allowed destination".into(),
            ));
        }
        let allowed = self.narrow_to(requested)?.map(Arc::from);
        check_cap_reply(ctx, &encode_manager)?;
        let charge = ctx.charge(
            size_of::<NetworkManager>() + MAX_ALLOWED * size_of::<Endpoint>() + 2 * ALLOC_SLACK,
        )?;
        let manager = NetworkManager {
            allowed,
            // A connector: narrowed to destinations, it may not listen.
            listen: Listen::Never,
            _charge: Some(charge),
        };
        insert_cap_reply(ctx, Arc::new(manager), &encode_manager)
    }

    fn tcp_connect(&self, ctx: &mut CallCtx, params: &Params) -> Result<Reply, CallError> {
        let p: network_manager::tcp_connect_params::Reader = params.get_root()?;
        let to = endpoint(p.get_to()?);
        if let Some(own) = &self.allowed
            && !own.contains(&to)
        {
            return Err(CallError::Exception(
                ExceptionType::Failed,
                format!(
                    "destination {} is outside this manager's allowed set",
                    Shown(to)
                ),
            ));
        }
        if net::lock().is_none() {
            return Err(tcp::no_device());
        }
        check_cap_reply(ctx, &encode_connection)?;
        let charge = ctx.charge(tcp::CONNECTION_BYTES)?;
        let now = crate::time::now_ns();
        let id = {
            let mut guard = net::lock();
            let net = guard.as_mut().ok_or_else(tcp::no_device)?;
            let address = net.config.address;
            let id = net
                .tcp
                .connect(&mut net.stack, address, to, now)
                .map_err(tcp::refusal)?;
            // The SYN goes now (or the ARP request before it).
            net.stack.egress(now);
            id
        };
        insert_cap_reply(
            ctx,
            Arc::new(tcp::TcpConnection::new(id, charge)),
            &encode_connection,
        )
    }

    fn tcp_listen(&self, ctx: &mut CallCtx, params: &Params) -> Result<Reply, CallError> {
        let p: network_manager::tcp_listen_params::Reader = params.get_root()?;
        let port = p.get_port();
        match self.listen {
            Listen::Any => {}
            Listen::Port(own) if own == port => {}
            Listen::Port(own) => {
                return Err(CallError::Exception(
                    ExceptionType::Failed,
                    format!("this manager may listen on TCP port {own} only, not {port}"),
                ));
            }
            Listen::Never => {
                return Err(CallError::Exception(
                    ExceptionType::Failed,
                    "this manager may not listen (it was narrowed to destinations)".into(),
                ));
            }
        }
        let backlog = match p.get_backlog() {
            0 => DEFAULT_BACKLOG,
            b if b > MAX_BACKLOG => {
                return Err(CallError::Exception(
                    ExceptionType::Failed,
                    format!("a backlog of {b} is more than {MAX_BACKLOG}"),
                ));
            }
            b => b,
        } as usize;
        if net::lock().is_none() {
            return Err(tcp::no_device());
        }
        check_cap_reply(ctx, &encode_listener)?;
        let charge = ctx.charge(tcp::listener_bytes(backlog))?;
        let id = {
            let mut guard = net::lock();
            let net = guard.as_mut().ok_or_else(tcp::no_device)?;
            let (id, _) = net
                .tcp
                .listen(&mut net.stack, port, backlog)
                .map_err(tcp::refusal)?;
            id
        };
        insert_cap_reply(
            ctx,
            Arc::new(tcp::TcpListener::new(id, charge)),
            &encode_listener,
        )
    }

    fn narrow_listen(&self, ctx: &mut CallCtx, params: &Params) -> Result<Reply, CallError> {
        let p: network_manager::narrow_listen_params::Reader = params.get_root()?;
        let port = p.get_port();
        let allowed_here = match self.listen {
            Listen::Any => port != 0,
            Listen::Port(own) => own == port,
            Listen::Never => false,
        };
        if !allowed_here {
            return Err(CallError::Exception(
                ExceptionType::Failed,
                format!("this manager may not listen on TCP port {port}"),
            ));
        }
        check_cap_reply(ctx, &encode_manager)?;
        let charge = ctx.charge(size_of::<NetworkManager>() + 2 * ALLOC_SLACK)?;
        let manager = NetworkManager {
            allowed: Some(Arc::from(Vec::new())),
            listen: Listen::Port(port),
            _charge: Some(charge),
        };
        insert_cap_reply(ctx, Arc::new(manager), &encode_manager)
    }

    fn tcp_stats(&self, params: &Params) -> Result<Reply, CallError> {
        let _: network_manager::tcp_stats_params::Reader = params.get_root()?;
        let mut message = new_message();
        let mut stats = message
            .init_root::<network_manager::tcp_stats_results::Builder>()
            .init_stats();
        if let Some(net) = net::lock().as_ref() {
            let s = net.tcp.stats;
            stats.set_connections(net.tcp.connections() as u32);
            stats.set_listeners(net.tcp.listener_count() as u32);
            stats.set_opened(s.opened);
            stats.set_refused(s.refused);
            stats.set_reset(s.reset);
        }
        Ok(Reply::Done(encode(&message)))
    }

    fn stats(&self, params: &Params) -> Result<Reply, CallError> {
        let _: network_manager::stats_params::Reader = params.get_root()?;
        let mut message = new_message();
        let mut stats = message
            .init_root::<network_manager::stats_results::Builder>()
            .init_stats();
        if let Some(net) = net::lock().as_ref() {
            let s = net.udp.stats;
            stats.set_has_device(true);
            stats.set_address(net.config.address);
            stats.set_prefix_length(net.config.prefix_length);
            stats.set_gateway(net.config.gateway);
            stats.set_udp_sent(s.sent);
            stats.set_udp_delivered(s.delivered);
            stats.set_udp_no_port(s.no_port);
            stats.set_udp_malformed(s.malformed);
            stats.set_udp_queue_full(s.queue_full);
            stats.set_udp_filtered(s.filtered);
        }
        Ok(Reply::Done(encode(&message)))
    }
}

fn no_device() -> CallError {
    CallError::Exception(ExceptionType::Unimplemented, "no network device".into())
}

fn encode_socket(id: u32) -> Vec<u8> {
    let mut message = new_message();
    let results = message.init_root::<network_manager::create_udp_socket_results::Builder>();
    set_result_cap(results.init_socket(), id, interface_id::UDP_SOCKET);
    encode(&message)
}

fn encode_connection(id: u32) -> Vec<u8> {
    let mut message = new_message();
    let results = message.init_root::<network_manager::tcp_connect_results::Builder>();
    set_result_cap(results.init_connection(), id, interface_id::TCP_CONNECTION);
    encode(&message)
}

fn encode_listener(id: u32) -> Vec<u8> {
    let mut message = new_message();
    let results = message.init_root::<network_manager::tcp_listen_results::Builder>();
    set_result_cap(results.init_listener(), id, interface_id::TCP_LISTENER);
    encode(&message)
}

/// Where a manager may listen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Listen {
    Any,
    Port(u16),
    Never,
}

fn encode_manager(id: u32) -> Vec<u8> {
    let mut message = new_message();
    let results = message.init_root::<network_manager::narrow_results::Builder>();
    set_result_cap(results.init_manager(), id, interface_id::NETWORK_MANAGER);
    encode(&message)
}

impl CapObject for NetworkManager {
    fn interface_id(&self) -> u64 {
        interface_id::NETWORK_MANAGER
    }

    fn call(&self, ctx: &mut CallCtx, method: u16, params: &Params) -> Result<Reply, CallError> {
        match method {
            0 => self.create_udp_socket(ctx, params),
            1 => self.narrow(ctx, params),
            2 => self.stats(params),
            3 => self.tcp_connect(ctx, params),
            4 => self.tcp_listen(ctx, params),
            5 => self.narrow_listen(ctx, params),
            6 => self.tcp_stats(params),
            _ => Err(CallError::InvalidMethod),
        }
    }
}
