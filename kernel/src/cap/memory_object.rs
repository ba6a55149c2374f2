//! MemoryObject: frames that several processes can map.
//!
//! The frames live in a [`SharedFrames`], shared by every capability to the
//! object and every mapping of it; they are freed when the last of those
//! goes (release, unmap or exit), so no process can pull memory out from
//! under another.

use alloc::sync::Arc;
use alloc::vec::Vec;

use capos_abi::layout::PAGE_SIZE;
use capos_lib::account::{Account, Charge, Resource};
use capos_schema::capos_capnp::memory_object;
use capos_schema::interface_id;

use super::virtual_memory::{map_range, perms};
use super::{
    ALLOC_SLACK, CallCtx, CallError, CapObject, Params, Reply, encode, new_message, quota_exceeded,
};
use crate::mem::frames;
use crate::mem::paging::MapError;

pub struct SharedFrames {
    pub phys: Vec<u64>,
    /// The creator pays for the frames and for this list of them, for as
    /// long as any capability or mapping keeps them.
    _frames: Charge,
    _heap: Charge,
}

impl SharedFrames {
    /// `pages` zeroed frames charged to `account`; nothing is kept if the
    /// quota or memory runs out.
    pub fn allocate(account: &Arc<Account>, pages: u64) -> Result<Arc<Self>, CallError> {
        let heap = account
            .charge(
                Resource::KernelHeap,
                size_of::<SharedFrames>() as u64 + 16 + pages * 8 + 2 * ALLOC_SLACK as u64,
            )
            .map_err(quota_exceeded)?;
        let frames_charge = account
            .charge(Resource::Frames, pages)
            .map_err(quota_exceeded)?;
        let mut phys = Vec::new();
        phys.try_reserve_exact(pages as usize)
            .map_err(|_| out_of_memory())?;
        let mut shared = SharedFrames {
            phys,
            _frames: frames_charge,
            _heap: heap,
        };
        for _ in 0..pages {
            // On failure, dropping `shared` frees what was allocated.
            shared
                .phys
                .push(frames::alloc_zeroed(1).ok_or_else(out_of_memory)?);
        }
        Ok(Arc::new(shared))
    }

    pub fn size(&self) -> u64 {
        self.phys.len() as u64 * PAGE_SIZE
    }
}

impl Drop for SharedFrames {
    fn drop(&mut self) {
        for &frame in &self.phys {
            frames::free(frame);
        }
    }
}

/// Where a process mapped an object; kept so the frames outlive the mapping.
#[derive(Clone)]
pub struct SharedMapping {
    pub end: u64,
    /// Held so the frames outlive every mapping of them.
    pub frames: Arc<SharedFrames>,
    /// Pages of the mapping not yet unmapped.
    pub pages_left: u64,
}

fn out_of_memory() -> CallError {
    MapError::OutOfMemory.into()
}

pub struct MemoryObject {
    frames: Arc<SharedFrames>,
    /// Whoever made this capability pays for it (the frames are paid for
    /// in [`SharedFrames`]).
    _charge: Charge,
}

impl MemoryObject {
    pub fn new(frames: Arc<SharedFrames>, charge: Charge) -> Self {
        MemoryObject {
            frames,
            _charge: charge,
        }
    }
}

impl CapObject for MemoryObject {
    fn interface_id(&self) -> u64 {
        interface_id::MEMORY_OBJECT
    }

    fn call(&self, ctx: &mut CallCtx, method: u16, params: &Params) -> Result<Reply, CallError> {
        let mut message = new_message();
        match method {
            0 => {
                let _: memory_object::size_params::Reader = params.get_root()?;
                message
                    .init_root::<memory_object::size_results::Builder>()
                    .set_bytes(self.frames.size());
            }
            1 => {
                let p: memory_object::map_params::Reader = params.get_root()?;
                let perms = perms(p.get_prot())?;
                let caller = ctx.kernel.process(ctx.caller);
                let addr = map_range(
                    caller,
                    p.get_hint(),
                    self.frames.size(),
                    perms,
                    Some(&self.frames),
                )?;
                message
                    .init_root::<memory_object::map_results::Builder>()
                    .set_addr(addr);
            }
            _ => return Err(CallError::InvalidMethod),
        }
        Ok(Reply::Done(encode(&message)))
    }
}
