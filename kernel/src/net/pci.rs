//! PCI configuration space through the legacy ports 0xcf8/0xcfc, which
//! q35 (and every PC chipset) still decodes; enough to find the network
//! device on bus 0 and read what the firmware set up for it.
//!
//! The firmware (SeaBIOS, which runs before the PVH entry) has already
//! assigned every BAR and routed each function's INTx line to a PIC
//! input, which it wrote into the interrupt-line register.

use virtio_drivers::transport::DeviceType;
use virtio_drivers::transport::pci::bus::{
    BarInfo, Command, ConfigurationAccess, DeviceFunction, PciRoot,
};
use virtio_drivers::transport::pci::virtio_device_type;

use crate::arch::cpu::{inl, outl};

const CONFIG_ADDRESS: u16 = 0xcf8;
const CONFIG_DATA: u16 = 0xcfc;
/// The interrupt-line register (low byte of the dword at 0x3c).
const INTERRUPT_LINE: u8 = 0x3c;

pub struct PortCam;

fn address(df: DeviceFunction, offset: u8) -> u32 {
    1 << 31
        | (df.bus as u32) << 16
        | (df.device as u32) << 11
        | (df.function as u32) << 8
        | (offset & 0xfc) as u32
}

impl ConfigurationAccess for PortCam {
    fn read_word(&self, df: DeviceFunction, offset: u8) -> u32 {
        outl(CONFIG_ADDRESS, address(df, offset));
        inl(CONFIG_DATA)
    }

    fn write_word(&mut self, df: DeviceFunction, offset: u8, data: u32) {
        outl(CONFIG_ADDRESS, address(df, offset));
        outl(CONFIG_DATA, data);
    }

    unsafe fn unsafe_clone(&self) -> Self {
        PortCam
    }
}

/// A virtio network function found on bus 0.
pub struct Found {
    pub function: DeviceFunction,
    /// The PIC input its INTx is routed to.
    pub irq: u8,
}

/// Finds the first virtio network function on bus 0, turns on its memory
/// decoding and bus mastering (it reads and writes our buffers), and
/// checks that its memory BARs lie inside the direct map, which is how the
/// driver reaches them. `Err` says why a device found cannot be used.
pub fn find_network(root: &mut PciRoot<PortCam>) -> Option<Result<Found, &'static str>> {
    let (function, _) = root
        .enumerate_bus(0)
        .find(|(_, info)| virtio_device_type(info) == Some(DeviceType::Network))?;
    Some(prepare(root, function))
}

fn prepare(root: &mut PciRoot<PortCam>, function: DeviceFunction) -> Result<Found, &'static str> {
    let bars = root.bars(function).map_err(|_| "its BARs cannot be read")?;
    for bar in bars.iter().flatten() {
        if let BarInfo::Memory { address, size, .. } = bar
            && address.saturating_add(*size) > crate::mem::DIRECT_MAP_SIZE
        {
            return Err("a memory BAR lies above 4 GiB, outside the kernel's direct map");
        }
    }
    let (_, command) = root.get_status_command(function);
    root.set_command(
        function,
        command | Command::MEMORY_SPACE | Command::BUS_MASTER,
    );
    let irq = PortCam.read_word(function, INTERRUPT_LINE) as u8;
    if !(1..16).contains(&irq) || irq == 2 {
        return Err("the firmware routed no usable interrupt line to it");
    }
    Ok(Found { function, irq })
}
