//! The kernel's own page tables, built once the frame allocator works.
//!
//! boot.S maps with 2 MiB pages that are writable and executable, and keeps
//! an identity map; both are needed only to get into Rust. These tables
//! replace them: the direct map is writable but never executable, the
//! kernel image is mapped per section (text read-execute, rodata
//! read-only, data and bss read-write, neither executable) with 4 KiB
//! pages, and nothing is identity-mapped, so a stray low pointer in the
//! kernel faults. CR0.WP makes read-only mean read-only for ring 0 too.

use core::sync::atomic::{AtomicU64, Ordering};

use super::{DIRECT_MAP_SIZE, PHYS_OFFSET, frames, phys_to_virt};
use crate::arch::cpu;

const PRESENT: u64 = 1;
const WRITABLE: u64 = 1 << 1;
const HUGE: u64 = 1 << 7;
const NO_EXECUTE: u64 = 1 << 63;
const ADDR_MASK: u64 = 0x000f_ffff_ffff_f000;
use super::KERNEL_VMA;

unsafe extern "C" {
    static __text_start: u8;
    static __rodata_start: u8;
    static __data_start: u8;
    static __kernel_end: u8;
}

/// Physical address of the kernel's PML4, once installed.
static KERNEL_PML4: AtomicU64 = AtomicU64::new(0);

pub fn root() -> u64 {
    KERNEL_PML4.load(Ordering::Relaxed)
}

fn table(phys: u64) -> &'static mut [u64; 512] {
    // SAFETY: `phys` is a page-table frame this module allocated and only it
    // touches, on the only CPU, before any process exists.
    unsafe { &mut *(phys_to_virt(phys) as *mut [u64; 512]) }
}

fn new_table() -> Result<u64, &'static str> {
    frames::alloc_zeroed(1).ok_or("out of memory for the kernel page tables")
}

/// The next-level table under `entry`, created if absent.
fn next(entry: &mut u64) -> Result<u64, &'static str> {
    if *entry & PRESENT == 0 {
        *entry = new_table()? | PRESENT | WRITABLE;
    }
    Ok(*entry & ADDR_MASK)
}

fn map_page(pml4: u64, va: u64, pa: u64, flags: u64) -> Result<(), &'static str> {
    let index = |level: u32| ((va >> (12 + 9 * level)) & 0x1ff) as usize;
    let pdpt = next(&mut table(pml4)[index(3)])?;
    let pd = next(&mut table(pdpt)[index(2)])?;
    let pt = next(&mut table(pd)[index(1)])?;
    table(pt)[index(0)] = pa | flags | PRESENT;
    Ok(())
}

/// Builds the kernel's page tables and switches to them.
pub fn install() -> Result<(), &'static str> {
    let pml4 = new_table()?;

    // The direct map: 2 MiB pages, writable, never executable.
    let pdpt = next(&mut table(pml4)[((PHYS_OFFSET >> 39) & 0x1ff) as usize])?;
    for gib in 0..DIRECT_MAP_SIZE >> 30 {
        let pd = next(&mut table(pdpt)[gib as usize])?;
        for (i, entry) in table(pd).iter_mut().enumerate() {
            *entry = (gib << 30 | (i as u64) << 21) | PRESENT | WRITABLE | HUGE | NO_EXECUTE;
        }
    }

    // The kernel image, section by section.
    let text = &raw const __text_start as u64;
    let rodata = &raw const __rodata_start as u64;
    let data = &raw const __data_start as u64;
    let end = &raw const __kernel_end as u64;
    for (start, stop, flags) in [
        (text, rodata, 0),
        (rodata, data, NO_EXECUTE),
        (data, end, WRITABLE | NO_EXECUTE),
    ] {
        for va in (start..stop).step_by(4096) {
            map_page(pml4, va, va - KERNEL_VMA, flags)?;
        }
    }

    // SAFETY: the new tables map all of the kernel (code, data, stacks,
    // heap) and the direct map at the same addresses as before.
    unsafe { cpu::write_cr3(pml4) };
    cpu::write_cr0(cpu::read_cr0() | (1 << 16)); // WP
    KERNEL_PML4.store(pml4, Ordering::Relaxed);
    Ok(())
}
