//! Endpoint: synchronous calls between processes, with capability transfer.
//!
//! An Endpoint has two facets. The owner facet's holders take calls with
//! RECV and answer them with RETURN; the client facet can only CALL.
//! Calls queue until a RECV takes them and RECVs queue until a call comes.
//! A call received but not yet returned is "in flight"; the caller's CQE is
//! posted at RETURN. The ring ABI is in capos-abi/src/ipc.rs.
//!
//! Transfers: a COPY clones the sender's entry; a MOVE reserves the
//! sender's slot when the message is built and commits it only when the
//! receiver's table holds the capability, or rolls it back when delivery
//! fails. When the last owner facet goes (released, or its holders exited)
//! the Endpoint closes: queued and in-flight callers get CANCELLED and
//! moved capabilities go back to their senders.

use alloc::collections::{BTreeMap, VecDeque};
use alloc::sync::{Arc, Weak};
use alloc::vec::Vec;

use capos_abi::error;
use capos_abi::ipc::{
    CapRecord, MAX_ENDPOINT_QUEUE, MAX_XFER, RETURN_EXCEPTION, RETURN_OK, RecvHeader, XFER_COPY,
    XFER_MOVE, XferDesc, pad8,
};
use capos_abi::ring::{MAX_MESSAGE_BYTES, Sqe};
use capos_lib::account::{Charge, Resource};
use capos_lib::cap_table::{CapId, Entry};
use capos_schema::capos_capnp::endpoint as endpoint_schema;
use capos_schema::interface_id;
use spin::Mutex;

use super::hangup::{self, Hangup};
use super::{
    ALLOC_SLACK, CallCtx, CallError, CapObject, CapRef, Params, Reply, Wait, check_cap_reply,
    encode, insert_cap_reply, new_message, push_record, set_result_cap,
};
use crate::process::{PendingCall, Pid};
use crate::ring::{Completion, cap_error, check_result_buffer, complete};
use crate::sched::Kernel;

/// A capability travelling in a message.
struct Travelling {
    entry: Entry<CapRef>,
    /// For a MOVE, the sender's reserved slot.
    moved_from: Option<(Pid, CapId)>,
}

struct Message {
    call_id: u32,
    caller: PendingCall,
    method_id: u16,
    params: Vec<u8>,
    caps: Vec<Travelling>,
    /// The caller pays for the message while it is queued, and for its
    /// in-flight record once received (see [`IN_FLIGHT_BYTES`]).
    charge: Charge,
}

/// A received call's record while the server holds it. Its charge stays
/// with the caller's account even if the caller dies first, so a server
/// that never answers holds its callers' quotas, not the kernel's memory.
struct InFlight {
    caller: PendingCall,
    receiver: Pid,
    _charge: Charge,
}

/// Heap an in-flight record takes (its share of the tree).
const IN_FLIGHT_BYTES: u64 = 2 * size_of::<(u32, InFlight)>() as u64 + ALLOC_SLACK as u64;

/// Heap a queued message holds besides its params: itself (twice, for the
/// queue's growth), its transfer list and the allocations' slack.
fn message_overhead(xfer_count: u32) -> usize {
    2 * size_of::<Message>() + xfer_count as usize * size_of::<Travelling>() + 3 * ALLOC_SLACK
}

#[derive(Default)]
struct State {
    closed: bool,
    queue: VecDeque<Message>,
    receivers: VecDeque<PendingCall>,
    /// call id -> (caller, the process that received it)
    in_flight: BTreeMap<u32, InFlight>,
    next_call_id: u32,
}

pub struct Endpoint {
    /// The interface callers name; the server implements it.
    served: u64,
    state: Mutex<State>,
    /// Its creator pays for the Endpoint, its first owner facet and its
    /// place in the kernel's list of Endpoints.
    _charge: Charge,
}

/// Queue slots an Endpoint keeps even when idle, so that a call and its
/// RECV do not allocate and free the queues every time.
const QUEUE_FLOOR: usize = 4;

/// The heap [`Endpoint::new`]'s caller must charge: the Endpoint, its
/// first owner facet, its idle queue slots and its place in the kernel's
/// list of Endpoints.
pub const ENDPOINT_BYTES: usize = size_of::<Endpoint>()
    + size_of::<EndpointOwner>()
    + QUEUE_FLOOR * (size_of::<Message>() + size_of::<PendingCall>())
    + 2 * size_of::<Weak<Endpoint>>()
    + 5 * ALLOC_SLACK;

impl Endpoint {
    pub fn new(served: u64, charge: Charge) -> Arc<Self> {
        Arc::new(Endpoint {
            served,
            state: Mutex::new(State {
                queue: VecDeque::with_capacity(QUEUE_FLOOR),
                receivers: VecDeque::with_capacity(QUEUE_FLOOR),
                ..State::default()
            }),
            _charge: charge,
        })
    }
}

/// A queue left empty gives back what it grew beyond its idle slots: that
/// was paid for by calls that are gone.
fn shrink_if_empty<T>(queue: &mut VecDeque<T>) {
    if queue.is_empty() && queue.capacity() > QUEUE_FLOOR {
        queue.shrink_to(QUEUE_FLOOR);
    }
}

pub struct EndpointOwner {
    endpoint: Arc<Endpoint>,
}

impl EndpointOwner {
    pub fn new(endpoint: Arc<Endpoint>) -> Self {
        EndpointOwner { endpoint }
    }
}

// Copies of an owner facet share this object (tables hold `Arc`s), so it is
// dropped exactly when the last owner facet is.
impl Drop for EndpointOwner {
    fn drop(&mut self) {
        hangup::defer(self.endpoint.clone());
    }
}

pub struct EndpointClient {
    endpoint: Arc<Endpoint>,
    _charge: Charge,
}

fn encode_client(id: u32, served: u64) -> Vec<u8> {
    let mut message = new_message();
    let results = message.init_root::<endpoint_schema::client_results::Builder>();
    set_result_cap(results.init_client(), id, served);
    encode(&message)
}

impl CapObject for EndpointOwner {
    fn interface_id(&self) -> u64 {
        interface_id::ENDPOINT
    }

    fn call(&self, ctx: &mut CallCtx, method: u16, params: &Params) -> Result<Reply, CallError> {
        if method != 0 {
            return Err(CallError::InvalidMethod);
        }
        let _: endpoint_schema::client_params::Reader = params.get_root()?;
        let served = self.endpoint.served;
        let encode = |id| encode_client(id, served);
        check_cap_reply(ctx, &encode)?;
        let charge = ctx.charge(size_of::<EndpointClient>() + 16)?;
        let client: CapRef = Arc::new(EndpointClient {
            endpoint: self.endpoint.clone(),
            _charge: charge,
        });
        insert_cap_reply(ctx, client, &encode)
    }

    fn endpoint_owner(&self) -> Option<&Arc<Endpoint>> {
        Some(&self.endpoint)
    }
}

impl CapObject for EndpointClient {
    fn interface_id(&self) -> u64 {
        self.endpoint.served
    }

    /// Never reached: the ring sends CALLs on a client facet to [`call`].
    fn call(&self, _: &mut CallCtx, _: u16, _: &Params) -> Result<Reply, CallError> {
        Err(CallError::InvalidMethod)
    }

    fn endpoint_client(&self) -> Option<&Arc<Endpoint>> {
        Some(&self.endpoint)
    }
}

/// Reads `len` bytes of user memory of `pid`.
fn read_user(k: &mut Kernel, pid: Pid, addr: u64, len: u32) -> Result<Vec<u8>, Completion> {
    if len > MAX_MESSAGE_BYTES {
        return Err(Completion::error(error::MESSAGE_TOO_LARGE));
    }
    let mut bytes =
        super::buffers::take(len as usize).ok_or(Completion::error(error::NO_RESOURCES))?;
    bytes.resize(len as usize, 0);
    k.process(pid)
        .aspace
        .copy_from_user(addr, &mut bytes)
        .map_err(|_| Completion::error(error::BAD_ADDRESS))?;
    Ok(bytes)
}

/// Puts travelling capabilities back: moves return to their reserved slots
/// (if the sender still exists), copies are dropped.
fn roll_back(k: &mut Kernel, caps: Vec<Travelling>) {
    for cap in caps {
        if let Some((pid, id)) = cap.moved_from
            && let Some(p) = k.try_process(pid)
        {
            let _ = p.caps.rollback(id, cap.entry);
        }
    }
}

/// Takes the capabilities an SQE transfers out of the sender's table.
fn take_transfers(k: &mut Kernel, pid: Pid, sqe: &Sqe) -> Result<Vec<Travelling>, Completion> {
    if sqe.xfer_count == 0 {
        return if sqe.xfer_addr == 0 {
            Ok(Vec::new())
        } else {
            Err(Completion::error(error::INVALID_SQE))
        };
    }
    if sqe.xfer_count > MAX_XFER {
        return Err(Completion::error(error::INVALID_SQE));
    }
    // At most MAX_XFER descriptors: read onto the stack, not the heap.
    let mut raw = [0u8; MAX_XFER as usize * size_of::<XferDesc>()];
    let raw = &mut raw[..sqe.xfer_count as usize * size_of::<XferDesc>()];
    k.process(pid)
        .aspace
        .copy_from_user(sqe.xfer_addr, raw)
        .map_err(|_| Completion::error(error::BAD_ADDRESS))?;
    let descs: Vec<XferDesc> = raw
        .chunks_exact(size_of::<XferDesc>())
        .map(|c| XferDesc {
            cap_id: u32::from_le_bytes([c[0], c[1], c[2], c[3]]),
            mode: u32::from_le_bytes([c[4], c[5], c[6], c[7]]),
        })
        .collect();
    let mut taken: Vec<Travelling> = Vec::new();
    for d in descs {
        let caps = &mut k.process(pid).caps;
        let outcome = match caps.get(d.cap_id) {
            Err(e) => Err(cap_error(e)),
            Ok(entry) if !entry.object.transferable() => Err(error::NOT_TRANSFERABLE),
            Ok(entry) if d.mode == XFER_COPY => Ok(Travelling {
                entry: entry.clone(),
                moved_from: None,
            }),
            Ok(_) if d.mode == XFER_MOVE => caps
                .reserve(d.cap_id)
                .map(|entry| Travelling {
                    entry,
                    moved_from: Some((pid, d.cap_id)),
                })
                .map_err(cap_error),
            Ok(_) => Err(error::INVALID_SQE),
        };
        match outcome {
            Ok(cap) => taken.push(cap),
            Err(code) => {
                roll_back(k, taken);
                return Err(Completion::error(code));
            }
        }
    }
    Ok(taken)
}

/// Inserts travelling capabilities into `pid`'s table and commits their
/// moves; returns the records the receiver reads. The caller checked room.
fn hand_over(k: &mut Kernel, pid: Pid, caps: Vec<Travelling>) -> Vec<CapRecord> {
    let mut records = Vec::new();
    for cap in caps {
        let interface_id = cap.entry.interface_id;
        let Ok(id) = k.process(pid).caps.insert(cap.entry.object, interface_id) else {
            continue; // room was checked; nothing else inserts meanwhile
        };
        if let Some((from, slot)) = cap.moved_from
            && let Some(sender) = k.try_process(from)
        {
            let _ = sender.caps.commit(slot);
        }
        records.push(CapRecord {
            cap_id: id,
            _reserved: 0,
            interface_id,
        });
    }
    records
}

fn push_records(bytes: &mut Vec<u8>, records: &[CapRecord]) {
    for r in records {
        push_record(bytes, r.cap_id, r.interface_id);
    }
}

/// CALL on a client facet.
pub fn call(
    k: &mut Kernel,
    call: PendingCall,
    sqe: &Sqe,
    endpoint: &Arc<Endpoint>,
) -> Result<Reply, Completion> {
    let endpoint = endpoint.clone();
    check_result_buffer(k.process(call.pid), sqe)?;
    if sqe.params_len > MAX_MESSAGE_BYTES {
        return Err(Completion::error(error::MESSAGE_TOO_LARGE));
    }
    if sqe.xfer_count > MAX_XFER {
        return Err(Completion::error(error::INVALID_SQE));
    }
    // Charged before anything is allocated for the message.
    let charge = k
        .process(call.pid)
        .account
        .charge(
            Resource::KernelHeap,
            (sqe.params_len as usize + message_overhead(sqe.xfer_count)) as u64,
        )
        .map_err(|_| Completion::error(error::NO_RESOURCES))?;
    let params = read_user(k, call.pid, sqe.params_addr, sqe.params_len)?;
    let caps = take_transfers(k, call.pid, sqe)?;
    let refused = {
        let state = endpoint.state.lock();
        if state.closed {
            Some(error::CANCELLED)
        } else if state.queue.len() >= MAX_ENDPOINT_QUEUE {
            Some(error::NO_RESOURCES)
        } else {
            None
        }
    };
    if let Some(code) = refused {
        roll_back(k, caps);
        return Err(Completion::error(code));
    }
    {
        let mut state = endpoint.state.lock();
        let call_id = state.next_call_id;
        state.next_call_id = state.next_call_id.wrapping_add(1);
        state.queue.push_back(Message {
            call_id,
            caller: call,
            method_id: sqe.method_id,
            params,
            caps,
            charge,
        });
    }
    deliver(k, &endpoint);
    Ok(Reply::Pending(Wait::Taken))
}

/// RECV on an owner facet.
pub fn recv(
    k: &mut Kernel,
    call: PendingCall,
    sqe: &Sqe,
    endpoint: &Arc<Endpoint>,
) -> Result<Reply, Completion> {
    let endpoint = endpoint.clone();
    check_result_buffer(k.process(call.pid), sqe)?;
    endpoint.state.lock().receivers.push_back(call);
    deliver(k, &endpoint);
    Ok(Reply::Pending(Wait::Taken))
}

/// Matches queued calls with waiting receivers.
fn deliver(k: &mut Kernel, endpoint: &Arc<Endpoint>) {
    loop {
        let (receiver, message, mut bytes) = {
            let mut state = endpoint.state.lock();
            if state.queue.is_empty() {
                return;
            }
            let Some(receiver) = state.receivers.pop_front() else {
                return;
            };
            if k.try_process(receiver.pid).is_none() {
                continue; // it exited while waiting
            }
            let front = state.queue.front().expect("queue is not empty");
            if k.try_process(front.caller.pid).is_none() {
                // Its caller exited: nobody waits for the answer.
                let message = state.queue.pop_front().expect("queue is not empty");
                state.receivers.push_front(receiver);
                drop(state);
                roll_back(k, message.caps);
                continue;
            }
            let needed = capos_abi::ipc::recv_size(front.params.len(), front.caps.len());
            if needed > receiver.result_len as usize {
                // The call stays queued for a RECV with a larger buffer.
                drop(state);
                complete(
                    k,
                    receiver,
                    Completion::error_aux(error::RESULT_TOO_SMALL, needed as u64),
                );
                continue;
            }
            if k.process(receiver.pid).caps.room() < front.caps.len() {
                let message = state.queue.pop_front().expect("queue is not empty");
                state.receivers.push_front(receiver);
                drop(state);
                roll_back(k, message.caps);
                complete(k, message.caller, Completion::error(error::NO_RESOURCES));
                continue;
            }
            // The receiver's copy is the kernel's own transient buffer; the
            // heap may still refuse it, and then the call fails, not the kernel.
            let buffer = super::buffers::take(needed);
            let message = state.queue.pop_front().expect("queue is not empty");
            shrink_if_empty(&mut state.queue);
            let Some(buffer) = buffer else {
                state.receivers.push_front(receiver);
                drop(state);
                roll_back(k, message.caps);
                complete(k, message.caller, Completion::error(error::NO_RESOURCES));
                continue;
            };
            shrink_if_empty(&mut state.receivers);
            let Message {
                call_id,
                caller,
                method_id,
                params,
                caps,
                mut charge,
            } = message;
            // A shrink, which cannot fail: the message cost more.
            let _ = charge.resize(IN_FLIGHT_BYTES.min(charge.amount()));
            state.in_flight.insert(
                call_id,
                InFlight {
                    caller,
                    receiver: receiver.pid,
                    _charge: charge,
                },
            );
            (receiver, (call_id, method_id, params, caps), buffer)
        };
        let (call_id, method_id, params, caps) = message;
        let records = hand_over(k, receiver.pid, caps);
        let header = RecvHeader {
            call_id,
            method_id,
            cap_count: records.len() as u16,
            interface_id: endpoint.served,
            params_len: params.len() as u32,
            _reserved: 0,
        };
        bytes.extend_from_slice(&header.call_id.to_le_bytes());
        bytes.extend_from_slice(&header.method_id.to_le_bytes());
        bytes.extend_from_slice(&header.cap_count.to_le_bytes());
        bytes.extend_from_slice(&header.interface_id.to_le_bytes());
        bytes.extend_from_slice(&header.params_len.to_le_bytes());
        bytes.extend_from_slice(&header._reserved.to_le_bytes());
        bytes.extend_from_slice(&params);
        bytes.resize(size_of::<RecvHeader>() + pad8(params.len()), 0);
        super::buffers::give_back(params);
        push_records(&mut bytes, &records);
        complete(k, receiver, Completion::reply(bytes));
    }
}

/// RETURN on an owner facet.
pub fn ret(
    k: &mut Kernel,
    call: PendingCall,
    sqe: &Sqe,
    endpoint: &Arc<Endpoint>,
) -> Result<Reply, Completion> {
    let endpoint = endpoint.clone();
    if !matches!(sqe.method_id, RETURN_OK | RETURN_EXCEPTION)
        || (sqe.method_id == RETURN_EXCEPTION && sqe.xfer_count != 0)
    {
        return Err(Completion::error(error::INVALID_SQE));
    }
    // Only the process that received a call answers it.
    if endpoint
        .state
        .lock()
        .in_flight
        .get(&sqe.call_id)
        .is_none_or(|f| f.receiver != call.pid)
    {
        return Err(Completion::error(error::INVALID_ARGUMENT));
    }
    let message = read_user(k, call.pid, sqe.params_addr, sqe.params_len)?;
    let caps = take_transfers(k, call.pid, sqe)?;
    let Some(InFlight { caller, .. }) = endpoint.state.lock().in_flight.remove(&sqe.call_id) else {
        roll_back(k, caps);
        return Err(Completion::error(error::INVALID_ARGUMENT));
    };
    let Some(caller_process) = k.try_process(caller.pid) else {
        roll_back(k, caps);
        return Err(Completion::error(error::CANCELLED));
    };
    if sqe.method_id == RETURN_EXCEPTION {
        complete(k, caller, Completion::exception(message));
        return Ok(Reply::Done(Vec::new()));
    }
    let needed = capos_abi::ipc::reply_size(message.len(), caps.len());
    let refused = if needed > caller.result_len as usize {
        Some(Completion::error_aux(
            error::RESULT_TOO_SMALL,
            needed as u64,
        ))
    } else if caller_process.caps.room() < caps.len() {
        Some(Completion::error(error::NO_RESOURCES))
    } else {
        None
    };
    if let Some(outcome) = refused {
        let code = outcome.code();
        roll_back(k, caps);
        complete(k, caller, outcome.delivered());
        return Err(Completion::error(code));
    }
    let records = hand_over(k, caller.pid, caps);
    let message_len = message.len();
    let mut bytes = message;
    bytes.resize(pad8(message_len), 0);
    push_records(&mut bytes, &records);
    complete(
        k,
        caller,
        Completion::endpoint_reply(bytes, message_len, records.len()),
    );
    Ok(Reply::Done(Vec::new()))
}

impl Kernel {
    pub fn register_endpoint(&mut self, endpoint: &Arc<Endpoint>) {
        self.endpoints.retain(|w| w.strong_count() > 0);
        self.endpoints.push(Arc::downgrade(endpoint));
    }

    /// A process ended: its queued calls and waiting RECVs go (the kernel
    /// memory they hold was paid for by it), and calls it received and
    /// never returned are cancelled.
    pub fn forget_endpoint_calls_of(&mut self, pid: Pid) {
        self.endpoints.retain(|w| w.strong_count() > 0);
        let live: Vec<Arc<Endpoint>> = self.endpoints.iter().filter_map(Weak::upgrade).collect();
        for endpoint in live {
            let (orphans, cancelled) = {
                let mut state = endpoint.state.lock();
                state.receivers.retain(|r| r.pid != pid);
                shrink_if_empty(&mut state.receivers);
                let mut orphans = Vec::new();
                let mut kept = VecDeque::new();
                for message in core::mem::take(&mut state.queue) {
                    if message.caller.pid == pid {
                        orphans.push(message);
                    } else {
                        kept.push_back(message);
                    }
                }
                state.queue = kept;
                let ids: Vec<u32> = state
                    .in_flight
                    .iter()
                    .filter(|(_, f)| f.receiver == pid)
                    .map(|(&id, _)| id)
                    .collect();
                let cancelled: Vec<PendingCall> = ids
                    .iter()
                    .filter_map(|id| state.in_flight.remove(id))
                    .map(|f| f.caller)
                    .collect();
                (orphans, cancelled)
            };
            for message in orphans {
                roll_back(self, message.caps);
            }
            for caller in cancelled {
                complete(
                    self,
                    caller,
                    Completion::error(error::CANCELLED).delivered(),
                );
            }
        }
    }
}

/// Closing an Endpoint whose last owner facet is gone: its queued and
/// in-flight calls and its waiting receivers are cancelled.
impl Hangup for Endpoint {
    fn hang_up(&self, k: &mut Kernel) {
        let (queue, in_flight, receivers) = {
            let mut state = self.state.lock();
            state.closed = true;
            (
                core::mem::take(&mut state.queue),
                core::mem::take(&mut state.in_flight),
                core::mem::take(&mut state.receivers),
            )
        };
        for message in queue {
            roll_back(k, message.caps);
            complete(k, message.caller, Completion::error(error::CANCELLED));
        }
        for InFlight { caller, .. } in in_flight.into_values() {
            complete(k, caller, Completion::error(error::CANCELLED).delivered());
        }
        for receiver in receivers {
            complete(k, receiver, Completion::error(error::CANCELLED));
        }
    }
}
