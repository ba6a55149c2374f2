//! VirtualMemory: `capos_vm_map`, `capos_vm_unmap`, `capos_vm_protect` of
//! anonymous, zeroed memory in this process's own address space.

use crate::error::{code, status};
use crate::ffi;
use crate::state::{self, State};
use core::ffi::c_void;

/// Protection bits (`capos_abi::vm`): combine with `|`. Writable and
/// executable together is refused (W^X).
pub const CAPOS_PROT_NONE: u32 = 0;
pub const CAPOS_PROT_READ: u32 = 1;
pub const CAPOS_PROT_WRITE: u32 = 2;
pub const CAPOS_PROT_EXEC: u32 = 4;

const _: () = {
    assert!(CAPOS_PROT_NONE == capos_abi::vm::PROT_NONE);
    assert!(CAPOS_PROT_READ == capos_abi::vm::PROT_READ);
    assert!(CAPOS_PROT_WRITE == capos_abi::vm::PROT_WRITE);
    assert!(CAPOS_PROT_EXEC == capos_abi::vm::PROT_EXEC);
};

impl State {
    pub fn vm_map(&self, vm: u32, hint: u64, size: u64, prot: u32) -> Result<u64, i32> {
        let vm = self.held.memory(vm)?;
        vm.map(hint, size, prot).map_err(|e| code(&e))
    }

    pub fn vm_unmap(&self, vm: u32, addr: u64, size: u64) -> Result<(), i32> {
        self.held
            .memory(vm)?
            .unmap(addr, size)
            .map_err(|e| code(&e))
    }

    pub fn vm_protect(&self, vm: u32, addr: u64, size: u64, prot: u32) -> Result<(), i32> {
        let vm = self.held.memory(vm)?;
        vm.protect(addr, size, prot).map_err(|e| code(&e))
    }
}

/// Maps `size` bytes (rounded up to whole pages) of zeroed memory with
/// protection `prot` through the VirtualMemory `vm`, at `hint` if that
/// range is free (NULL: anywhere), and stores the address at `out_addr`
/// (may be NULL). Returns 0, `CAPOS_E_NOT_HELD`, `CAPOS_E_WRONG_INTERFACE`
/// (not a VirtualMemory), `CAPOS_E_APPLICATION` (a size of 0 or over
/// 4 GiB, W^X, no memory left) or a transport code.
///
/// # Safety
/// `out_addr` must be NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn capos_vm_map(
    vm: u32,
    hint: *mut c_void,
    size: usize,
    prot: u32,
    out_addr: *mut *mut c_void,
) -> i32 {
    let mapped = state::with(|s| s.vm_map(vm, hint as u64, size as u64, prot));
    status(mapped.map(|addr| {
        // SAFETY: NULL or writable per the contract.
        unsafe { ffi::store(out_addr, addr as *mut c_void) }
    }))
}

/// Unmaps whatever is mapped in the page-aligned range `[addr, addr +
/// size)`. Returns as `capos_vm_map`.
#[unsafe(no_mangle)]
pub extern "C" fn capos_vm_unmap(vm: u32, addr: *mut c_void, size: usize) -> i32 {
    status(state::with(|s| s.vm_unmap(vm, addr as u64, size as u64)))
}

/// Changes the protection of the fully mapped, page-aligned range
/// `[addr, addr + size)` to `prot`. Returns as `capos_vm_map`.
#[unsafe(no_mangle)]
pub extern "C" fn capos_vm_protect(vm: u32, addr: *mut c_void, size: usize, prot: u32) -> i32 {
    status(state::with(|s| {
        s.vm_protect(vm, addr as u64, size as u64, prot)
    }))
}

#[cfg(test)]
mod tests {
    use crate::error::CAPOS_E_WRONG_INTERFACE;
    use crate::iface::{CAPOS_IFACE_TIMER, CAPOS_IFACE_VIRTUAL_MEMORY};
    use crate::test_kernel::{Outcome, TestEnv};
    use capos_rt::message;
    use capos_schema::virtual_memory;

    #[test]
    fn mappings_go_through_the_typed_client() {
        let caps = [
            ("memory", 0x1_0001, CAPOS_IFACE_VIRTUAL_MEMORY),
            ("timer", 0x1_0002, CAPOS_IFACE_TIMER),
        ];
        let mut env = TestEnv::new(&caps, |sqe, params| {
            let msg = message::read(params).unwrap();
            let words = match sqe.method_id {
                0 => {
                    let p: virtual_memory::map_params::Reader = msg.get_root().unwrap();
                    assert_eq!((p.get_size(), p.get_prot()), (8192, 3));
                    message::build::<virtual_memory::map_results::Owned>(|mut r| {
                        r.set_addr(0x10_0000_0000)
                    })
                }
                1 => message::build::<virtual_memory::unmap_results::Owned>(|_| {}),
                _ => message::build::<virtual_memory::protect_results::Owned>(|_| {}),
            };
            Outcome::Reply(message::as_bytes(&words).to_vec())
        });
        let mut s = env.state();
        let (vm, _) = s.capset_get(b"memory").unwrap();
        let (timer, _) = s.capset_get(b"timer").unwrap();
        let addr = s.vm_map(vm, 0, 8192, 3).unwrap();
        assert_eq!(addr, 0x10_0000_0000);
        assert_eq!(s.vm_protect(vm, addr, 4096, 1), Ok(()));
        assert_eq!(s.vm_unmap(vm, addr, 8192), Ok(()));
        assert_eq!(s.vm_map(timer, 0, 4096, 1), Err(CAPOS_E_WRONG_INTERFACE));
        assert_eq!(env.log.borrow().calls.len(), 3);
    }
}
