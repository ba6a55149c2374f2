//! A socket descriptor's object. The kernel binds a UdpSocket when it is
//! made, so a socket gets one only when it needs a port (`bind`, or
//! Linux's automatic binding at `connect` or the first send); until then
//! it is POSIX state only. A datagram a MSG_PEEK fetched is held here for
//! the next receive, since the kernel has no peek. One thread, so the
//! cells are never borrowed twice.

use super::Failure;
use crate::linux::errno::EACCES;
use crate::socket::addr::V4;
use crate::socket::datagram::Held;
use crate::socket::kernel;
use crate::socket::udp::Udp;
use crate::state::State;
use alloc::rc::Rc;
use capos_rt::{Error, NetworkManager, UdpSocket};
use core::cell::RefCell;

#[derive(Default)]
pub struct UdpFd {
    pub udp: RefCell<Udp>,
    /// The kernel's socket, once the socket has a port. Shared (`Rc`) so a
    /// call can use it while the state cell is borrowed again.
    kernel: RefCell<Option<Rc<UdpSocket>>>,
    pub held: RefCell<Held>,
}

/// Why the process cannot make a socket.
pub const NO_NETWORK: &str =
    "no \"network\" capability (NetworkManager): this process may not use the network";

impl UdpFd {
    /// A socket a parent passed: its kernel socket, which has its port
    /// (the parent gave it one before the spawn); nothing else crosses.
    pub fn inherited(socket: UdpSocket) -> Result<UdpFd, Error> {
        let local = socket.local_address()?;
        let fd = UdpFd::default();
        // Kept as if bound to it: the port is the socket's for good.
        let port = local.port;
        fd.udp.borrow_mut().bound(V4 { ip: [0; 4], port }, port);
        *fd.kernel.borrow_mut() = Some(Rc::new(socket));
        Ok(fd)
    }

    /// The kernel's socket, if the socket has a port.
    pub fn kernel(&self) -> Option<Rc<UdpSocket>> {
        self.kernel.borrow().clone()
    }

    /// Makes the kernel's socket on `port` (0: any) through the process's
    /// NetworkManager; returns the port it got.
    pub fn create(&self, s: &State, port: u16) -> Result<u16, Failure> {
        let manager: &NetworkManager =
            s.network
                .as_ref()
                .ok_or(Failure::from(crate::socket::Refusal::capos(
                    EACCES, NO_NETWORK,
                )))?;
        let socket = manager
            .create_udp_socket(port, &[])
            .map_err(|e| Failure::kernel(kernel::create(&e), &e))?;
        let got = match port {
            0 => {
                socket
                    .local_address()
                    .map_err(|e| Failure::kernel(kernel::create(&e), &e))?
                    .port
            }
            port => port,
        };
        *self.kernel.borrow_mut() = Some(Rc::new(socket));
        Ok(got)
    }

    /// The kernel's socket, made on any port first if the socket has none
    /// (Linux's automatic binding).
    pub fn ensure_port(&self, s: &State) -> Result<Rc<UdpSocket>, Failure> {
        if let Some(k) = self.kernel() {
            return Ok(k);
        }
        let port = self.create(s, 0)?;
        self.udp.borrow_mut().autobound(port);
        // Just made.
        self.kernel().ok_or(Failure::from(crate::linux::errno::EIO))
    }

    /// Lets the kernel's socket go (its port with it, once no other
    /// holder has it).
    pub fn release(&self) {
        *self.kernel.borrow_mut() = None;
    }
}
