//! VirtualMemory: anonymous memory in the caller's own address space.
//!
//! The capability is the right to allocate; it always acts on whoever calls
//! it, so granting it to a child lets the child map its own memory, never
//! the parent's. Out of frames is an `overloaded` exception and leaves
//! nothing half-mapped.

use alloc::format;
use alloc::sync::Arc;
use alloc::vec::Vec;

use capos_abi::layout::PAGE_SIZE;
use capos_abi::vm::{MAX_MAP_SIZE, PROT_EXEC, PROT_READ, PROT_WRITE, VM_BASE, VM_LIMIT};
use capos_schema::ExceptionType;
use capos_schema::capos_capnp::virtual_memory;
use capos_schema::interface_id;

use super::memory_object::{MemoryObject, SharedFrames, SharedMapping};
use super::{
    CallCtx, CallError, CapObject, CapRef, Params, Reply, check_cap_reply, empty_reply, encode,
    insert_cap_reply, new_message, quota_exceeded, set_result_cap,
};
use crate::mem::paging::{MapError, Perms};
use crate::process::Process;

pub struct VirtualMemory;

fn failed(reason: alloc::string::String) -> CallError {
    CallError::Exception(ExceptionType::Failed, reason)
}

pub fn perms(prot: u32) -> Result<Perms, CallError> {
    if prot & !(PROT_READ | PROT_WRITE | PROT_EXEC) != 0 {
        return Err(failed(format!("unknown protection bits {prot:#x}")));
    }
    if prot & PROT_WRITE != 0 && prot & PROT_EXEC != 0 {
        return Err(failed(
            "writable and executable together is refused (W^X)".into(),
        ));
    }
    Ok(Perms {
        accessible: prot != 0,
        writable: prot & PROT_WRITE != 0,
        executable: prot & PROT_EXEC != 0,
    })
}

/// Checks a page-aligned range inside the mapping region; returns its length.
fn range(addr: u64, size: u64) -> Result<u64, CallError> {
    // Checked: a size near u64::MAX would otherwise round up to 0.
    let len = size.checked_next_multiple_of(PAGE_SIZE);
    let inside = addr >= VM_BASE
        && len
            .and_then(|len| addr.checked_add(len))
            .is_some_and(|end| end <= VM_LIMIT);
    let Some(len) = len.filter(|_| addr.is_multiple_of(PAGE_SIZE) && size != 0 && inside) else {
        return Err(failed(format!(
            "range {addr:#x}+{size:#x} is not a page-aligned, non-empty range inside {VM_BASE:#x}..{VM_LIMIT:#x}"
        )));
    };
    Ok(len)
}

/// Maps `len` bytes (a page multiple) at a free range near `hint`: fresh
/// zeroed frames, or the frames of a MemoryObject. Nothing stays mapped if
/// it fails.
pub fn map_range(
    p: &mut Process,
    hint: u64,
    len: u64,
    perms: Perms,
    object: Option<&Arc<SharedFrames>>,
) -> Result<u64, CallError> {
    let hint = hint & !(PAGE_SIZE - 1);
    let addr = p.vm.find_free(hint, len).ok_or_else(|| {
        CallError::Exception(ExceptionType::Overloaded, "no free range that large".into())
    })?;
    // The new range's entry (and, for an object, its mapping record).
    p.reserve_vm_entries(if object.is_some() { 2 } else { 1 })
        .map_err(quota_exceeded)?;
    let map = |p: &mut Process| match object {
        None => p.aspace.map_zeroed(addr, len / PAGE_SIZE, perms),
        Some(frames) => frames.phys.iter().enumerate().try_for_each(|(i, &frame)| {
            p.aspace
                .map_borrowed(addr + i as u64 * PAGE_SIZE, frame, 1, perms)
        }),
    };
    let undo = |p: &mut Process| {
        for page in (addr..addr + len).step_by(PAGE_SIZE as usize) {
            p.aspace.unmap_page(page);
        }
    };
    let mut result = map(p);
    // Page tables emptied by earlier unmaps are kept until the quota needs
    // them; then they go, and the map is tried once more.
    if let Err(MapError::Quota(_)) = result {
        undo(p);
        if p.aspace.reclaim_empty_tables() > 0 {
            result = map(p);
        }
    }
    if let Err(e) = result {
        undo(p);
        p.aspace.reclaim_empty_tables();
        p.settle_vm_charge();
        return Err(e.into());
    }
    p.vm.insert(addr, len);
    if let Some(frames) = object {
        p.shared.insert(
            addr,
            SharedMapping {
                end: addr + len,
                frames: frames.clone(),
                pages_left: len / PAGE_SIZE,
            },
        );
    }
    Ok(addr)
}

/// Checks a requested size and returns it rounded up to pages.
pub fn map_len(size: u64) -> Result<u64, CallError> {
    if size == 0 || size > MAX_MAP_SIZE {
        return Err(failed(format!(
            "size {size:#x} must be 1..={MAX_MAP_SIZE:#x} bytes"
        )));
    }
    Ok(size.div_ceil(PAGE_SIZE) * PAGE_SIZE)
}

fn encode_object(id: u32) -> Vec<u8> {
    let mut message = new_message();
    let results = message.init_root::<virtual_memory::create_object_results::Builder>();
    set_result_cap(results.init_object(), id, interface_id::MEMORY_OBJECT);
    encode(&message)
}

impl CapObject for VirtualMemory {
    fn interface_id(&self) -> u64 {
        interface_id::VIRTUAL_MEMORY
    }

    fn call(&self, ctx: &mut CallCtx, method: u16, params: &Params) -> Result<Reply, CallError> {
        let p = ctx.kernel.process(ctx.caller);
        match method {
            0 => {
                let a: virtual_memory::map_params::Reader = params.get_root()?;
                let perms = perms(a.get_prot())?;
                let addr = map_range(p, a.get_hint(), map_len(a.get_size())?, perms, None)?;
                let mut message = new_message();
                message
                    .init_root::<virtual_memory::map_results::Builder>()
                    .set_addr(addr);
                Ok(Reply::Done(encode(&message)))
            }
            1 => {
                let a: virtual_memory::unmap_params::Reader = params.get_root()?;
                let len = range(a.get_addr(), a.get_size())?;
                // Only a hole in the middle of a range adds a record: any
                // other unmap can always go through, quota full or not.
                if p.vm.splits(a.get_addr(), len) {
                    p.reserve_vm_entries(1).map_err(quota_exceeded)?;
                }
                p.unmap_vm(a.get_addr(), len);
                p.settle_vm_charge();
                Ok(empty_reply())
            }
            2 => {
                let a: virtual_memory::protect_params::Reader = params.get_root()?;
                let perms = perms(a.get_prot())?;
                let len = range(a.get_addr(), a.get_size())?;
                if !p.vm.covers(a.get_addr(), len) {
                    return Err(failed("protect: part of the range is not mapped".into()));
                }
                for page in (a.get_addr()..a.get_addr() + len).step_by(PAGE_SIZE as usize) {
                    // Covered by vm, so every page is mapped.
                    let _ = p.aspace.protect_page(page, perms);
                }
                Ok(empty_reply())
            }
            3 => {
                let a: virtual_memory::create_object_params::Reader = params.get_root()?;
                let len = map_len(a.get_size())?;
                check_cap_reply(ctx, &encode_object)?;
                let charge = ctx.charge(size_of::<MemoryObject>() + 16)?;
                let account = ctx.kernel.process(ctx.caller).account.clone();
                let frames = SharedFrames::allocate(&account, len / PAGE_SIZE)?;
                let object: CapRef = Arc::new(MemoryObject::new(frames, charge));
                insert_cap_reply(ctx, object, &encode_object)
            }
            _ => Err(CallError::InvalidMethod),
        }
    }
}
