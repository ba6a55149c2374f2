//! The network: a virtio-net device on the PCI bus (virtio-drivers), an
//! IPv4 stack over it (smoltcp), and the UDP demultiplexer that hands
//! datagrams to the sockets processes hold (capos-lib's udp::Table).
//! docs/architecture/network.md tells the whole path.
//!
//! - pci.rs finds the device; hal.rs gives virtio-drivers DMA memory;
//!   device.rs is the device as smoltcp sees it; stack.rs is smoltcp's
//!   interface; demux.rs feeds received UDP to the table; tcp.rs keeps
//!   smoltcp's TCP sockets and the calls waiting on them.
//! - Who polls: the timer interrupt (every tick, so ARP, retransmissions
//!   of smoltcp's own and receive timeouts move even with an idle device),
//!   the device's interrupt (a frame arrived), and a send (its frame goes
//!   out at once).
//! - Locks: the network state has its own lock, always taken after the
//!   kernel's (interrupts are off in the kernel, so neither is ever
//!   contended); answers to waiting calls are delivered after it is let go.
//!
//! Without a network device this is all absent, and NetworkManager says
//! so (`unimplemented`).

mod demux;
mod device;
mod hal;
mod pci;
mod stack;
pub mod tcp;

pub use demux::{SocketEvent, Sockets, Waiting};

use core::sync::atomic::{AtomicU8, Ordering};

use alloc::vec::Vec;
use spin::{Mutex, MutexGuard};
use virtio_drivers::transport::pci::PciTransport;
use virtio_drivers::transport::pci::bus::PciRoot;

use crate::sched::Kernel;

/// The static IPv4 configuration (KernelParams.net): addresses are the
/// four octets read as one big-endian number.
#[derive(Debug, Clone, Copy)]
pub struct NetConfig {
    pub address: u32,
    pub prefix_length: u8,
    pub gateway: u32,
}

/// QEMU user networking's guest address, prefix and gateway.
pub const DEFAULT_CONFIG: NetConfig = NetConfig {
    address: 0x0a00_020f,
    prefix_length: 24,
    gateway: 0x0a00_0202,
};

pub struct Net {
    pub stack: stack::Stack,
    pub udp: Sockets,
    pub tcp: tcp::Tcp,
    pub config: NetConfig,
    /// The IPv4 identification of the next packet sent.
    pub ident: u16,
}

static NET: Mutex<Option<Net>> = Mutex::new(None);
/// The device's PIC input; 0 when there is no device.
static IRQ: AtomicU8 = AtomicU8::new(0);

/// The network state; `None` inside when the machine has no device.
pub fn lock() -> MutexGuard<'static, Option<Net>> {
    NET.lock()
}

/// Dotted quad, for logs and error messages.
pub struct Dotted(pub u32);

impl core::fmt::Display for Dotted {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let [a, b, c, d] = self.0.to_be_bytes();
        write!(f, "{a}.{b}.{c}.{d}")
    }
}

/// Finds and starts the network device, if the machine has one. Runs at
/// boot, before init: what it allocates (DMA frames, buffers, the stack)
/// is the kernel's own for good, so the leak check never sees it. A
/// machine without a device boots as before, silently.
pub fn init(config: NetConfig) {
    let mut root = PciRoot::new(pci::PortCam);
    let found = match pci::find_network(&mut root) {
        None => return,
        Some(Ok(found)) => found,
        Some(Err(why)) => {
            crate::kprintln!("kernel: net: virtio-net device not used: {why}");
            return;
        }
    };
    let transport = match PciTransport::new::<hal::KernelHal, _>(&mut root, found.function) {
        Ok(t) => t,
        Err(e) => {
            crate::kprintln!("kernel: net: virtio-net device not used: {e}");
            return;
        }
    };
    let nic = match device::Nic::new(transport, device::RX_BUFFER_BYTES) {
        Ok(nic) => nic,
        Err(e) => {
            crate::kprintln!("kernel: net: virtio-net device not used: {e}");
            return;
        }
    };
    let device = device::NicDevice::new(nic);
    let [m0, m1, m2, m3, m4, m5] = device.mac();
    let stack = stack::Stack::new(device, &config, crate::time::now_ns());
    crate::kprintln!(
        "kernel: net: virtio-net {m0:02x}:{m1:02x}:{m2:02x}:{m3:02x}:{m4:02x}:{m5:02x} at {} irq {}, {}/{} via {}",
        found.function,
        found.irq,
        Dotted(config.address),
        config.prefix_length,
        Dotted(config.gateway)
    );
    *NET.lock() = Some(Net {
        stack,
        udp: Sockets::new(),
        tcp: tcp::Tcp::new(),
        config,
        ident: 1,
    });
    IRQ.store(found.irq, Ordering::Relaxed);
    crate::arch::pic::unmask(found.irq);
}

/// The device's interrupt line, if there is a device.
pub fn irq() -> Option<u8> {
    match IRQ.load(Ordering::Relaxed) {
        0 => None,
        irq => Some(irq),
    }
}

/// The device interrupted: acknowledge it (lowering its level-triggered
/// line before the PIC is told), then poll.
pub fn on_interrupt(k: &mut Kernel) {
    ack_interrupt();
    poll(k);
}

/// Lowers the device's interrupt line.
pub fn ack_interrupt() {
    if let Some(net) = NET.lock().as_mut() {
        net.stack.device.ack_interrupt();
    }
}

/// Moves frames in and out and answers the calls that settled. Never
/// inlined, so its large frame stays off the timer and syscall paths
/// when there is no device.
#[inline(never)]
pub fn poll(k: &mut Kernel) {
    let mut tcp_events = Vec::new();
    let events = {
        let mut guard = NET.lock();
        let Some(net) = guard.as_mut() else {
            return;
        };
        let now = crate::time::now_ns();
        let events = demux::poll(net, now);
        if !net.tcp.idle() {
            net.tcp.settle(&mut net.stack, now, &mut tcp_events);
            // Answers may have opened windows or queued data.
            net.stack.egress(now);
        }
        events
    };
    crate::cap::udp_socket::deliver(k, events);
    crate::cap::tcp::deliver(k, tcp_events);
}

/// Frees what the socket table keeps once every socket is gone, so the
/// leak check can compare the heap with what it was before init.
pub fn release_caches() {
    if let Some(net) = NET.lock().as_mut() {
        net.udp.release_caches();
        net.tcp.release(&mut net.stack);
    }
}

/// One line of counters at shutdown, when there is a device.
pub fn report() {
    if let Some(net) = NET.lock().as_ref() {
        let s = net.udp.stats;
        crate::kprintln!(
            "kernel: net: udp {} sent, {} delivered; dropped: {} to unbound ports, {} malformed, {} queue full, {} filtered",
            s.sent,
            s.delivered,
            s.no_port,
            s.malformed,
            s.queue_full,
            s.filtered
        );
        let t = net.tcp.stats;
        crate::kprintln!(
            "kernel: net: tcp {} opened, {} refused, {} reset; {} connections and {} listeners open",
            t.opened,
            t.refused,
            t.reset,
            net.tcp.connections(),
            net.tcp.listener_count()
        );
    }
}
