//! Kernel capability objects. Each file holds one interface; this module
//! holds what they share: the dispatch trait and reply encoding.

pub mod boot_package;
pub mod buffers;
pub mod console;
pub mod directory;
pub mod endpoint;
pub mod endpoint_factory;
pub mod entropy_source;
pub mod file;
pub mod hangup;
pub mod memory_object;
pub mod network_manager;
pub mod pipe;
pub mod pipe_factory;
pub mod process_forker;
pub mod process_handle;
pub mod process_spawner;
pub mod tcp;
pub mod terminal;
pub mod timer;
pub mod udp_socket;
pub mod virtual_memory;

use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;

use capnp::serialize::NoAllocSliceSegments;
use capos_schema::capos_capnp::ExceptionType;

use capos_lib::account::{Charge, Exhausted, Resource};

use crate::process::{ExitCell, PendingCall, Pid};
use crate::sched::Kernel;

/// What the allocator adds to an allocation at most (header, rounding);
/// charges add it per allocation so they are upper bounds.
pub const ALLOC_SLACK: usize = 32;

/// A decoded params message.
pub type Params<'a> = capnp::message::Reader<NoAllocSliceSegments<'a>>;

/// What a method hands back to the ring.
pub enum Reply {
    /// The serialized result message.
    Done(Vec<u8>),
    /// A result message of `message_len` bytes, padded to 8, followed by
    /// `caps` capability records (capos_abi::ipc::CapRecord) naming the
    /// capabilities the call put in the caller's table. The records let a
    /// runtime release them even if it abandoned the call.
    DoneCaps {
        bytes: Vec<u8>,
        message_len: usize,
        caps: usize,
    },
    /// The call completes later.
    Pending(Wait),
}

/// What a pending call waits for.
pub enum Wait {
    /// Monotonic deadline in nanoseconds.
    Until(u64),
    /// The exit of the process behind this cell.
    Exit(Arc<ExitCell>),
    /// An Endpoint holds the call and completes it.
    Taken,
    /// The caller's signal wait (Timer.signals), kept in its Process.
    Signals,
}

pub enum CallError {
    /// The method id is not part of the interface.
    InvalidMethod,
    /// The params do not decode as the method's params struct.
    Malformed,
    /// The method ran and failed.
    Exception(ExceptionType, String),
    /// The result buffer cannot hold the result (this many bytes); checked
    /// before a method with side effects acts, so nothing happened.
    ResultTooSmall(usize),
}

impl From<capnp::Error> for CallError {
    fn from(_: capnp::Error) -> Self {
        CallError::Malformed
    }
}

impl From<core::str::Utf8Error> for CallError {
    fn from(_: core::str::Utf8Error) -> Self {
        CallError::Malformed
    }
}

/// The context of one CALL: the kernel state and who is calling.
pub struct CallCtx<'a> {
    pub kernel: &'a mut Kernel,
    pub caller: Pid,
    /// The call itself, for a method that completes it later.
    pub call: PendingCall,
    /// Size of the caller's result buffer.
    pub result_capacity: u32,
}

pub trait CapObject: Send + Sync {
    /// The schema type id of the interface this object implements.
    fn interface_id(&self) -> u64;

    /// Whether the capability may be granted or sent to another process.
    fn transferable(&self) -> bool {
        true
    }

    fn call(&self, ctx: &mut CallCtx, method: u16, params: &Params) -> Result<Reply, CallError>;

    /// Whether a fork copies it into the child (process/fork.rs): what may
    /// be transferred, except an Endpoint's owner facet. A granted or
    /// moved owner facet serves in a process that chose to; a forked one
    /// would make a second copy of the same server code, and calls would
    /// split between two copies that each believe they are the server.
    fn forkable(&self) -> bool {
        self.transferable() && self.endpoint_owner().is_none()
    }

    /// The Endpoint behind an owner facet (RECV and RETURN go to it).
    fn endpoint_owner(&self) -> Option<&Arc<endpoint::Endpoint>> {
        None
    }

    /// The Endpoint behind a client facet (CALLs go to its server).
    fn endpoint_client(&self) -> Option<&Arc<endpoint::Endpoint>> {
        None
    }
}

impl CallCtx<'_> {
    /// Runs `store`, which keeps the current call to complete it later, as
    /// a quiet wait ([`PendingCall::quiet`]): a readiness wait, which
    /// reports and changes nothing.
    pub fn quiet_wait<W>(
        &mut self,
        store: impl FnOnce(&mut Self) -> Result<W, CallError>,
    ) -> Result<W, CallError> {
        self.call.quiet = true;
        let stored = store(self);
        match stored {
            Ok(_) => self.kernel.process(self.caller).quiet_waits += 1,
            Err(_) => self.call.quiet = false,
        }
        stored
    }

    /// Charges `bytes` of kernel heap (plus allocator slack) to the caller,
    /// for an object it makes the kernel create or keep.
    pub fn charge(&mut self, bytes: usize) -> Result<Charge, CallError> {
        self.kernel
            .process(self.caller)
            .account
            .charge(Resource::KernelHeap, (bytes + ALLOC_SLACK) as u64)
            .map_err(quota_exceeded)
    }
}

/// A method that could not map or allocate memory: `overloaded`, with
/// the reason (a quota, or physical memory).
impl From<crate::mem::paging::MapError> for CallError {
    fn from(e: crate::mem::paging::MapError) -> Self {
        CallError::Exception(ExceptionType::Overloaded, alloc::format!("{e}"))
    }
}

/// A method refused because the caller's quota cannot pay for it.
pub fn quota_exceeded(e: Exhausted) -> CallError {
    CallError::Exception(ExceptionType::Overloaded, alloc::format!("{e}"))
}

/// A zeroed buffer of `len` bytes, or `None` if the kernel heap cannot
/// give it: for buffers whose size a process chooses, so that running out
/// fails the call instead of the kernel.
pub fn try_zeroed(len: usize) -> Option<Vec<u8>> {
    let mut bytes = try_with_capacity(len)?;
    bytes.resize(len, 0);
    Some(bytes)
}

/// An empty buffer with room for `len` bytes, or `None` if the kernel
/// heap cannot give it (see [`try_zeroed`]).
pub fn try_with_capacity(len: usize) -> Option<Vec<u8>> {
    let mut bytes = Vec::new();
    bytes.try_reserve_exact(len).ok()?;
    Some(bytes)
}

/// Checks that a method which hands the caller a new capability can do so:
/// the result fits and the caller's table has room. Run before the method
/// acts, so it never creates something the caller cannot learn about.
pub fn check_cap_reply(
    ctx: &mut CallCtx,
    encode: &dyn Fn(u32) -> Vec<u8>,
) -> Result<(), CallError> {
    check_caps_reply(ctx, 1, &|ids| encode(ids[0]))
}

/// [`check_cap_reply`] for a method that hands back `count` capabilities;
/// `encode` gets their ids in order.
pub fn check_caps_reply(
    ctx: &mut CallCtx,
    count: usize,
    encode: &dyn Fn(&[u32]) -> Vec<u8>,
) -> Result<(), CallError> {
    let needed = capos_abi::ipc::reply_size(encode(&[0; MAX_REPLY_CAPS][..count]).len(), count);
    if needed > ctx.result_capacity as usize {
        return Err(CallError::ResultTooSmall(needed));
    }
    if ctx.kernel.process(ctx.caller).caps.room() < count {
        return Err(table_full());
    }
    Ok(())
}

/// Most capabilities one kernel method hands back.
const MAX_REPLY_CAPS: usize = 2;

fn table_full() -> CallError {
    CallError::Exception(ExceptionType::Overloaded, "capability table full".into())
}

/// Inserts `object` into the caller's table and replies with its id. Call
/// [`check_cap_reply`] first.
pub fn insert_cap_reply(
    ctx: &mut CallCtx,
    object: CapRef,
    encode: &dyn Fn(u32) -> Vec<u8>,
) -> Result<Reply, CallError> {
    insert_caps_reply(ctx, [object], &|ids| encode(ids[0]))
}

/// Inserts `objects` into the caller's table, in order, and replies with
/// their ids. Call [`check_caps_reply`] first.
pub fn insert_caps_reply<const N: usize>(
    ctx: &mut CallCtx,
    objects: [CapRef; N],
    encode: &dyn Fn(&[u32]) -> Vec<u8>,
) -> Result<Reply, CallError> {
    let mut ids = [0u32; N];
    let mut interface_ids = [0u64; N];
    let caps = &mut ctx.kernel.process(ctx.caller).caps;
    for (i, object) in objects.into_iter().enumerate() {
        #[cfg(feature = "leak-check-test")]
        leak_once(&object);
        interface_ids[i] = object.interface_id();
        match caps.insert(object, interface_ids[i]) {
            Ok(id) => ids[i] = id,
            Err(_) => {
                // Checked beforehand; should it still fail, take back what
                // went in so the caller holds nothing it cannot learn of.
                for &id in &ids[..i] {
                    let _ = caps.remove(id);
                }
                return Err(table_full());
            }
        }
    }
    let mut bytes = encode(&ids);
    let message_len = bytes.len();
    bytes.resize(capos_abi::ipc::pad8(message_len), 0);
    for (&id, &interface_id) in ids.iter().zip(&interface_ids) {
        push_record(&mut bytes, id, interface_id);
    }
    Ok(Reply::DoneCaps {
        bytes,
        message_len,
        caps: N,
    })
}

/// The deliberate leak of a `leak-check-test` build: one reference to the
/// first capability any process creates is never dropped.
#[cfg(feature = "leak-check-test")]
fn leak_once(object: &CapRef) {
    use core::sync::atomic::{AtomicBool, Ordering};
    static LEAKED: AtomicBool = AtomicBool::new(false);
    if !LEAKED.swap(true, Ordering::Relaxed) {
        crate::kprintln!("kernel: leak-check build: leaking one capability on purpose");
        core::mem::forget(object.clone());
    }
}

/// Appends a capos_abi::ipc::CapRecord.
pub fn push_record(bytes: &mut Vec<u8>, cap_id: u32, interface_id: u64) {
    bytes.extend_from_slice(&cap_id.to_le_bytes());
    bytes.extend_from_slice(&0u32.to_le_bytes());
    bytes.extend_from_slice(&interface_id.to_le_bytes());
}

/// Fills a `ResultCap` in a result struct.
pub fn set_result_cap(
    mut cap: capos_schema::capos_capnp::result_cap::Builder,
    id: u32,
    interface_id: u64,
) {
    cap.set_cap_id(id);
    cap.set_interface_id(interface_id);
}

pub type CapRef = Arc<dyn CapObject>;

pub use buffers::{encode, new_message};

/// The result message of a method whose results struct is empty.
pub fn empty_result() -> Vec<u8> {
    let mut message = new_message();
    // Every empty results struct encodes the same way.
    message.init_root::<capos_schema::capos_capnp::console::write_results::Builder>();
    encode(&message)
}

pub fn empty_reply() -> Reply {
    Reply::Done(empty_result())
}

/// A serialized `CapException`.
pub fn encode_exception(kind: ExceptionType, reason: &str) -> Vec<u8> {
    let mut message = new_message();
    let mut e = message.init_root::<capos_schema::capos_capnp::cap_exception::Builder>();
    e.set_type(kind);
    e.set_reason(reason);
    encode(&message)
}
