//! Bookkeeping of requests between submission and collection.
//!
//! Several requests can be in flight, and their CQEs arrive in any order,
//! usually while the program is waiting for some other request. Every CQE
//! reaped from the ring is filed here under its token until the owner
//! collects it, so no completion is lost and none is handed to the wrong
//! waiter.
//!
//! The buffers of a CALL live here too, not with the caller: the kernel may
//! write the result at any moment until the CQE is posted, so the memory
//! must outlive a caller that stops waiting. A detached request (owner
//! gone) keeps its buffers until its CQE arrives, then both are dropped;
//! capabilities its completion put in this process's table are collected
//! as orphans for the ring client to release.

use crate::message;
use crate::transfer;
use alloc::vec::Vec;
use capos_abi::ipc::XferDesc;
use capos_abi::ring::Cqe;

/// Identifies one submitted request: the SQE's `user_data`.
///
/// Deliberately neither `Clone` nor `Copy`: a completion is collected (or
/// abandoned) exactly once, by whoever holds the token.
#[derive(Debug, PartialEq, Eq)]
#[must_use = "a request's completion is kept until its token is collected or detached"]
pub struct Token(pub(crate) u64);

impl Token {
    /// The `user_data` the SQE and its CQE carry.
    pub fn user_data(&self) -> u64 {
        self.0
    }
}

/// Memory the kernel reads (params, transfer descriptors) or writes
/// (result) for one request. Words, not bytes, because Cap'n Proto
/// messages must be 8-byte aligned.
#[derive(Debug, Default)]
pub struct CallBuffers {
    pub params: Vec<u64>,
    pub result: Vec<u64>,
    pub xfers: Vec<XferDesc>,
}

/// A reaped CQE with the result buffer of its request.
#[derive(Debug)]
pub struct Completion {
    pub cqe: Cqe,
    /// The request's result buffer (empty for non-CALL requests).
    pub result: Vec<u64>,
    /// Position in the order CQEs were reaped (from 0): the order in which
    /// the kernel completed the requests.
    pub seq: u64,
}

struct InFlight {
    opcode: u8,
    buffers: CallBuffers,
    detached: bool,
}

/// A completion waiting for its owner, with what is needed to clean up
/// after it if the owner abandons it instead.
struct Ready {
    completion: Completion,
    opcode: u8,
    xfers: Vec<XferDesc>,
}

impl Ready {
    fn orphans(&self) -> Vec<u32> {
        let c = &self.completion;
        transfer::orphaned(
            self.opcode,
            &c.cqe,
            message::as_bytes(&c.result),
            &self.xfers,
        )
    }
}

enum State {
    /// Unused; the next free slot, if any.
    Free(Option<u32>),
    InFlight(InFlight),
    Ready(Ready),
}

struct Slot {
    /// Bumped each time the slot is freed, so a token (and a CQE's
    /// `user_data`) of an earlier use never matches the current one.
    generation: u32,
    state: State,
}

/// Requests by token, in a slab: a token is its slot's index (low 32 bits)
/// and generation (high 32 bits, never 0, so `user_data` 0 never matches).
/// Slots are reused, so once the program's most requests in flight have
/// been allocated, tracking a request allocates nothing.
#[derive(Default)]
pub struct Completions {
    slots: Vec<Slot>,
    free: Option<u32>,
    in_flight: usize,
    reaped: u64,
    /// Capability ids abandoned completions left in this process's table.
    orphans: Vec<u32>,
}

fn token_of(index: u32, generation: u32) -> u64 {
    (u64::from(generation) << 32) | u64::from(index)
}

impl Completions {
    /// The token the next [`Completions::track`] will return, so the SQE
    /// can carry it before it is tracked.
    pub fn next_token(&self) -> u64 {
        match self.free {
            Some(index) => token_of(index, self.slots[index as usize].generation),
            None => token_of(self.slots.len() as u32, 1),
        }
    }

    /// Records a submitted request of `opcode` and keeps its buffers alive;
    /// returns its token, which is what [`Completions::next_token`] said.
    #[inline]
    pub fn track(&mut self, opcode: u8, buffers: CallBuffers) -> Token {
        let request = State::InFlight(InFlight {
            opcode,
            buffers,
            detached: false,
        });
        self.in_flight += 1;
        match self.free {
            Some(index) => {
                let slot = &mut self.slots[index as usize];
                let State::Free(next) = core::mem::replace(&mut slot.state, request) else {
                    unreachable!("the free list holds only free slots");
                };
                self.free = next;
                Token(token_of(index, slot.generation))
            }
            None => {
                self.slots.push(Slot {
                    generation: 1,
                    state: request,
                });
                Token(token_of(self.slots.len() as u32 - 1, 1))
            }
        }
    }

    /// The slot a token or `user_data` names, if it is that use of it.
    fn slot(&mut self, user_data: u64) -> Option<&mut Slot> {
        let (index, generation) = (user_data as u32, (user_data >> 32) as u32);
        self.slots
            .get_mut(index as usize)
            .filter(|slot| slot.generation == generation)
    }

    fn release(&mut self, user_data: u64) {
        let index = user_data as u32;
        let slot = &mut self.slots[index as usize];
        slot.generation = slot.generation.checked_add(1).unwrap_or(1);
        slot.state = State::Free(self.free);
        self.free = Some(index);
    }

    /// Files a reaped CQE. Returns false for a CQE nobody submitted through
    /// this table (such as the panic handler's), which is dropped.
    #[inline]
    pub fn complete(&mut self, cqe: Cqe) -> bool {
        let seq = self.reaped;
        let Some(slot) = self
            .slot(cqe.user_data)
            .filter(|s| matches!(s.state, State::InFlight(_)))
        else {
            return false;
        };
        let State::InFlight(request) = core::mem::replace(&mut slot.state, State::Free(None))
        else {
            unreachable!("checked just above");
        };
        let ready = Ready {
            completion: Completion {
                cqe,
                result: request.buffers.result,
                seq,
            },
            opcode: request.opcode,
            xfers: request.buffers.xfers,
        };
        if request.detached {
            self.orphans.extend(ready.orphans());
            self.release(cqe.user_data);
        } else {
            slot.state = State::Ready(ready);
        }
        self.reaped += 1;
        self.in_flight -= 1;
        true
    }

    /// Collects a completion, or gives the token back if it is not there yet.
    pub fn take(&mut self, token: Token) -> Result<Completion, Token> {
        let Some(slot) = self
            .slot(token.0)
            .filter(|s| matches!(s.state, State::Ready(_)))
        else {
            return Err(token);
        };
        let State::Ready(ready) = core::mem::replace(&mut slot.state, State::Free(None)) else {
            unreachable!("checked just above");
        };
        self.release(token.0);
        Ok(ready.completion)
    }

    pub fn is_ready(&self, token: &Token) -> bool {
        let (index, generation) = (token.0 as u32, (token.0 >> 32) as u32);
        self.slots
            .get(index as usize)
            .is_some_and(|s| s.generation == generation && matches!(s.state, State::Ready(_)))
    }

    /// Abandons a request: its completion, now or later, is dropped, and
    /// the capabilities it brought become orphans.
    pub fn detach(&mut self, token: Token) {
        let Some(slot) = self.slot(token.0) else {
            return;
        };
        match &mut slot.state {
            State::InFlight(request) => request.detached = true,
            State::Ready(ready) => {
                let orphans = ready.orphans();
                self.release(token.0);
                self.orphans.extend(orphans);
            }
            State::Free(_) => {}
        }
    }

    /// Takes the ids of the capabilities abandoned completions left behind.
    pub fn take_orphans(&mut self) -> Vec<u32> {
        core::mem::take(&mut self.orphans)
    }

    /// Requests submitted and not completed yet.
    pub fn in_flight(&self) -> usize {
        self.in_flight
    }

    /// Drops every request in flight, as if none had been submitted: for a
    /// forked child, whose copy of this table lists the parent's requests,
    /// whose completions only the parent gets. Their tokens no longer match.
    pub fn forget_in_flight(&mut self) {
        for index in 0..self.slots.len() {
            if matches!(self.slots[index].state, State::InFlight(_)) {
                let generation = self.slots[index].generation;
                self.release(token_of(index as u32, generation));
            }
        }
        self.in_flight = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;
    use capos_abi::ipc::XFER_MOVE;
    use capos_abi::ring::op;

    fn cqe(user_data: u64, result: i32) -> Cqe {
        Cqe {
            user_data,
            result,
            ..Cqe::default()
        }
    }

    #[test]
    fn out_of_order_completions_reach_their_owners() {
        let mut c = Completions::default();
        let buffers = CallBuffers {
            params: vec![0; 2],
            result: vec![7; 3],
            xfers: Vec::new(),
        };
        assert_eq!(c.next_token(), 1 << 32);
        let a = c.track(op::CALL, buffers);
        let b = c.track(op::NOP, CallBuffers::default());
        assert!(c.complete(cqe(b.user_data(), 0)));
        let a = c.take(a).unwrap_err();
        assert!(c.complete(cqe(a.user_data(), 5)));
        assert_eq!(c.in_flight(), 0);
        let got_a = c.take(a).unwrap();
        assert_eq!((got_a.cqe.result, got_a.result.len(), got_a.seq), (5, 3, 1));
        assert_eq!(c.take(b).unwrap().seq, 0);
    }

    #[test]
    fn detached_requests_are_dropped_on_arrival_or_at_once() {
        let mut c = Completions::default();
        let a = c.track(op::NOP, CallBuffers::default());
        let b = c.track(op::NOP, CallBuffers::default());
        let (a_data, b_data) = (a.user_data(), b.user_data());
        c.detach(a);
        assert!(c.complete(cqe(a_data, 0)));
        assert!(!c.is_ready(&Token(a_data)));
        assert!(c.complete(cqe(b_data, 0)));
        assert!(c.is_ready(&b));
        c.detach(b);
        assert!(!c.is_ready(&Token(b_data)));
    }

    #[test]
    fn abandoned_transfers_leave_orphans_to_release() {
        let mut c = Completions::default();
        let moved = CallBuffers {
            xfers: vec![XferDesc {
                cap_id: 0x1_0003,
                mode: XFER_MOVE,
            }],
            ..CallBuffers::default()
        };
        let a = c.track(op::CALL, moved);
        let b = c.track(op::RETURN, CallBuffers::default());
        let (a_data, b_data) = (a.user_data(), b.user_data());
        // Refused, so the move came back; abandoned before it arrived.
        c.detach(a);
        assert!(c.complete(cqe(a_data, capos_abi::error::NO_RESOURCES)));
        assert_eq!(c.take_orphans(), [0x1_0003]);
        // Abandoned after it arrived: nothing was moved, nothing is left.
        assert!(c.complete(cqe(b_data, 0)));
        c.detach(b);
        assert_eq!(c.take_orphans(), []);
    }

    #[test]
    fn unknown_completions_are_ignored() {
        let mut c = Completions::default();
        assert!(!c.complete(cqe(u64::MAX, 0)));
        assert!(c.take(Token(u64::MAX)).is_err());
        assert!(!c.complete(cqe(0, 0)));
    }

    #[test]
    fn a_reused_slot_never_matches_an_old_token_or_cqe() {
        let mut c = Completions::default();
        let a = c.track(op::NOP, CallBuffers::default());
        let old = a.user_data();
        assert!(c.complete(cqe(old, 0)));
        assert!(c.take(a).is_ok());
        let b = c.track(op::NOP, CallBuffers::default());
        assert_eq!(b.user_data() as u32, old as u32, "the slot is reused");
        assert_ne!(b.user_data(), old);
        // A stray CQE with the old user_data, and a second CQE for b.
        assert!(!c.complete(cqe(old, 0)));
        assert!(c.complete(cqe(b.user_data(), 0)));
        assert!(!c.complete(cqe(b.user_data(), 0)), "already ready");
        assert!(c.take(Token(old)).is_err());
        assert!(c.take(b).is_ok());
        assert_eq!(c.in_flight(), 0);
    }

    #[test]
    fn forgotten_requests_never_complete_and_free_their_slots() {
        let mut c = Completions::default();
        let waiting = c.track(op::CALL, CallBuffers::default());
        let done = c.track(op::CALL, CallBuffers::default());
        assert!(c.complete(cqe(done.0, 0)));
        c.forget_in_flight();
        assert_eq!(c.in_flight(), 0);
        // The forgotten request's completion, should one come, is unknown.
        assert!(!c.complete(cqe(waiting.0, 0)));
        assert!(c.take(done).is_ok());
        let again = c.track(op::CALL, CallBuffers::default());
        assert_ne!(again.0, waiting.0);
    }
}
