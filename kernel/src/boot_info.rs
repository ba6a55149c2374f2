//! The PVH start info QEMU hands the kernel: memory map and boot module.

use crate::mem::frames::Region;
use crate::mem::phys_to_virt;

const PVH_MAGIC: u32 = 0x336e_c578;
const E820_RAM: u32 = 1;

#[repr(C)]
struct StartInfo {
    magic: u32,
    version: u32,
    flags: u32,
    nr_modules: u32,
    modlist_paddr: u64,
    cmdline_paddr: u64,
    rsdp_paddr: u64,
    memmap_paddr: u64,
    memmap_entries: u32,
    _reserved: u32,
}

#[repr(C)]
struct Module {
    paddr: u64,
    size: u64,
    cmdline_paddr: u64,
    _reserved: u64,
}

#[repr(C)]
struct MemMapEntry {
    addr: u64,
    size: u64,
    kind: u32,
    _reserved: u32,
}

pub struct BootInfo {
    pub ram: alloc::vec::Vec<Region>,
    /// Physical address and size of the single boot module (the manifest).
    pub module: (u64, u64),
}

/// Reads the start info at physical address `phys`.
pub fn parse(phys: u64) -> Result<BootInfo, &'static str> {
    // SAFETY: QEMU's PVH loader put a start info structure at `phys`, below
    // 4 GiB and so inside the direct map; we only read it.
    let info = unsafe { &*(phys_to_virt(phys) as *const StartInfo) };
    if info.magic != PVH_MAGIC {
        return Err("not booted through PVH (bad start info magic)");
    }
    if info.version < 1 || info.memmap_paddr == 0 {
        return Err("PVH start info has no memory map (version 0)");
    }
    if info.nr_modules != 1 {
        return Err("expected exactly one boot module (the manifest, via -initrd)");
    }
    // SAFETY: the memory map and module list are arrays QEMU wrote next to
    // the start info, with the lengths it gives.
    let memmap = unsafe {
        core::slice::from_raw_parts(
            phys_to_virt(info.memmap_paddr) as *const MemMapEntry,
            info.memmap_entries as usize,
        )
    };
    // SAFETY: as above; nr_modules is 1.
    let module = unsafe { &*(phys_to_virt(info.modlist_paddr) as *const Module) };
    let ram = memmap
        .iter()
        .filter(|e| e.kind == E820_RAM)
        .map(|e| Region {
            start: e.addr,
            end: e.addr + e.size,
        })
        .collect();
    Ok(BootInfo {
        ram,
        module: (module.paddr, module.size),
    })
}
