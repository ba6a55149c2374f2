//! NetworkManager: makes UDP sockets (kernel/src/cap/udp_socket.rs) and
//! narrower managers, and reports the stack's counters.
//!
//! A manager is unrestricted (the manifest's `networkManager` kind) or
//! narrowed to a set of UDP destinations; whatever it makes is narrowed to
//! that set or a subset of it, so authority only ever shrinks as it is
//! passed on: a resolver given a manager narrowed to its nameserver can
//! reach that nameserver and nothing else.

use alloc::boxed::Box;
use alloc::format;
use alloc::sync::Arc;
use alloc::vec::Vec;

use capos_lib::udp::{BindError, Endpoint};
use capos_schema::ExceptionType;
use capos_schema::capos_capnp::network_manager;
use capos_schema::interface_id;

use super::udp_socket::{MAX_ALLOWED, Shown, UdpSocket, allowed_set, socket_bytes};
use super::{
    ALLOC_SLACK, CallCtx, CallError, CapObject, Params, Reply, check_cap_reply, encode,
    insert_cap_reply, new_message, set_result_cap,
};
use crate::net;

pub struct NetworkManager {
    /// `None`: unrestricted. `Some`: the only destinations its sockets
    /// may reach (never empty).
    allowed: Option<Arc<[Endpoint]>>,
    /// A narrowed manager's creator pays for it.
    _charge: Option<capos_lib::account::Charge>,
}

impl NetworkManager {
    pub fn unrestricted() -> Self {
        NetworkManager {
            allowed: None,
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
            _charge: Some(charge),
        };
        insert_cap_reply(ctx, Arc::new(manager), &encode_manager)
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
            _ => Err(CallError::InvalidMethod),
        }
    }
}
