//! The waiter the pipe and UDP tests queue: an id, an owner and a
//! liveness flag the test can flip.

use crate::pipe::Waiter;
use core::cell::Cell;
use std::rc::Rc;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct W {
    pub id: u64,
    pub owner: u64,
    pub alive: Rc<Cell<bool>>,
}

impl Waiter for W {
    fn owner(&self) -> u64 {
        self.owner
    }
    fn alive(&self) -> bool {
        self.alive.get()
    }
}

/// A live waiter that is its own owner.
pub fn waiter(id: u64) -> W {
    W {
        id,
        owner: id,
        alive: Rc::new(Cell::new(true)),
    }
}
