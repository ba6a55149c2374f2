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
use alloc::collections::BTreeMap;
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

#[derive(Default)]
pub struct Completions {
    in_flight: BTreeMap<u64, InFlight>,
    ready: BTreeMap<u64, Ready>,
    reaped: u64,
    /// Capability ids abandoned completions left in this process's table.
    orphans: Vec<u32>,
}

impl Completions {
    /// Records a submitted request of `opcode` and keeps its buffers alive.
    pub fn track(&mut self, token: &Token, opcode: u8, buffers: CallBuffers) {
        let entry = InFlight {
            opcode,
            buffers,
            detached: false,
        };
        self.in_flight.insert(token.0, entry);
    }

    /// Files a reaped CQE. Returns false for a CQE nobody submitted through
    /// this table (such as the panic handler's), which is dropped.
    pub fn complete(&mut self, cqe: Cqe) -> bool {
        let Some(request) = self.in_flight.remove(&cqe.user_data) else {
            return false;
        };
        let seq = self.reaped;
        self.reaped += 1;
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
        } else {
            self.ready.insert(cqe.user_data, ready);
        }
        true
    }

    /// Collects a completion, or gives the token back if it is not there yet.
    pub fn take(&mut self, token: Token) -> Result<Completion, Token> {
        match self.ready.remove(&token.0) {
            Some(ready) => Ok(ready.completion),
            None => Err(token),
        }
    }

    pub fn is_ready(&self, token: &Token) -> bool {
        self.ready.contains_key(&token.0)
    }

    /// Abandons a request: its completion, now or later, is dropped, and
    /// the capabilities it brought become orphans.
    pub fn detach(&mut self, token: Token) {
        if let Some(ready) = self.ready.remove(&token.0) {
            self.orphans.extend(ready.orphans());
        } else if let Some(request) = self.in_flight.get_mut(&token.0) {
            request.detached = true;
        }
    }

    /// Takes the ids of the capabilities abandoned completions left behind.
    pub fn take_orphans(&mut self) -> Vec<u32> {
        core::mem::take(&mut self.orphans)
    }

    /// Requests submitted and not completed yet.
    pub fn in_flight(&self) -> usize {
        self.in_flight.len()
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
        let (a, b) = (Token(1), Token(2));
        let buffers = CallBuffers {
            params: vec![0; 2],
            result: vec![7; 3],
            xfers: Vec::new(),
        };
        c.track(&a, op::CALL, buffers);
        c.track(&b, op::NOP, CallBuffers::default());
        assert!(c.complete(cqe(2, 0)));
        let a = c.take(a).unwrap_err();
        assert!(c.complete(cqe(1, 5)));
        assert_eq!(c.in_flight(), 0);
        let got_a = c.take(a).unwrap();
        assert_eq!((got_a.cqe.result, got_a.result.len(), got_a.seq), (5, 3, 1));
        assert_eq!(c.take(b).unwrap().seq, 0);
    }

    #[test]
    fn detached_requests_are_dropped_on_arrival_or_at_once() {
        let mut c = Completions::default();
        let (a, b) = (Token(1), Token(2));
        c.track(&a, op::NOP, CallBuffers::default());
        c.track(&b, op::NOP, CallBuffers::default());
        c.detach(a);
        assert!(c.complete(cqe(1, 0)));
        assert!(!c.is_ready(&Token(1)));
        assert!(c.complete(cqe(2, 0)));
        assert!(c.is_ready(&b));
        c.detach(b);
        assert!(!c.is_ready(&Token(2)));
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
        let (a, b) = (Token(1), Token(2));
        c.track(&a, op::CALL, moved);
        c.track(&b, op::RETURN, CallBuffers::default());
        // Refused, so the move came back; abandoned before it arrived.
        c.detach(a);
        assert!(c.complete(cqe(1, capos_abi::error::NO_RESOURCES)));
        assert_eq!(c.take_orphans(), [0x1_0003]);
        // Abandoned after it arrived: nothing was moved, nothing is left.
        assert!(c.complete(cqe(2, 0)));
        c.detach(b);
        assert_eq!(c.take_orphans(), []);
    }

    #[test]
    fn unknown_completions_are_ignored() {
        let mut c = Completions::default();
        assert!(!c.complete(cqe(u64::MAX, 0)));
        assert!(c.take(Token(u64::MAX)).is_err());
    }
}
