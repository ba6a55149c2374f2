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
//! gone) keeps its buffers until its CQE arrives, then both are dropped.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;
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

/// Memory the kernel reads (params) or writes (result) for one CALL.
/// Words, not bytes, because Cap'n Proto messages must be 8-byte aligned.
#[derive(Debug, Default)]
pub struct CallBuffers {
    pub params: Vec<u64>,
    pub result: Vec<u64>,
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
    buffers: CallBuffers,
    detached: bool,
}

#[derive(Default)]
pub struct Completions {
    in_flight: BTreeMap<u64, InFlight>,
    ready: BTreeMap<u64, Completion>,
    reaped: u64,
}

impl Completions {
    /// Records a submitted request and keeps its buffers alive.
    pub fn track(&mut self, token: &Token, buffers: CallBuffers) {
        let entry = InFlight {
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
        if !request.detached {
            let completion = Completion {
                cqe,
                result: request.buffers.result,
                seq,
            };
            self.ready.insert(cqe.user_data, completion);
        }
        true
    }

    /// Collects a completion, or gives the token back if it is not there yet.
    pub fn take(&mut self, token: Token) -> Result<Completion, Token> {
        self.ready.remove(&token.0).ok_or(token)
    }

    pub fn is_ready(&self, token: &Token) -> bool {
        self.ready.contains_key(&token.0)
    }

    /// Abandons a request: its completion, now or later, is dropped.
    pub fn detach(&mut self, token: Token) {
        if self.ready.remove(&token.0).is_none()
            && let Some(request) = self.in_flight.get_mut(&token.0)
        {
            request.detached = true;
        }
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
        };
        c.track(&a, buffers);
        c.track(&b, CallBuffers::default());
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
        c.track(&a, CallBuffers::default());
        c.track(&b, CallBuffers::default());
        c.detach(a);
        assert!(c.complete(cqe(1, 0)));
        assert!(!c.is_ready(&Token(1)));
        assert!(c.complete(cqe(2, 0)));
        assert!(c.is_ready(&b));
        c.detach(b);
        assert!(!c.is_ready(&Token(2)));
    }

    #[test]
    fn unknown_completions_are_ignored() {
        let mut c = Completions::default();
        assert!(!c.complete(cqe(u64::MAX, 0)));
        assert!(c.take(Token(u64::MAX)).is_err());
    }
}
