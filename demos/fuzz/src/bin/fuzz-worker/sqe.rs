//! Building one fuzzed SQE: a random one (any opcode, any field), or a
//! params message to a method of a capability the worker holds. Both end
//! in [`Fuzzer::sanitize`], which keeps the request from hurting the worker
//! itself or the serial log, whatever the random choices did.

use crate::arena::{Use, odd_len};
use crate::caps::{Kind, Target};
use crate::fuzzer::{Fuzzer, Meta};
use crate::params;
use crate::{net_params, pipe_params, terminal_params};
use alloc::vec::Vec;
use capos_abi::ipc::{MAX_XFER, RETURN_EXCEPTION, RETURN_OK, XFER_COPY, XFER_MOVE};
use capos_abi::layout::{RING_VADDR, USER_IMAGE_BASE, USER_SPACE_END};
use capos_abi::ring::{CQ_OFFSET, MAX_MESSAGE_BYTES, SQ_OFFSET, Sqe, op};
use capos_schema::{endpoint, interface_id as iid};

/// The interface every Endpoint this worker makes for itself serves.
pub const FUZZ_INTERFACE: u64 = 0x0f22_2e4d_0000_0001;

/// The kernel's interfaces, this worker's own and 0, in that order.
const INTERFACES: [u64; iid::ALL.len() + 2] = {
    let mut all = [0; iid::ALL.len() + 2];
    let mut i = 0;
    while i < iid::ALL.len() {
        all[i] = iid::ALL[i];
        i += 1;
    }
    all[iid::ALL.len()] = FUZZ_INTERFACE;
    all
};

/// A params message copied into the arena, kept to check what the kernel
/// will read.
pub struct Placed {
    addr: u64,
    bytes: Vec<u8>,
}

impl Fuzzer {
    /// A target for a request: usually one the worker holds.
    fn target(&mut self) -> (u32, Option<Target>) {
        match self.caps.pick(&mut self.rng) {
            Some(t) if self.rng.chance(6, 7) => (t.id, Some(t)),
            _ => {
                let id = self.caps.any_id(&mut self.rng);
                (id, self.caps.find(id))
            }
        }
    }

    fn interface_for(&mut self, target: Option<Target>) -> u64 {
        match target {
            Some(t) if self.rng.chance(9, 10) => t.interface,
            _ if self.rng.chance(1, 2) => *self.rng.pick(&INTERFACES),
            _ => self.rng.next_u64(),
        }
    }

    fn method_for(&mut self, kind: Option<Kind>) -> u16 {
        let n = kind.map_or(4, Kind::methods);
        match self.rng.below(10) {
            0 => self.rng.next_u32() as u16,
            1 => n + self.rng.below(3) as u16,
            _ => self.rng.below(u64::from(n)) as u16,
        }
    }

    /// Copies a message into the arena; bytes that never decode if the
    /// batch's region is full.
    fn place(&mut self, bytes: Vec<u8>) -> ((u64, u32), Option<Placed>) {
        match self.arena.place_params(&bytes) {
            Some((addr, len)) => ((addr, len), Some(Placed { addr, bytes })),
            None => (self.arena.garbage(&mut self.rng, bytes.len() as u32), None),
        }
    }

    /// A result buffer: usually a slot of the request's own, else a buffer
    /// of some address class.
    fn result_buffer(&mut self, meta: &mut Meta, big: bool) -> (u64, u32) {
        let spare_big = self.rng.chance(1, 32) && self.arena.big_free() > 1;
        if self.rng.chance(5, 6)
            && let Some(slot) = self
                .arena
                .take_slot(big || spare_big)
                .or_else(|| self.arena.take_slot(false))
        {
            meta.slot = Some(slot);
            // Sometimes too small for the result, to reach RESULT_TOO_SMALL,
            // or just around the least a method accepts. A CALL's result
            // buffer may not exceed the message limit; a RECV's may (it
            // also holds the header and records).
            let floor = meta.kind.and_then(|k| match (k, meta.method) {
                (Kind::UdpSocket, 1) => Some(net_params::recv_floor()),
                (Kind::Terminal, 0) => Some(terminal_params::read_floor()),
                _ => pipe_params::result_floor(k, meta.method),
            });
            let len = if self.rng.chance(1, 12) {
                self.rng.below(32) as u32
            } else if let Some(floor) = floor.filter(|_| self.rng.chance(1, 6)) {
                (floor - 8 + self.rng.below(17) as u32).min(slot.len)
            } else if meta.opcode == op::CALL {
                slot.len.min(MAX_MESSAGE_BYTES)
            } else {
                slot.len
            };
            return (slot.addr, len);
        }
        let header_ok = !meta.kind.is_some_and(Kind::completes_later);
        self.arena
            .odd_buffer(&mut self.rng, Use::Write { header_ok }, &self.caps.mappings)
    }

    /// Transfer descriptors in the arena (sometimes an odd address): ids to
    /// copy or move, in valid and invalid modes, in valid and invalid
    /// numbers.
    fn xfers(&mut self) -> (u64, u32) {
        let count = match self.rng.below(10) {
            0 => 0,
            1 => MAX_XFER + self.rng.range(0, 2) as u32,
            2 => self.rng.next_u32(),
            _ => self.rng.range(1, 3) as u32,
        };
        if self.rng.chance(1, 8) {
            let (addr, _) = self
                .arena
                .odd_buffer(&mut self.rng, Use::Read, &self.caps.mappings);
            return (addr, count);
        }
        let mut bytes = Vec::new();
        for _ in 0..count.min(MAX_XFER + 2) {
            let id = self.caps.transferable(&mut self.rng);
            let mode = match self.rng.below(10) {
                0..=4 => XFER_COPY,
                5..=8 if !self.caps.last_of_kind(id) => XFER_MOVE,
                5..=8 => XFER_COPY,
                _ => self.rng.next_u32(),
            };
            bytes.extend_from_slice(&id.to_le_bytes());
            bytes.extend_from_slice(&mode.to_le_bytes());
        }
        match self.arena.place_xfers(&bytes) {
            Some(addr) => (addr, count),
            None => (0, count),
        }
    }

    /// A params message to a method of a capability the worker holds.
    pub fn params_sqe(&mut self) -> (Sqe, Meta) {
        let (id, target) = match self.caps.pick(&mut self.rng) {
            Some(t) => (t.id, Some(t)),
            None => (self.caps.any_id(&mut self.rng), None),
        };
        let kind = target.map(|t| t.kind);
        if kind == Some(Kind::Owner) && !self.caps.received.is_empty() && self.rng.chance(1, 2) {
            let mut sqe = Sqe::nop(0);
            let meta = self.fill_return(&mut sqe, true);
            return (sqe, meta);
        }
        let mut meta = Meta::new(op::CALL);
        meta.cap_id = id;
        meta.kind = kind;
        meta.method = match kind {
            Some(k) if self.rng.chance(9, 10) => self.rng.below(u64::from(k.methods())) as u16,
            _ => self.method_for(kind),
        };
        let built = match kind {
            Some(Kind::Client) => params::server_payload(&mut self.rng, &self.caps),
            None => params::any_payload(&mut self.rng, &self.caps),
            Some(k) => params::build_for(&mut self.rng, k, meta.method, &self.caps),
        };
        let ((params_addr, params_len), placed) = self.place(built.bytes);
        let (result_addr, result_len) = self.result_buffer(&mut meta, built.big_result);
        let mut sqe = Sqe {
            opcode: op::CALL,
            method_id: meta.method,
            cap_id: id,
            params_addr,
            params_len,
            result_addr,
            result_len,
            interface_id: target.map_or(0, |t| t.interface),
            ..Sqe::nop(0)
        };
        if kind == Some(Kind::Client) && self.rng.chance(1, 5) {
            (sqe.xfer_addr, sqe.xfer_count) = self.xfers();
            meta.xfers = true;
        }
        self.sanitize(&mut sqe, &mut meta, placed.as_ref());
        (sqe, meta)
    }

    /// While flooding, an Endpoint.client call on an owner facet.
    pub fn flooding_sqe(&mut self) -> Option<(Sqe, Meta)> {
        if self.flooding == 0 {
            return None;
        }
        let owner = self.caps.pick_kind(&mut self.rng, Kind::Owner)?;
        let mut meta = Meta::new(op::CALL);
        meta.kind = Some(Kind::Owner);
        let words = capos_rt::message::build::<endpoint::client_params::Owned>(|_| {});
        let ((params_addr, params_len), placed) =
            self.place(capos_rt::message::as_bytes(&words).to_vec());
        let (result_addr, result_len) = self.result_buffer(&mut meta, false);
        let mut sqe = Sqe {
            opcode: op::CALL,
            cap_id: owner.id,
            params_addr,
            params_len,
            result_addr,
            result_len,
            interface_id: iid::ENDPOINT,
            ..Sqe::nop(0)
        };
        self.sanitize(&mut sqe, &mut meta, placed.as_ref());
        Some((sqe, meta))
    }

    /// A RETURN: of a call the worker received (mostly), with a message,
    /// an exception, or transfers.
    fn fill_return(&mut self, sqe: &mut Sqe, with_message: bool) -> Meta {
        let mut meta = Meta::new(op::RETURN);
        let received = self.caps.received.clone();
        let (owner, call_id) = if !received.is_empty() && self.rng.chance(4, 5) {
            let call = *self.rng.pick(&received);
            (call.owner, call.call_id)
        } else {
            let owner = self
                .caps
                .pick_kind(&mut self.rng, Kind::Owner)
                .map_or_else(|| self.caps.any_id(&mut self.rng), |t| t.id);
            (owner, self.rng.next_u32() >> self.rng.below(32))
        };
        let status = match self.rng.below(10) {
            0..=5 => RETURN_OK,
            6..=8 => RETURN_EXCEPTION,
            _ => self.rng.next_u32() as u16,
        };
        meta.cap_id = owner;
        meta.kind = self.caps.find(owner).map(|t| t.kind);
        meta.call_id = call_id;
        *sqe = Sqe {
            opcode: op::RETURN,
            method_id: status,
            cap_id: owner,
            call_id,
            interface_id: iid::ENDPOINT,
            ..Sqe::nop(0)
        };
        let mut placed = None;
        if with_message || self.rng.chance(4, 5) {
            let bytes =
                params::return_message(&mut self.rng, status == RETURN_EXCEPTION, &self.caps);
            ((sqe.params_addr, sqe.params_len), placed) = self.place(bytes);
        } else {
            (sqe.params_addr, sqe.params_len) =
                self.arena
                    .odd_buffer(&mut self.rng, Use::Read, &self.caps.mappings);
        }
        if self.rng.chance(1, 4) {
            (sqe.xfer_addr, sqe.xfer_count) = self.xfers();
            meta.xfers = true;
        }
        self.sanitize(sqe, &mut meta, placed.as_ref());
        meta
    }

    /// Any SQE: a random opcode (valid or not) with fields mostly right
    /// for it, then, often, a few fields broken.
    pub fn random_sqe(&mut self) -> (Sqe, Meta) {
        let mut weights = [8, 45, 12, 12, 8, 15];
        // Keep servers up with their clients, and answer what came in.
        if self.endpoint_calls > self.recvs + self.caps.received.len() as u32 {
            weights[2] = 40;
        }
        if !self.caps.received.is_empty() {
            weights[3] = 30;
        }
        // Too much in flight: release an owner facet, which cancels the
        // calls queued on its Endpoint if it was the last one, or a pipe
        // half, which ends the reads or writes waiting on the other.
        let crowded = self.inflight.len() >= 56 && self.rng.chance(1, 4);
        let opcode = match self.rng.weighted(&weights) {
            _ if crowded => op::RELEASE,
            0 => op::NOP,
            1 => op::CALL,
            2 => op::RECV,
            3 => op::RETURN,
            4 => op::RELEASE,
            _ => self.rng.range(5, 255) as u8,
        };
        let mut sqe = Sqe {
            opcode,
            ..Sqe::nop(0)
        };
        let mut meta = Meta::new(opcode);
        let mut placed = None;
        match opcode {
            op::NOP => {}
            op::CALL => {
                let (id, target) = self.target();
                meta.cap_id = id;
                meta.kind = target.map(|t| t.kind);
                meta.method = self.method_for(meta.kind);
                sqe.cap_id = id;
                sqe.method_id = meta.method;
                sqe.interface_id = self.interface_for(target);
                let mut big = false;
                if self.rng.chance(3, 4) {
                    let built = match meta.kind {
                        Some(Kind::Client) => params::server_payload(&mut self.rng, &self.caps),
                        Some(k) => params::build_for(&mut self.rng, k, meta.method, &self.caps),
                        None => params::any_payload(&mut self.rng, &self.caps),
                    };
                    big = built.big_result;
                    ((sqe.params_addr, sqe.params_len), placed) = self.place(built.bytes);
                } else {
                    (sqe.params_addr, sqe.params_len) =
                        self.arena
                            .odd_buffer(&mut self.rng, Use::Read, &self.caps.mappings);
                }
                (sqe.result_addr, sqe.result_len) = self.result_buffer(&mut meta, big);
                if meta.kind == Some(Kind::Client) && self.rng.chance(1, 3) {
                    (sqe.xfer_addr, sqe.xfer_count) = self.xfers();
                    meta.xfers = true;
                }
            }
            op::RECV => {
                let target = match self.caps.pick_kind(&mut self.rng, Kind::Owner) {
                    Some(t) if self.rng.chance(4, 5) => Some(t),
                    _ => self.target().1,
                };
                meta.cap_id = target.map_or_else(|| self.caps.any_id(&mut self.rng), |t| t.id);
                meta.kind = target.map(|t| t.kind);
                sqe.cap_id = meta.cap_id;
                sqe.interface_id = if self.rng.chance(9, 10) {
                    iid::ENDPOINT
                } else {
                    self.interface_for(target)
                };
                let big = self.rng.chance(1, 5) && self.arena.big_free() > 1;
                (sqe.result_addr, sqe.result_len) = self.result_buffer(&mut meta, big);
            }
            op::RETURN => {
                let meta = self.fill_return(&mut sqe, false);
                return self.broken(sqe, meta, None);
            }
            op::RELEASE => {
                let live = self.rng.chance(1, 6) || crowded;
                let kind = *self
                    .rng
                    .pick(&[Kind::Owner, Kind::PipeReader, Kind::PipeWriter]);
                let relief = self.caps.pick_kind(&mut self.rng, kind);
                let spare = self.caps.releasable(&mut self.rng);
                sqe.cap_id = match (crowded, relief, spare) {
                    (true, Some(t), _) => t.id,
                    (_, _, Some(t)) if live => t.id,
                    _ => self.caps.any_id(&mut self.rng) ^ 0x4000_0000,
                };
                meta.cap_id = sqe.cap_id;
                meta.kind = self.caps.find(sqe.cap_id).map(|t| t.kind);
            }
            _ => {
                sqe.cap_id = self.caps.any_id(&mut self.rng);
                sqe.method_id = self.rng.next_u32() as u16;
                (sqe.params_addr, sqe.params_len) =
                    self.arena
                        .odd_buffer(&mut self.rng, Use::Read, &self.caps.mappings);
                meta.cap_id = sqe.cap_id;
            }
        }
        self.broken(sqe, meta, placed)
    }

    /// Breaks a few fields of `sqe`, sometimes, then sanitizes it.
    fn broken(&mut self, mut sqe: Sqe, mut meta: Meta, placed: Option<Placed>) -> (Sqe, Meta) {
        if self.rng.chance(1, 3) {
            for _ in 0..self.rng.range(1, 3) {
                self.break_field(&mut sqe, &mut meta);
            }
        }
        self.sanitize(&mut sqe, &mut meta, placed.as_ref());
        (sqe, meta)
    }

    fn break_field(&mut self, sqe: &mut Sqe, meta: &mut Meta) {
        let mappings = &self.caps.mappings;
        match self.rng.below(12) {
            0 => sqe.flags = self.rng.range(1, 255) as u8,
            1 => sqe.call_id = self.rng.next_u32(),
            2 => sqe.xfer_count = self.rng.next_u32() >> self.rng.below(32),
            3 => {
                (sqe.xfer_addr, _) = self.arena.odd_buffer(&mut self.rng, Use::Read, mappings);
                meta.xfers = true;
            }
            4 => sqe.interface_id = *self.rng.pick(&INTERFACES),
            5 => sqe.method_id = self.rng.next_u32() as u16,
            6 => {
                (sqe.params_addr, sqe.params_len) =
                    self.arena.odd_buffer(&mut self.rng, Use::Read, mappings)
            }
            7 => {
                let header_ok = !meta.kind.is_some_and(Kind::completes_later);
                (sqe.result_addr, sqe.result_len) =
                    self.arena
                        .odd_buffer(&mut self.rng, Use::Write { header_ok }, mappings);
            }
            8 => {
                sqe.opcode = *self
                    .rng
                    .pick(&[op::NOP, op::CALL, op::RECV, op::RETURN, op::RELEASE])
            }
            9 => sqe.cap_id = self.caps.any_id(&mut self.rng),
            10 => sqe.params_len = odd_len(&mut self.rng),
            // Past its slot, into the rest of the arena or its guard page.
            _ => sqe.result_len = odd_len(&mut self.rng),
        }
    }

    /// The last word on an SQE, after every random choice:
    ///
    /// - it never names a protected capability;
    /// - a result that can land while the worker is outside cap_enter
    ///   never aims at the ring header or the SQ, and no result aims at a
    ///   slot it does not own, or beyond it into anything but the arena;
    /// - a CALL to a method that writes the log, unmaps or protects
    ///   memory, sleeps, allocates, spawns or makes a pipe carries params
    ///   the kernel will decode into something harmless and within
    ///   budget, or params it cannot decode at all.
    ///
    /// It also settles what the completion will need: the slot, the kind
    /// and method of the target, the VirtualMemory arguments.
    pub fn sanitize(&mut self, sqe: &mut Sqe, meta: &mut Meta, placed: Option<&Placed>) {
        sqe.cap_id = self.caps.scrub(sqe.cap_id);
        let target = self.caps.find(sqe.cap_id);
        meta.opcode = sqe.opcode;
        meta.cap_id = sqe.cap_id;
        meta.kind = target.map(|t| t.kind);
        meta.method = sqe.method_id;
        if meta.opcode != op::RETURN {
            meta.call_id = 0;
        }
        if let Some(slot) = meta.slot
            && slot.addr != sqe.result_addr
        {
            self.arena.give_back(slot);
            meta.slot = None;
        }
        // A later result must not land on the header, nor any on the SQ.
        let result_end = sqe
            .result_addr
            .saturating_add(u64::from(sqe.result_len).max(1));
        let hits = |lo: u64, hi: u64| sqe.result_addr < hi && lo < result_end;
        let header = hits(RING_VADDR, RING_VADDR + SQ_OFFSET as u64);
        let sq = hits(RING_VADDR + SQ_OFFSET as u64, RING_VADDR + CQ_OFFSET as u64);
        if sq || (header && meta.kind.is_some_and(Kind::completes_later)) {
            (sqe.result_addr, sqe.result_len) = self.arena.scratch();
        }
        let Some(target) = target else { return };
        let aimed = sqe.interface_id == target.interface || sqe.opcode == op::RELEASE;
        meta.counter = aimed
            .then(|| target.kind.counter(sqe.opcode, sqe.method_id))
            .flatten();
        if sqe.opcode != op::CALL || sqe.interface_id != target.interface {
            return; // only a CALL with the right interface reads its params
        }
        let kind = target.kind;
        if kind == Kind::Memory && sqe.method_id <= 2 {
            meta.vm = placed
                .and_then(|p| p.covering(sqe))
                .and_then(params::vm_args);
        }
        if !needs_check(kind, sqe.method_id) {
            return;
        }
        let halves =
            self.caps.all_of(Kind::PipeReader).len() + self.caps.all_of(Kind::PipeWriter).len();
        self.budget.pipes = u32::from(halves < PIPE_HALVES);
        let fine = match placed.and_then(|p| p.covering(sqe)) {
            Some(bytes) => params::check(
                kind,
                sqe.method_id,
                bytes,
                &mut self.budget,
                &self.protected,
            ),
            None => undecodable(sqe, self.arena.garbage_range()),
        };
        if !fine {
            let len = sqe.params_len.min(4096);
            (sqe.params_addr, sqe.params_len) = self.arena.garbage(&mut self.rng, len);
        }
    }
}

impl Placed {
    /// The bytes the kernel will read for `sqe`'s params, if they are all
    /// inside this message.
    fn covering(&self, sqe: &Sqe) -> Option<&[u8]> {
        let start = sqe.params_addr.checked_sub(self.addr)? as usize;
        let end = start.checked_add(sqe.params_len as usize)?;
        self.bytes.get(start..end)
    }
}

/// Pipe halves the worker holds at most before PipeFactory.create gets
/// params that never decode.
const PIPE_HALVES: usize = 10;

/// Methods whose params [`params::check`] must see.
fn needs_check(kind: Kind, method: u16) -> bool {
    kind.sensitive(method)
        || matches!(
            (kind, method),
            (Kind::Timer, 1 | 3 | 4)
                | (Kind::Spawner, 0)
                | (Kind::Memory, 0 | 3)
                | (Kind::PipeFactory, 0)
        )
}

/// True if the kernel cannot decode these params at all: an impossible
/// length, an address that is never mapped, or the never-decoding bytes.
fn undecodable(sqe: &Sqe, garbage: (u64, u64)) -> bool {
    let addr = sqe.params_addr;
    sqe.params_len == 0
        || !sqe.params_len.is_multiple_of(8)
        || sqe.params_len > MAX_MESSAGE_BYTES
        || !(USER_IMAGE_BASE..USER_SPACE_END).contains(&addr)
        || (garbage.0..garbage.1).contains(&addr)
}
