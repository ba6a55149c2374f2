//! The virtio-net device as smoltcp sees it: a source and sink of
//! Ethernet frames.
//!
//! virtio-drivers keeps QUEUE_SIZE receive buffers posted to the device;
//! a received frame is lent to smoltcp for the length of one `consume` and
//! then posted again. A transmit copies the frame into a fresh buffer and
//! waits for the device to take it (QEMU does at once), so nothing of a
//! caller's stays with the device after the call.

use core::cell::RefCell;

use smoltcp::phy::{self, DeviceCapabilities, Medium};
use smoltcp::time::Instant;
use virtio_drivers::device::net::{RxBuffer, VirtIONet};
use virtio_drivers::transport::pci::PciTransport;

use super::hal::KernelHal;

/// Receive buffers kept posted, and the size of the transmit queue.
pub const QUEUE_SIZE: usize = 16;
/// One receive buffer: an Ethernet frame of 1514 bytes plus the virtio
/// header, rounded up.
pub const RX_BUFFER_BYTES: usize = 2048;
/// The largest frame, without the frame check sequence.
const MTU: usize = 1514;

pub type Nic = VirtIONet<KernelHal, PciTransport, QUEUE_SIZE>;

pub struct NicDevice {
    nic: RefCell<Nic>,
}

impl NicDevice {
    pub fn new(nic: Nic) -> Self {
        NicDevice {
            nic: RefCell::new(nic),
        }
    }

    pub fn mac(&self) -> [u8; 6] {
        self.nic.borrow().mac_address()
    }

    /// Acknowledges the device's interrupt, which lowers its line.
    pub fn ack_interrupt(&mut self) {
        self.nic.get_mut().ack_interrupt();
    }
}

pub struct Rx<'a> {
    nic: &'a RefCell<Nic>,
    buffer: RxBuffer,
}

pub struct Tx<'a> {
    nic: &'a RefCell<Nic>,
}

impl phy::Device for NicDevice {
    type RxToken<'a> = Rx<'a>;
    type TxToken<'a> = Tx<'a>;

    fn receive(&mut self, _timestamp: Instant) -> Option<(Rx<'_>, Tx<'_>)> {
        let buffer = self.nic.get_mut().receive().ok()?;
        Some((
            Rx {
                nic: &self.nic,
                buffer,
            },
            Tx { nic: &self.nic },
        ))
    }

    fn transmit(&mut self, _timestamp: Instant) -> Option<Tx<'_>> {
        self.nic
            .get_mut()
            .can_send()
            .then_some(Tx { nic: &self.nic })
    }

    fn capabilities(&self) -> DeviceCapabilities {
        let mut caps = DeviceCapabilities::default();
        caps.medium = Medium::Ethernet;
        caps.max_transmission_unit = MTU;
        // smoltcp caps the receive window it advertises at this many
        // segments: as many as there are receive buffers posted (QEMU
        // holds what does not fit until one is posted again). One would
        // let the peer send a single segment per round trip.
        caps.max_burst_size = Some(QUEUE_SIZE);
        caps
    }
}

impl phy::RxToken for Rx<'_> {
    fn consume<R, F: FnOnce(&[u8]) -> R>(self, f: F) -> R {
        let result = f(self.buffer.packet());
        // Post the buffer again; a refusal loses one of QUEUE_SIZE buffers
        // (reported, never fatal).
        if self
            .nic
            .borrow_mut()
            .recycle_rx_buffer(self.buffer)
            .is_err()
        {
            crate::kprintln!("kernel: net: the device refused a receive buffer back");
        }
        result
    }
}

impl phy::TxToken for Tx<'_> {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, len: usize, f: F) -> R {
        let mut nic = self.nic.borrow_mut();
        let mut buffer = nic.new_tx_buffer(len);
        let result = f(buffer.packet_mut());
        if nic.send(buffer).is_err() {
            crate::kprintln!("kernel: net: the device refused a frame");
        }
        result
    }
}
