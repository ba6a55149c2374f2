//! Per-process address spaces: 4-level page tables whose upper half is the
//! kernel's (shared with every process) and whose lower half is the process's.
//!
//! The kernel never dereferences a user pointer. It walks the process's
//! tables, checks each page is present, user-accessible and (for writes)
//! writable, and copies through the direct map. So SMAP stays on, and a bad
//! pointer yields an error instead of a kernel page fault.

use alloc::sync::Arc;

use capos_abi::layout::{PAGE_SIZE, is_user_range};
use capos_lib::account::{Account, Exhausted, Resource};

use super::{frames, phys_to_virt};

const PRESENT: u64 = 1;
const WRITABLE: u64 = 1 << 1;
const USER: u64 = 1 << 2;
const HUGE: u64 = 1 << 7;
/// Software bit: the frame belongs to this address space and is freed with it.
const OWNED: u64 = 1 << 9;
const NO_EXECUTE: u64 = 1 << 63;
const ADDR_MASK: u64 = 0x000f_ffff_ffff_f000;
/// Bits 52..62 of an entry that points to a table are ignored by the MMU;
/// they hold how many entries of that table are in use, so an emptied
/// table can be freed without scanning it.
const COUNT_SHIFT: u64 = 52;
const COUNT_MASK: u64 = 0x7ff << COUNT_SHIFT;

fn used_entries(entry: u64) -> u64 {
    (entry & COUNT_MASK) >> COUNT_SHIFT
}

/// Records one more (`grow`) or one fewer entry in use in the table
/// `entry` points to; returns how many are in use now.
fn count_entries(entry: &mut u64, grow: bool) -> u64 {
    let n = if grow {
        used_entries(*entry) + 1
    } else {
        used_entries(*entry).saturating_sub(1)
    };
    *entry = (*entry & !COUNT_MASK) | (n << COUNT_SHIFT);
    n
}

/// A user address or range that is not mapped as required.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadAddress;

/// Out of physical frames, past the account's quota, or the page is
/// already mapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MapError {
    OutOfMemory,
    Quota(Exhausted),
    AlreadyMapped,
}

impl core::fmt::Display for MapError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            MapError::OutOfMemory => f.write_str("out of physical memory"),
            MapError::Quota(e) => write!(f, "{e}"),
            MapError::AlreadyMapped => f.write_str("range already mapped"),
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Perms {
    /// False for PROT_NONE: the frame stays reserved but any access faults.
    pub accessible: bool,
    pub writable: bool,
    pub executable: bool,
}

impl Perms {
    pub const READ_WRITE: Perms = Perms {
        accessible: true,
        writable: true,
        executable: false,
    };
    pub const READ_ONLY: Perms = Perms {
        accessible: true,
        writable: false,
        executable: false,
    };

    fn leaf_flags(self) -> u64 {
        USER | if self.accessible { PRESENT } else { 0 }
            | if self.writable { WRITABLE } else { 0 }
            | if self.executable { 0 } else { NO_EXECUTE }
    }
}

fn table(phys: u64) -> &'static mut [u64; 512] {
    // SAFETY: `phys` is a page-table frame owned by an address space (or the
    // boot PML4); the kernel is single-CPU with interrupts off, so no other
    // reference to it is live while this one is used.
    unsafe { &mut *(phys_to_virt(phys) as *mut [u64; 512]) }
}

fn index(vaddr: u64, level: u32) -> usize {
    ((vaddr >> (12 + 9 * level)) & 0x1ff) as usize
}

/// A process's page tables. Every frame it allocates, tables included, is
/// charged to `account`, and given back as it is freed.
/// What [`AddressSpace::unmap_page`] took away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unmapped {
    /// A frame of the space's own, now freed.
    Owned,
    /// A frame the space only borrowed (a MemoryObject's), at this address.
    Borrowed(u64),
}

pub struct AddressSpace {
    pml4: u64,
    account: Arc<Account>,
    /// Ranges given a zeroed read-write page on first touch (the heap and
    /// the stack), `[start, end)`.
    lazy: [(u64, u64); 2],
}

impl AddressSpace {
    /// An empty user half over the kernel's upper half.
    pub fn new(account: Arc<Account>) -> Result<Self, MapError> {
        let pml4 = alloc_frame(&account)?;
        let kernel = table(super::kernel_map::root());
        table(pml4)[256..].copy_from_slice(&kernel[256..]);
        Ok(AddressSpace {
            pml4,
            account,
            lazy: [(0, 0); 2],
        })
    }

    fn free_frame(&self, phys: u64) {
        frames::free(phys);
        self.account.release(Resource::Frames, 1);
    }

    pub fn root(&self) -> u64 {
        self.pml4
    }

    /// Maps one page at `vaddr` to `phys`. `owned` frames are freed with the space.
    fn map(&mut self, vaddr: u64, phys: u64, perms: Perms, owned: bool) -> Result<(), MapError> {
        self.map_leaf(
            vaddr,
            phys | perms.leaf_flags() | if owned { OWNED } else { 0 },
        )
    }

    /// Sets the leaf entry of `vaddr` to `leaf_value`, making the tables above it.
    fn map_leaf(&mut self, vaddr: u64, leaf_value: u64) -> Result<(), MapError> {
        let mut t = self.pml4;
        // The entry pointing to `t`, which counts `t`'s entries in use.
        let mut parent: Option<&'static mut u64> = None;
        for level in (1..4).rev() {
            let entry = &mut table(t)[index(vaddr, level)];
            if *entry & PRESENT == 0 {
                // Tables made here for a page that then fails stay empty
                // until reclaim_empty_tables (the failed map calls it).
                let next = alloc_frame(&self.account)?;
                *entry = next | PRESENT | WRITABLE | USER;
                if let Some(parent) = parent.as_deref_mut() {
                    count_entries(parent, true);
                }
            }
            t = *entry & ADDR_MASK;
            parent = Some(entry);
        }
        let leaf = &mut table(t)[index(vaddr, 0)];
        // A PROT_NONE page is not present but still holds its frame.
        if *leaf != 0 {
            return Err(MapError::AlreadyMapped);
        }
        *leaf = leaf_value;
        if let Some(parent) = parent {
            count_entries(parent, true);
        }
        Ok(())
    }

    /// The leaf entry for `vaddr`, with the page-directory entry above it
    /// (which counts the leaf table's entries in use), if the tables exist.
    fn leaf_and_pde(&self, vaddr: u64) -> Option<(&'static mut u64, &'static mut u64)> {
        let mut t = self.pml4;
        let mut pde = None;
        for level in (1..4).rev() {
            let entry = &mut table(t)[index(vaddr, level)];
            if *entry & PRESENT == 0 {
                return None;
            }
            t = *entry & ADDR_MASK;
            pde = Some(entry);
        }
        Some((&mut table(t)[index(vaddr, 0)], pde?))
    }

    /// The leaf entry for `vaddr`, if its page tables exist.
    fn leaf(&mut self, vaddr: u64) -> Option<&'static mut u64> {
        self.leaf_and_pde(vaddr).map(|(leaf, _)| leaf)
    }

    /// Unmaps one page, freeing its frame if the space owns it. Returns
    /// what was mapped there, if anything.
    pub fn unmap_page(&mut self, vaddr: u64) -> Option<Unmapped> {
        let (leaf, pde) = self.leaf_and_pde(vaddr).filter(|(l, _)| **l != 0)?;
        let frame = *leaf & ADDR_MASK;
        let was = if *leaf & OWNED != 0 {
            Unmapped::Owned
        } else {
            Unmapped::Borrowed(frame)
        };
        *leaf = 0;
        crate::arch::cpu::invalidate_page(vaddr);
        if was == Unmapped::Owned {
            self.free_frame(frame);
        }
        // An emptied table stays for the next map nearby (freeing and
        // rebuilding it each time is dear); reclaim_empty_tables frees it
        // when the quota needs the frame.
        count_entries(pde, false);
        Some(was)
    }

    /// Frees every page table with no entry in use; returns how many.
    /// Called when a map runs into the memory quota, so that tables left
    /// empty by unmaps never cost the process memory it asks for.
    pub fn reclaim_empty_tables(&mut self) -> u64 {
        let mut freed = 0;
        for i in 0..256 {
            let entry = &mut table(self.pml4)[i];
            if *entry & PRESENT == 0 {
                continue;
            }
            freed += self.reclaim_under(entry, 2);
            if used_entries(*entry) == 0 {
                let frame = *entry & ADDR_MASK;
                *entry = 0;
                self.free_frame(frame);
                freed += 1;
            }
        }
        if freed > 0 && crate::arch::cpu::read_cr3() & ADDR_MASK == self.pml4 {
            // SAFETY: reloading the current PML4 only flushes the TLB and
            // the paging-structure caches, which may hold freed tables.
            unsafe { crate::arch::cpu::write_cr3(self.pml4) };
        }
        freed
    }

    /// Frees the empty tables below the table `entry` points to, whose
    /// entries are at `level`, keeping `entry`'s count right.
    fn reclaim_under(&self, entry: &mut u64, level: u32) -> u64 {
        if level == 0 {
            return 0;
        }
        let mut freed = 0;
        for child in table(*entry & ADDR_MASK).iter_mut() {
            if *child & PRESENT == 0 {
                continue;
            }
            freed += self.reclaim_under(child, level - 1);
            if used_entries(*child) == 0 {
                let frame = *child & ADDR_MASK;
                *child = 0;
                count_entries(entry, false);
                self.free_frame(frame);
                freed += 1;
            }
        }
        freed
    }

    /// Changes the permissions of a mapped page.
    pub fn protect_page(&mut self, vaddr: u64, perms: Perms) -> Result<(), BadAddress> {
        let leaf = self.leaf(vaddr).filter(|l| **l != 0).ok_or(BadAddress)?;
        *leaf = (*leaf & (ADDR_MASK | OWNED)) | perms.leaf_flags();
        crate::arch::cpu::invalidate_page(vaddr);
        Ok(())
    }

    /// Maps `pages` fresh zeroed frames from `vaddr`.
    pub fn map_zeroed(&mut self, vaddr: u64, pages: u64, perms: Perms) -> Result<(), MapError> {
        // The whole range is charged first, so a mapping past the quota
        // fails before any of it is mapped. Pages mapped before a later
        // failure keep their charge until the caller unmaps them.
        self.account
            .charge_raw(Resource::Frames, pages)
            .map_err(MapError::Quota)?;
        for i in 0..pages {
            let mapped = frames::alloc_zeroed(1)
                .ok_or(MapError::OutOfMemory)
                .and_then(|frame| {
                    self.map(vaddr + i * PAGE_SIZE, frame, perms, true)
                        .inspect_err(|_| frames::free(frame))
                });
            if let Err(e) = mapped {
                self.account.release(Resource::Frames, pages - i);
                return Err(e);
            }
        }
        Ok(())
    }

    /// Maps already-allocated frames that the caller keeps owning (the ring
    /// and CapSet pages belong to the process object, not the space).
    pub fn map_borrowed(
        &mut self,
        vaddr: u64,
        phys: u64,
        pages: u64,
        perms: Perms,
    ) -> Result<(), MapError> {
        for i in 0..pages {
            self.map(vaddr + i * PAGE_SIZE, phys + i * PAGE_SIZE, perms, false)?;
        }
        Ok(())
    }

    /// Makes `[start, start + pages)` demand-zero: nothing is mapped or
    /// charged now; a page gets a zeroed, read-write, never executable
    /// frame when it is first touched (see [`AddressSpace::populate`]).
    /// Two ranges at most: the heap and the stack.
    pub fn map_lazy(&mut self, start: u64, pages: u64) {
        let slot = self
            .lazy
            .iter_mut()
            .find(|r| r.0 == r.1)
            .expect("at most two lazy ranges");
        *slot = (start, start + pages * PAGE_SIZE);
    }

    /// Gives the page of `vaddr` its frame if it lies in a demand-zero
    /// range and has none yet. `Ok(false)`: not such a page (a real fault);
    /// an error: the memory quota (or memory) cannot pay for it.
    pub fn populate(&mut self, vaddr: u64) -> Result<bool, MapError> {
        let page = vaddr & !(PAGE_SIZE - 1);
        if !self.lazy.iter().any(|&(s, e)| s <= page && page < e) {
            return Ok(false);
        }
        if self.leaf(page).is_some_and(|l| *l != 0) {
            return Ok(false);
        }
        self.map_zeroed(page, 1, Perms::READ_WRITE)?;
        Ok(true)
    }

    /// The physical address behind a user virtual address, if the page is
    /// present, user-accessible, and writable when `write` is asked.
    pub fn translate(&self, vaddr: u64, write: bool) -> Option<u64> {
        if !is_user_range(vaddr, 1) {
            return None;
        }
        let mut t = self.pml4;
        for level in (0..4).rev() {
            let entry = table(t)[index(vaddr, level)];
            let needed = PRESENT | USER | if write { WRITABLE } else { 0 };
            if entry & needed != needed || (level > 0 && entry & HUGE != 0) {
                return None;
            }
            t = entry & ADDR_MASK;
        }
        Some(t + (vaddr & (PAGE_SIZE - 1)))
    }

    /// Checks that every page of `[vaddr, vaddr+len)` is mapped for user
    /// access (and writable if `write`), giving untouched demand-zero
    /// pages their frames first, as if the process had touched them (they
    /// read as zeros either way); if the quota cannot pay for one, the
    /// range is bad. Calls `page(i, frame)` with each page's frame.
    fn check_pages(
        &mut self,
        vaddr: u64,
        len: usize,
        write: bool,
        mut page: impl FnMut(usize, u64),
    ) -> Result<(), BadAddress> {
        if !is_user_range(vaddr, len as u64) {
            return Err(BadAddress);
        }
        let first = vaddr & !(PAGE_SIZE - 1);
        let mut at = first;
        while at < vaddr + len as u64 {
            let frame = match self.translate(at, write) {
                Some(frame) => frame,
                // Populated pages are read-write, so one more look settles it.
                None if self.populate(at) == Ok(true) => {
                    self.translate(at, write).ok_or(BadAddress)?
                }
                None => return Err(BadAddress),
            };
            page(((at - first) / PAGE_SIZE) as usize, frame);
            at += PAGE_SIZE;
        }
        Ok(())
    }

    /// Calls `f(phys, done, n)` for each page-sized piece of
    /// `[vaddr, vaddr+len)`, after checking the whole range first (see
    /// [`AddressSpace::check_pages`]) so a failure changes nothing.
    ///
    /// The frames of the first pages found by the check are kept, so a
    /// range of up to [`WALK_KEPT_PAGES`] pages (every result buffer of the
    /// typed clients, and most params) is translated once, not twice.
    fn walk(
        &mut self,
        vaddr: u64,
        len: usize,
        write: bool,
        mut f: impl FnMut(u64, usize, usize),
    ) -> Result<(), BadAddress> {
        let mut frames = [0u64; WALK_KEPT_PAGES];
        self.check_pages(vaddr, len, write, |i, frame| {
            if let Some(kept) = frames.get_mut(i) {
                *kept = frame;
            }
        })?;
        let first = vaddr & !(PAGE_SIZE - 1);
        let mut done = 0usize;
        while done < len {
            let addr = vaddr + done as u64;
            let offset = addr & (PAGE_SIZE - 1);
            let phys = match frames.get(((addr - first) / PAGE_SIZE) as usize) {
                Some(&frame) => frame + offset,
                None => self.translate(addr, write).ok_or(BadAddress)?,
            };
            let n = ((PAGE_SIZE - offset) as usize).min(len - done);
            f(phys, done, n);
            done += n;
        }
        Ok(())
    }

    /// Fails unless all of `[vaddr, vaddr+len)` is mapped for user access
    /// (and writable if `write`).
    pub fn check(&mut self, vaddr: u64, len: usize, write: bool) -> Result<(), BadAddress> {
        self.check_pages(vaddr, len, write, |_, _| {})
    }

    pub fn copy_from_user(&mut self, vaddr: u64, buf: &mut [u8]) -> Result<(), BadAddress> {
        let len = buf.len();
        self.walk(vaddr, len, false, |phys, at, n| {
            // SAFETY: `phys..phys+n` is a mapped user frame inside the direct
            // map (checked by walk); `buf[at..at+n]` is in bounds.
            unsafe { core::ptr::copy_nonoverlapping(phys_to_virt(phys), buf[at..].as_mut_ptr(), n) }
        })
    }

    pub fn copy_to_user(&mut self, vaddr: u64, data: &[u8]) -> Result<(), BadAddress> {
        self.walk(vaddr, data.len(), true, |phys, at, n| {
            // SAFETY: as in copy_from_user, for a user-writable frame.
            unsafe { core::ptr::copy_nonoverlapping(data[at..].as_ptr(), phys_to_virt(phys), n) }
        })
    }

    /// Frees every page-table frame and owned frame under `t` (and `t`),
    /// a table of `level` with `used` entries in use; returns how many
    /// frames it freed. The count lets the scan stop at the last entry.
    fn free_level(t: u64, level: u32, used: u64) -> u64 {
        let mut freed = 0;
        let mut seen = 0;
        for &entry in table(t).iter() {
            if seen == used {
                break;
            }
            if entry == 0 {
                continue;
            }
            seen += 1;
            let phys = entry & ADDR_MASK;
            if level == 0 {
                // PROT_NONE pages are owned but not present.
                if entry & OWNED != 0 {
                    frames::free(phys);
                    freed += 1;
                }
            } else if entry & PRESENT != 0 {
                freed += Self::free_level(phys, level - 1, used_entries(entry));
            }
        }
        frames::free(t);
        freed + 1
    }
}

/// Pages of a user range whose frames [`AddressSpace::walk`] keeps from
/// its check for its copy.
const WALK_KEPT_PAGES: usize = 4;

/// A zeroed frame charged to `account`.
fn alloc_frame(account: &Account) -> Result<u64, MapError> {
    account
        .charge_raw(Resource::Frames, 1)
        .map_err(MapError::Quota)?;
    frames::alloc_zeroed(1).ok_or_else(|| {
        account.release(Resource::Frames, 1);
        MapError::OutOfMemory
    })
}

impl Drop for AddressSpace {
    fn drop(&mut self) {
        let mut freed = 0;
        for i in 0..256 {
            let entry = table(self.pml4)[i];
            if entry & PRESENT != 0 {
                freed += Self::free_level(entry & ADDR_MASK, 2, used_entries(entry));
            }
        }
        frames::free(self.pml4);
        // One release for the lot: the account sees them go together.
        self.account.release(Resource::Frames, freed + 1);
    }
}

impl AddressSpace {
    /// A copy of the user half for a forked process, charged to `account`:
    /// every page the space owns gets a new frame holding a copy of its
    /// contents (an eager copy, see docs/interfaces/process-forker.md),
    /// with the same permissions; demand-zero ranges stay demand-zero
    /// where untouched. A borrowed page is mapped to what `borrowed`
    /// returns for it (its vaddr and frame), or left out on `None`.
    pub fn duplicate(
        &self,
        account: Arc<Account>,
        mut borrowed: impl FnMut(u64, u64) -> Option<u64>,
    ) -> Result<AddressSpace, MapError> {
        let mut copy = AddressSpace::new(account)?;
        copy.lazy = self.lazy;
        for i in 0..256 {
            let entry = table(self.pml4)[i];
            if entry & PRESENT != 0 {
                copy.copy_level(entry & ADDR_MASK, 2, (i as u64) << 39, &mut borrowed)?;
            }
        }
        Ok(copy)
    }

    /// Copies into this space every leaf under `t`, another space's table
    /// of `level` whose first page is at `base` (see [`Self::duplicate`]).
    fn copy_level(
        &mut self,
        t: u64,
        level: u32,
        base: u64,
        borrowed: &mut dyn FnMut(u64, u64) -> Option<u64>,
    ) -> Result<(), MapError> {
        for (i, &entry) in table(t).iter().enumerate() {
            let vaddr = base + ((i as u64) << (12 + 9 * level));
            if level > 0 {
                if entry & PRESENT != 0 {
                    self.copy_level(entry & ADDR_MASK, level - 1, vaddr, borrowed)?;
                }
                continue;
            }
            // PROT_NONE pages are owned but not present: copied too.
            if entry == 0 {
                continue;
            }
            let (phys, flags) = (entry & ADDR_MASK, entry & !ADDR_MASK);
            if entry & OWNED == 0 {
                if let Some(frame) = borrowed(vaddr, phys) {
                    self.map_leaf(vaddr, frame | flags)?;
                }
                continue;
            }
            self.account
                .charge_raw(Resource::Frames, 1)
                .map_err(MapError::Quota)?;
            let Some(frame) = frames::alloc_copy(phys) else {
                self.account.release(Resource::Frames, 1);
                return Err(MapError::OutOfMemory);
            };
            if let Err(e) = self.map_leaf(vaddr, frame | flags) {
                self.free_frame(frame);
                return Err(e);
            }
        }
        Ok(())
    }

    /// Copies `data` to `vaddr` regardless of page permissions: loading an
    /// image into pages just mapped for it, before the process runs.
    pub fn load(&mut self, vaddr: u64, data: &[u8]) {
        let _ = self.walk(vaddr, data.len(), false, |phys, at, n| {
            // SAFETY: walk checked the pages are mapped user frames.
            unsafe { core::ptr::copy_nonoverlapping(data[at..].as_ptr(), phys_to_virt(phys), n) }
        });
    }
}
