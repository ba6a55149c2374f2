//! MemoryObject: frames that several processes can map.
//!
//! The frames live in a [`SharedFrames`], shared by every capability to the
//! object and every mapping of it; they are freed when the last of those
//! goes (release, unmap or exit), so no process can pull memory out from
//! under another.

use alloc::sync::Arc;
use alloc::vec::Vec;

use capnp::message::Builder;
use capos_abi::layout::PAGE_SIZE;
use capos_schema::capos_capnp::memory_object;
use capos_schema::interface_id;

use super::virtual_memory::{map_range, perms};
use super::{CallCtx, CallError, CapObject, Params, Reply, encode};
use crate::mem::frames;

pub struct SharedFrames {
    pub phys: Vec<u64>,
}

impl SharedFrames {
    /// `pages` zeroed frames, or `None` (and nothing kept) if memory runs out.
    pub fn allocate(pages: u64) -> Option<Arc<Self>> {
        let mut shared = SharedFrames { phys: Vec::new() };
        for _ in 0..pages {
            // On failure, dropping `shared` frees what was allocated.
            shared.phys.push(frames::alloc_zeroed(1)?);
        }
        Some(Arc::new(shared))
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
pub struct SharedMapping {
    pub end: u64,
    /// Held so the frames outlive every mapping of them.
    pub _frames: Arc<SharedFrames>,
    /// Pages of the mapping not yet unmapped.
    pub pages_left: u64,
}

pub struct MemoryObject {
    frames: Arc<SharedFrames>,
}

impl MemoryObject {
    pub fn new(frames: Arc<SharedFrames>) -> Self {
        MemoryObject { frames }
    }
}

impl CapObject for MemoryObject {
    fn interface_id(&self) -> u64 {
        interface_id::MEMORY_OBJECT
    }

    fn call(&self, ctx: &mut CallCtx, method: u16, params: &Params) -> Result<Reply, CallError> {
        let mut message = Builder::new_default();
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
