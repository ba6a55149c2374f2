//! Received UDP to sockets: every UDP packet the stack takes in goes to
//! capos-lib's demultiplexer (capos_lib::udp::Table), which queues it for
//! the socket bound to its port, hands it to a waiting receive, or drops
//! and counts it. This file is the kernel's side of that table: what a
//! waiting call is, and the poll that feeds the table and runs its clock.

use alloc::sync::Arc;
use alloc::vec::Vec;

use capos_lib::account::Charge;
use capos_lib::udp::{Event, Table, Waiter};

use super::Net;
use crate::cap::{CallCtx, CallError};
use crate::process::{ExitCell, PendingCall};

/// A call a socket keeps until it can answer it (a receive, a readiness
/// wait).
pub struct Waiting {
    pub call: PendingCall,
    exit: Arc<ExitCell>,
    /// The caller pays for its place in the queue and the datagram it may
    /// be handed.
    _charge: Charge,
}

impl Waiter for Waiting {
    fn owner(&self) -> u64 {
        self.call.pid
    }

    fn alive(&self) -> bool {
        self.exit.status().is_none()
    }
}

impl Waiting {
    /// Keeps the current call, charging the caller for the record and for
    /// `held` bytes of data it may be handed.
    pub fn new(ctx: &mut CallCtx, held: usize) -> Result<Waiting, CallError> {
        Ok(Waiting {
            call: ctx.call,
            exit: ctx.kernel.process(ctx.caller).exit.clone(),
            _charge: ctx.charge(size_of::<Waiting>() + held)?,
        })
    }
}

pub type Sockets = Table<Waiting>;
pub type SocketEvent = Event<Waiting>;

/// Takes in what the device received, hands each UDP packet to the table,
/// and times out waiting receives whose deadline has passed. Returns what
/// settled, for the kernel to answer once the network lock is released.
pub fn poll(net: &mut Net, now_ns: u64) -> Vec<SocketEvent> {
    let mut events = Vec::new();
    let Net { stack, udp, .. } = net;
    stack.poll(now_ns, |packet| {
        udp.deliver(packet, &mut events);
    });
    udp.expire(now_ns, &mut events);
    events
}
