//! Anonymous memory mapped through VirtualMemory and used as a Rust slice,
//! for buffers larger than the initial heap.

use super::VirtualMemory;
use crate::error::{DecodeError, Error};
use crate::message;
use capos_abi::layout::{PAGE_SIZE, is_user_range};

/// A zeroed, read-write mapping owned by this value and unmapped when it
/// is dropped (or by [`Mapping::unmap`], which reports the outcome).
///
/// The range belongs to the mapping: unmapping it some other way (a
/// `VirtualMemory::unmap` covering it) while the mapping lives pulls the
/// memory from under the slices this hands out, like `munmap` would.
pub struct Mapping<'a> {
    vm: &'a VirtualMemory,
    addr: u64,
    /// Bytes, a whole number of pages.
    len: usize,
    unmapped: bool,
}

impl<'a> Mapping<'a> {
    /// Maps `size` bytes (rounded up to pages) of zeroed read-write memory.
    pub(super) fn new(vm: &'a VirtualMemory, size: u64) -> Result<Self, Error> {
        let len = size
            .checked_next_multiple_of(PAGE_SIZE)
            .and_then(|len| usize::try_from(len).ok())
            .ok_or(Error::Transport(capos_abi::error::INVALID_ARGUMENT))?;
        let addr = vm.map(0, len as u64, super::PROT_READ | super::PROT_WRITE)?;
        let mapping = Mapping {
            vm,
            addr,
            len,
            unmapped: false,
        };
        if addr == 0 || addr % PAGE_SIZE != 0 || !is_user_range(addr, len as u64) {
            // Not memory we can use; dropping the mapping unmaps whatever it is.
            return Err(Error::Decode(DecodeError::Contract(
                "map returned an unusable address",
            )));
        }
        Ok(mapping)
    }

    pub fn addr(&self) -> u64 {
        self.addr
    }

    /// The mapped bytes.
    pub fn bytes(&self) -> &[u8] {
        message::as_bytes(self.words())
    }

    pub fn bytes_mut(&mut self) -> &mut [u8] {
        message::as_bytes_mut(self.words_mut())
    }

    /// The mapped memory as words, 8-aligned as Cap'n Proto readers need.
    pub fn words(&self) -> &[u64] {
        // SAFETY: the kernel mapped `len` readable bytes at the page-aligned
        // `addr` (checked in `new`), for this process alone, and they stay
        // mapped until `self` unmaps them; the borrow of `self` keeps that
        // from happening while the slice lives.
        unsafe { core::slice::from_raw_parts(self.addr as *const u64, self.len / 8) }
    }

    pub fn words_mut(&mut self) -> &mut [u64] {
        // SAFETY: as in `words`, and the memory is writable; the exclusive
        // borrow of `self` makes this the only view.
        unsafe { core::slice::from_raw_parts_mut(self.addr as *mut u64, self.len / 8) }
    }

    /// Unmaps now and reports the kernel's answer.
    pub fn unmap(mut self) -> Result<(), Error> {
        self.unmapped = true;
        self.vm.unmap(self.addr, self.len as u64)
    }
}

impl Drop for Mapping<'_> {
    fn drop(&mut self) {
        if !self.unmapped {
            // Nothing to do about a failure: the pages stay until exit.
            let _ = self.vm.unmap(self.addr, self.len as u64);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cap::Cap;
    use crate::clients::Client;
    use crate::test_kernel::{Outcome, shared_ring};
    use capos_schema::virtual_memory;
    use std::alloc::{Layout, alloc_zeroed, dealloc};

    const MAP: u16 = 0;

    /// A VirtualMemory whose `map` answers `addr` and whose calls are logged.
    fn vm(
        addr: u64,
    ) -> (
        VirtualMemory,
        alloc::rc::Rc<core::cell::RefCell<crate::test_kernel::Log>>,
    ) {
        let (ring, log) = shared_ring(move |sqe, _| {
            let words = if sqe.method_id == MAP {
                message::build::<virtual_memory::map_results::Owned>(|mut r| r.set_addr(addr))
            } else {
                message::build::<virtual_memory::unmap_results::Owned>(|_| {})
            };
            Outcome::Reply(message::as_bytes(&words).to_vec())
        });
        (VirtualMemory::from_cap(Cap::new(0x1_0003, ring)), log)
    }

    #[test]
    fn mappings_are_slices_until_unmapped() {
        let layout = Layout::from_size_align(2 * PAGE_SIZE as usize, PAGE_SIZE as usize).unwrap();
        // SAFETY: a non-zero size.
        let memory = unsafe { alloc_zeroed(layout) };
        let (vm, log) = vm(memory as u64);
        let mut mapping = vm.map_buffer(4097).unwrap();
        assert_eq!(mapping.bytes().len(), 8192);
        mapping.bytes_mut()[8191] = 7;
        assert_eq!(mapping.words()[1023], 7 << 56);
        mapping.unmap().unwrap();
        {
            let log = log.borrow();
            let msg = message::read(&log.calls[1].1).unwrap();
            let p: virtual_memory::unmap_params::Reader = msg.get_root().unwrap();
            assert_eq!((p.get_addr(), p.get_size()), (memory as u64, 8192));
        }
        drop(vm.map_buffer(1).unwrap());
        assert_eq!(log.borrow().calls.len(), 4);
        // SAFETY: allocated above with this layout; no slice of it remains.
        unsafe { dealloc(memory, layout) };
    }

    #[test]
    fn unusable_addresses_are_refused_and_unmapped() {
        for addr in [0, 0x1234, capos_abi::layout::USER_SPACE_END] {
            let (vm, log) = vm(addr);
            assert!(matches!(
                vm.map_buffer(10),
                Err(Error::Decode(DecodeError::Contract(_)))
            ));
            assert_eq!(log.borrow().calls.len(), 2);
        }
        let (vm, _log) = vm(0x1000);
        assert_eq!(
            vm.map_buffer(u64::MAX).err(),
            Some(Error::Transport(capos_abi::error::INVALID_ARGUMENT))
        );
    }
}
