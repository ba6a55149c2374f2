//! The round: batches of fuzzed SQEs, cap_enter with fuzzed arguments,
//! completions drained after every entry (so the CQ never stays full),
//! and now and then a deliberately corrupted ring header or a bad system
//! call. What the completions bring (new capabilities, received calls,
//! mappings) feeds later requests.

use crate::arena::{Arena, Slot};
use crate::caps::{Caps, Kind, Received, Target};
use crate::params::Budget;
use crate::pipes::RoundPipes;
use crate::ring::{Ring, syscall};
use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use capos_abi::error::{
    APPLICATION_EXCEPTION, CANCELLED, INVALID_ARGUMENT, INVALID_CAP, NO_RESOURCES,
    RESULT_TOO_SMALL, STALE_CAP,
};
use capos_abi::ipc::{CQE_DELIVERED, MAX_XFER, pad8};
use capos_abi::layout::PAGE_SIZE;
use capos_abi::ring::{CQ_ENTRIES, Cqe, RingHeader, SQ_ENTRIES, Sqe, op};
use capos_abi::syscall::{SYS_CAP_ENTER, WAIT_FOREVER};
use capos_schema::{ExceptionType, cap_exception, memory_object, virtual_memory};
use core::mem::offset_of;
use fuzz_programs::rng::Rng;
use fuzz_programs::stats::{Page, Stats, phase};

/// Tags our user_data, so a CQE of something else is recognised.
const USER_DATA_TAG: u64 = 0xf022_0000_0000_0000;

/// What the worker remembers of a request until its CQE comes.
#[derive(Debug, Clone, Copy)]
pub struct Meta {
    pub opcode: u8,
    pub cap_id: u32,
    /// The target's kind, if the id is one the worker knows.
    pub kind: Option<Kind>,
    pub method: u16,
    pub call_id: u32,
    /// The result slot the request owns, if its result goes to one.
    pub slot: Option<Slot>,
    /// It carried transfer descriptors (whose ids an error may be about).
    pub xfers: bool,
    /// VirtualMemory map/unmap/protect: (address or hint, size).
    pub vm: Option<(u64, u64)>,
    /// The method counter it counts in, if it named a live capability
    /// with its interface.
    pub counter: Option<usize>,
}

impl Meta {
    pub fn new(opcode: u8) -> Self {
        Meta {
            opcode,
            cap_id: 0,
            kind: None,
            method: 0,
            call_id: 0,
            slot: None,
            xfers: false,
            vm: None,
            counter: None,
        }
    }
}

pub struct Fuzzer {
    pub rng: Rng,
    pub ring: Ring,
    pub arena: Arena,
    pub caps: Caps,
    pub budget: Budget,
    pub stats: Stats,
    pub page: Page,
    /// The worker's own mappings (arena, statistics page): never unmapped
    /// or protected by a fuzzed request.
    pub protected: Vec<(u64, u64)>,
    pub goal_sqes: u64,
    pub goal_params: u64,
    pub inflight: BTreeMap<u64, Meta>,
    next_user_data: u64,
    /// Endpoint CALLs and RECVs in flight, to keep servers and clients
    /// roughly matched so calls do not pile up for ever.
    pub endpoint_calls: u32,
    pub recvs: u32,
    /// Batches left during which completions are not read, so the CQ
    /// fills and the kernel holds the rest (see `batch`).
    holding: u32,
    /// Batches left that only make client facets, to fill the worker's
    /// capability table (see `batch`).
    pub flooding: u32,
    /// Set-up's pipes (see pipes.rs).
    pub pipes: RoundPipes,
}

/// What set-up hands the round.
pub struct Parts {
    pub ring: Ring,
    pub arena: Arena,
    pub caps: Caps,
    pub page: Page,
    pub protected: Vec<(u64, u64)>,
    pub stats: Stats,
    pub pipes: RoundPipes,
}

/// The worker's exit code when the control pipe's read did not end as it
/// must (see pipes.rs).
const PIPE_CHECK_FAILED: i64 = 3;

impl Fuzzer {
    /// A round from `seed`, of `goals.0` random SQEs and `goals.1` params
    /// messages.
    pub fn new(seed: u64, goals: (u64, u64), parts: Parts) -> Self {
        let Parts {
            ring,
            arena,
            caps,
            page,
            protected,
            stats,
            pipes,
        } = parts;
        let mut rng = Rng::new(seed);
        // One round in three may ask, once, for more than 16 MiB at a time
        // (up to its whole memory quota).
        let huge_allocs = u32::from(rng.chance(1, 3));
        Fuzzer {
            rng,
            ring,
            arena,
            caps,
            budget: Budget {
                spawns: 6,
                long_sleeps: 4,
                endless_sleeps: 2,
                big_allocs: 16,
                huge_allocs,
                pipes: 0,
                managers: 24,
            },
            stats,
            page,
            protected,
            goal_sqes: goals.0,
            goal_params: goals.1,
            inflight: BTreeMap::new(),
            next_user_data: 1,
            endpoint_calls: 0,
            recvs: 0,
            holding: 0,
            flooding: 0,
            pipes,
        }
    }

    /// Fuzzes until both goals are met, ends the pipes (see pipes.rs),
    /// then exits with everything still in flight.
    pub fn run(mut self) -> ! {
        self.stats.phase = phase::FUZZING;
        self.start_pipes();
        while self.stats.sqes < self.goal_sqes || self.stats.params < self.goal_params {
            self.batch();
        }
        self.stats.batch_len = 0;
        self.page.store(&self.stats);
        let pipes_ended = self.end_pipes();
        self.stats.phase = phase::DONE;
        self.page.store(&self.stats);
        capos_rt::syscall::exit(if pipes_ended { 0 } else { PIPE_CHECK_FAILED })
    }

    /// Tags `sqe`, pushes it and remembers `meta` until its completion;
    /// false (the slot given back) if the SQ is full.
    pub fn submit(&mut self, sqe: &mut Sqe, meta: Meta) -> bool {
        sqe.user_data = USER_DATA_TAG | self.next_user_data;
        self.next_user_data += 1;
        if !self.ring.push(sqe) {
            if let Some(slot) = meta.slot {
                self.arena.give_back(slot);
            }
            return false;
        }
        self.track(sqe.user_data, meta);
        true
    }

    fn batch(&mut self) {
        if self.ring.queued() == 0 {
            self.arena.reset_batch();
        }
        let want = match self.rng.below(8) {
            0 => SQ_ENTRIES,
            1..=3 => self.rng.range(1, 4) as u32,
            _ => self.rng.range(1, u64::from(SQ_ENTRIES)) as u32,
        };
        // Now and then a run of full batches that only make client facets,
        // so the capability table (256) fills up and whatever would add to
        // it (creations, transfers, RECVs bringing capabilities) is refused.
        if self.flooding == 0 && self.rng.chance(1, 1024) {
            self.flooding = self.rng.range(12, 24) as u32;
        }
        self.flooding = self.flooding.saturating_sub(1);
        let want = if self.flooding > 0 { SQ_ENTRIES } else { want };
        let n = want.min(self.ring.space());
        let mut pushed = 0;
        for i in 0..n as usize {
            let left_sqes = self.goal_sqes - self.stats.sqes.min(self.goal_sqes);
            let left_params = self.goal_params - self.stats.params.min(self.goal_params);
            if left_sqes + left_params == 0 {
                break;
            }
            let params = self.rng.below(left_sqes + left_params) >= left_sqes;
            let (mut sqe, meta) = match self.flooding_sqe() {
                Some(made) => made,
                None if params => self.params_sqe(),
                None => self.random_sqe(),
            };
            if !self.submit(&mut sqe, meta) {
                break; // cannot happen: n fits
            }
            self.stats.batch[i] = sqe;
            pushed = i + 1;
            if params {
                self.stats.params += 1;
            } else {
                self.stats.sqes += 1;
            }
        }
        self.stats.batch_len = pushed as u64;
        self.page.store(&self.stats);
        if self.rng.chance(1, 64) {
            self.trick();
        }
        // Now and then completions are left unread for a few batches: the
        // CQ fills, the kernel keeps the overflow and, past its limit,
        // stops taking SQEs. Holding ends early once the SQ is full.
        if self.holding == 0 && self.rng.chance(1, 128) {
            self.holding = self.rng.range(4, 12) as u32;
        }
        let (min, timeout) = if self.holding > 0 {
            (0, 0)
        } else {
            self.enter_args(pushed as u64)
        };
        let result = self.ring.enter(min, timeout);
        self.stats.enter(result);
        if self.holding > 0 && self.ring.space() > 0 {
            self.holding -= 1;
        } else {
            self.holding = 0;
            self.drain();
        }
    }

    fn track(&mut self, user_data: u64, meta: Meta) {
        match (meta.opcode, meta.kind) {
            (op::CALL, Some(Kind::Client)) => self.endpoint_calls += 1,
            (op::RECV, _) => self.recvs += 1,
            _ => {}
        }
        self.inflight.insert(user_data, meta);
    }

    /// min_complete and timeout for cap_enter: mostly a plain flush, often
    /// a short bounded wait, never a wait that could last for ever.
    fn enter_args(&mut self, batch: u64) -> (u64, u64) {
        let min = match self.rng.below(10) {
            0..=5 => 0,
            6..=8 => self.rng.range(1, batch.max(1)),
            _ => self.rng.below(u64::from(CQ_ENTRIES) + 1),
        };
        let timeout = match self.rng.below(40) {
            0..=33 => 0,
            34..=36 => self.rng.below(100_000),
            37 => self.rng.below(1_000_000),
            _ if min == 0 => WAIT_FOREVER,
            _ => 0,
        };
        (min, timeout)
    }

    /// Corrupts the ring header or calls the kernel badly, once; the next
    /// entry restores the header.
    fn trick(&mut self) {
        self.stats.ring_tricks += 1;
        let result = match self.rng.below(6) {
            // More SQEs claimed than the queue holds.
            0 => {
                let extra = SQ_ENTRIES - self.ring.queued() + self.rng.range(1, 1000) as u32;
                let extra = if self.rng.chance(1, 4) {
                    self.rng.next_u32().max(extra)
                } else {
                    extra
                };
                self.ring.enter_with_overrun(0, 0, extra)
            }
            // cq_head ahead of cq_tail, or too far behind it.
            1 => {
                let at = offset_of!(RingHeader, cq_head);
                let head = self.ring.load(at);
                let bad = if self.rng.chance(1, 2) {
                    head.wrapping_add(self.rng.range(CQ_ENTRIES as u64 + 1, 1 << 31) as u32)
                } else {
                    head.wrapping_sub(self.rng.range(1, 1 << 31) as u32)
                };
                self.ring.store(at, bad);
                syscall(SYS_CAP_ENTER, 0, 0)
            }
            // The kernel's own fields: it must ignore them and rewrite them.
            2 => {
                for field in [
                    offset_of!(RingHeader, sq_head),
                    offset_of!(RingHeader, cq_tail),
                    offset_of!(RingHeader, sq_entries),
                    offset_of!(RingHeader, cq_entries),
                    offset_of!(RingHeader, cq_overflow),
                ] {
                    if self.rng.chance(1, 2) {
                        self.ring.store(field, self.rng.next_u32());
                    }
                }
                let result = self.ring.enter(0, 0);
                self.ring
                    .store(offset_of!(RingHeader, sq_entries), SQ_ENTRIES);
                self.ring
                    .store(offset_of!(RingHeader, cq_entries), CQ_ENTRIES);
                result
            }
            // A system call that does not exist (0 is exit).
            3 => {
                let number = self.rng.range(2, u64::MAX - 1);
                syscall(number, self.rng.next_u64(), self.rng.next_u64())
            }
            // More completions than the CQ holds.
            4 => syscall(
                SYS_CAP_ENTER,
                u64::from(CQ_ENTRIES) + self.rng.range(1, u64::MAX / 2),
                self.rng.next_u64(),
            ),
            // Waiting for ever for more completions than can come: the
            // worker has fewer than that in flight, so the kernel has too.
            _ if self.inflight.len() < 100 => {
                syscall(SYS_CAP_ENTER, u64::from(CQ_ENTRIES), WAIT_FOREVER)
            }
            _ => self.ring.enter(0, 0),
        };
        self.stats.enter(result);
    }

    pub fn drain(&mut self) {
        while let Some(cqe) = self.ring.pop() {
            let Some(meta) = self.inflight.remove(&cqe.user_data) else {
                self.stats.foreign += 1;
                continue;
            };
            self.stats.completion(cqe.result);
            if let Some(i) = meta.counter {
                self.stats.calls[i] += 1;
                self.stats.succeeded[i] += u32::from(cqe.result >= 0);
                if cqe.result < 0 {
                    self.stats.last_error[i] = cqe.result;
                }
            }
            match (meta.opcode, meta.kind) {
                (op::CALL, Some(Kind::Client)) => {
                    self.endpoint_calls = self.endpoint_calls.saturating_sub(1)
                }
                (op::RECV, _) => self.recvs = self.recvs.saturating_sub(1),
                _ => {}
            }
            self.complete(&meta, &cqe);
            if let Some(slot) = meta.slot {
                self.arena.give_back(slot);
            }
        }
    }

    fn complete(&mut self, meta: &Meta, cqe: &Cqe) {
        match cqe.result {
            APPLICATION_EXCEPTION => self.exception(meta, cqe),
            STALE_CAP | INVALID_CAP if meta.opcode != op::NOP && !meta.xfers => {
                self.caps.gone(meta.cap_id)
            }
            _ => {}
        }
        match meta.opcode {
            op::RELEASE if cqe.result == 0 => self.caps.gone(meta.cap_id),
            op::RETURN
                if matches!(
                    cqe.result,
                    0 | INVALID_ARGUMENT | CANCELLED | RESULT_TOO_SMALL | NO_RESOURCES
                ) =>
            {
                self.caps.answered(meta.cap_id, meta.call_id)
            }
            op::RECV if cqe.result >= 0 => self.received(meta, cqe),
            op::CALL if cqe.result >= 0 => self.call_result(meta, cqe),
            _ => {}
        }
    }

    fn read_u32(&self, slot: &Slot, at: usize) -> Option<u32> {
        let mut bytes = [0; 4];
        self.arena
            .read_slot(slot, at, &mut bytes)
            .then(|| u32::from_le_bytes(bytes))
    }

    fn read_u64(&self, slot: &Slot, at: usize) -> Option<u64> {
        let mut bytes = [0; 8];
        self.arena
            .read_slot(slot, at, &mut bytes)
            .then(|| u64::from_le_bytes(bytes))
    }

    /// Adds the `count` capability records at `at` of the slot;
    /// `clients`: they are client facets, whatever interface they serve.
    fn records(&mut self, slot: &Slot, at: usize, count: u32, clients: bool) {
        if count > MAX_XFER {
            return;
        }
        for i in 0..count as usize {
            let record = at + i * 16;
            let (Some(id), Some(interface)) =
                (self.read_u32(slot, record), self.read_u64(slot, record + 8))
            else {
                return;
            };
            let kind = if clients {
                Kind::Client
            } else {
                Kind::of(interface)
            };
            self.caps.add(Target {
                id,
                interface,
                kind,
            });
        }
    }

    fn received(&mut self, meta: &Meta, cqe: &Cqe) {
        let Some(slot) = meta.slot else { return };
        let (Some(call_id), Some(counts), Some(params_len)) = (
            self.read_u32(&slot, 0),
            self.read_u32(&slot, 4),
            self.read_u32(&slot, 16),
        ) else {
            return;
        };
        let caps = counts >> 16;
        let at = 24 + pad8(params_len as usize);
        if at + caps as usize * 16 <= cqe.result as usize {
            self.records(&slot, at, caps, false);
        }
        self.caps.receive(Received {
            owner: meta.cap_id,
            call_id,
        });
    }

    fn call_result(&mut self, meta: &Meta, cqe: &Cqe) {
        let Some(slot) = meta.slot else { return };
        let message_len = cqe.result as usize;
        if cqe.flags & CQE_DELIVERED == 0 {
            let clients = meta.kind == Some(Kind::Owner) && meta.method == 0;
            self.records(&slot, pad8(message_len), cqe.flags, clients);
        }
        let mapped = match (meta.kind, meta.method) {
            (Some(Kind::Memory), 0) => self
                .read_result::<virtual_memory::map_results::Owned>(&slot, message_len, |r| {
                    r.get_addr()
                })
                .zip(meta.vm.map(|(_, size)| size.next_multiple_of(PAGE_SIZE))),
            (Some(Kind::Object), 1) => self
                .read_result::<memory_object::map_results::Owned>(&slot, message_len, |r| {
                    r.get_addr()
                })
                .map(|addr| (addr, PAGE_SIZE)),
            (Some(Kind::Memory), 1) => {
                if let Some((addr, size)) = meta.vm {
                    self.caps.unmapped(addr, size);
                }
                None
            }
            _ => None,
        };
        if let Some((addr, len)) = mapped {
            self.caps.mapped(addr, len);
        }
    }

    /// Reads the result message in a slot and extracts a value.
    fn read_result<T: capnp::traits::Owned>(
        &self,
        slot: &Slot,
        len: usize,
        read: impl FnOnce(T::Reader<'_>) -> u64,
    ) -> Option<u64> {
        // A result aimed at the CQ can overwrite a CQE's result field (its
        // user_data intact) after the kernel posted it: the length is
        // believed only as far as the slot goes.
        if len > slot.len as usize {
            return None;
        }
        let mut words = alloc::vec![0u64; len.div_ceil(8)];
        let bytes = &mut capos_rt::message::as_bytes_mut(&mut words)[..len];
        if !self.arena.read_slot(slot, 0, bytes) {
            return None;
        }
        let message = capos_rt::message::read(capos_rt::message::as_bytes(&words)).ok()?;
        Some(read(message.get_root::<T::Reader<'_>>().ok()?))
    }

    fn exception(&mut self, meta: &Meta, cqe: &Cqe) {
        let kind = match meta.slot {
            Some(slot) if cqe.aux == 0 => {
                // Exceptions are short; reading a whole big slot is slow.
                let len = (slot.len as usize).min(1024);
                self.read_result::<cap_exception::Owned>(&slot, len, |e| match e.get_type() {
                    Ok(ExceptionType::Failed) => 0,
                    Ok(ExceptionType::Overloaded) => 1,
                    Ok(ExceptionType::Disconnected) => 2,
                    Ok(ExceptionType::Unimplemented) => 3,
                    Err(_) => 4,
                })
            }
            _ => None,
        };
        self.stats.exceptions[kind.unwrap_or(4) as usize] += 1;
    }
}
