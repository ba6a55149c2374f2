//! VirtualMemory: anonymous memory in this process's address space.

use super::{Client, Mapping, MemoryObject};
use crate::any_cap::AnyCap;
use crate::error::Error;
use capos_schema::{interface_id, virtual_memory};

pub use capos_abi::vm::{PROT_EXEC, PROT_NONE, PROT_READ, PROT_WRITE};

/// Schema ordinals of VirtualMemory's methods.
const MAP: u16 = 0;
const UNMAP: u16 = 1;
const PROTECT: u16 = 2;
const CREATE_OBJECT: u16 = 3;

super::client!(VirtualMemory, interface_id::VIRTUAL_MEMORY);

impl VirtualMemory {
    /// Maps `size` bytes of zeroed memory with `prot` (PROT_* bits); `hint`
    /// is used if that range is free, 0 lets the kernel choose.
    pub fn map(&self, hint: u64, size: u64, prot: u32) -> Result<u64, Error> {
        self.cap
            .call::<virtual_memory::map_params::Owned>(Self::INTERFACE_ID, MAP, |mut p| {
                p.set_hint(hint);
                p.set_size(size);
                p.set_prot(prot);
            })?
            .read::<virtual_memory::map_results::Owned, _>(|r| Ok(r.get_addr()))
    }

    /// Unmaps the mapped pages of a page-aligned range.
    pub fn unmap(&self, addr: u64, size: u64) -> Result<(), Error> {
        self.cap
            .call::<virtual_memory::unmap_params::Owned>(Self::INTERFACE_ID, UNMAP, |mut p| {
                p.set_addr(addr);
                p.set_size(size);
            })
            .map(drop)
    }

    /// Changes the protection of a fully mapped, page-aligned range.
    pub fn protect(&self, addr: u64, size: u64, prot: u32) -> Result<(), Error> {
        self.cap
            .call::<virtual_memory::protect_params::Owned>(Self::INTERFACE_ID, PROTECT, |mut p| {
                p.set_addr(addr);
                p.set_size(size);
                p.set_prot(prot);
            })
            .map(drop)
    }

    /// A new zeroed MemoryObject of `size` bytes (rounded up to pages),
    /// mapped nowhere yet.
    pub fn create_object(&self, size: u64) -> Result<MemoryObject, Error> {
        let ring = self.cap.ring();
        self.cap
            .call::<virtual_memory::create_object_params::Owned>(
                Self::INTERFACE_ID,
                CREATE_OBJECT,
                |mut p| p.set_size(size),
            )?
            .read::<virtual_memory::create_object_results::Owned, _>(|r| {
                Ok(AnyCap::from_result(ring, r.get_object()?))
            })?
            .expect("createObject returned a capability that is not a MemoryObject")
    }

    /// Maps `size` bytes (rounded up to pages) of zeroed read-write memory
    /// as a [`Mapping`], which is unmapped when dropped.
    pub fn map_buffer(&self, size: u64) -> Result<Mapping<'_>, Error> {
        Mapping::new(self, size)
    }
}
