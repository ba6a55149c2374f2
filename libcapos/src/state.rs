//! The process-wide state behind the C functions: capos-rt's runtime (the
//! process's only one), the capabilities libcapos holds, and the calls in
//! flight.
//!
//! The entry point installs it before `main` runs and drops it after `main`
//! returns; in a POSIX program libcapos-posix's entry does both, through
//! [`crate::runtime`]. Each exported function borrows it for the length of
//! one call; no C code runs during a borrow, so the borrow never fails in a
//! correct program, and if it somehow did (or the state is absent), the
//! function returns `CAPOS_E_UNAVAILABLE` instead of touching anything.

use crate::error::CAPOS_E_UNAVAILABLE;
use crate::held::Table;
use crate::submit::Calls;
use alloc::collections::BTreeSet;
use capos_rt::Runtime;
use core::cell::RefCell;

pub struct State {
    pub rt: Runtime,
    pub held: Table,
    pub calls: Calls,
    /// The ids of the CapSet entries a layer above took for itself
    /// ([`crate::runtime::take`]): `capos_capset_get` reports them as
    /// taken, not released.
    pub layers: BTreeSet<u32>,
}

impl State {
    pub fn new(rt: Runtime) -> Self {
        State {
            rt,
            held: Table::default(),
            calls: Calls::default(),
            layers: BTreeSet::new(),
        }
    }
}

struct Global(RefCell<Option<State>>);

// SAFETY: a capOS process has one thread (the kernel starts one and there
// is no call that creates another), so the state is never reached from two
// threads. Host builds exist for unit tests, which never touch the global.
unsafe impl Sync for Global {}

static STATE: Global = Global(RefCell::new(None));

/// Makes `state` the process's state.
pub fn install(state: State) {
    if let Ok(mut slot) = STATE.0.try_borrow_mut() {
        *slot = Some(state);
    }
}

/// Takes the state out; later calls get `CAPOS_E_UNAVAILABLE`.
pub fn remove() -> Option<State> {
    STATE
        .0
        .try_borrow_mut()
        .ok()
        .and_then(|mut slot| slot.take())
}

/// Runs `f` on the state.
pub fn with<T>(f: impl FnOnce(&mut State) -> Result<T, i32>) -> Result<T, i32> {
    let Ok(mut slot) = STATE.0.try_borrow_mut() else {
        return Err(CAPOS_E_UNAVAILABLE);
    };
    let state = slot.as_mut().ok_or(CAPOS_E_UNAVAILABLE)?;
    f(state)
}
