//! The Rust interface of libcapos, for a layer built on it in the same
//! program. libcapos-posix is one: its archive carries this crate, so a
//! POSIX program has libcapos's C functions too, and both layers run on
//! the one capos-rt runtime and ring, which libcapos's state owns.
//!
//! The layer's entry point hands the runtime over with [`install`] before
//! any C code runs and takes the capabilities it uses with [`take`]; each
//! such CapSet entry is the layer's from then on, so `capos_capset_get` of
//! its name fails with `CAPOS_E_TAKEN` rather than handing C a second
//! owner of it. [`with_runtime`] reaches the runtime itself; [`finish`]
//! ends libcapos's part when the layer exits the process.
//!
//! Each function borrows libcapos's state for its own length. A layer may
//! call them while it borrows its own state (another cell): libcapos
//! never calls into the layer, or into C, during its borrow, so the
//! borrows never nest the other way round and none of them fails.

use crate::capset::lookup_code;
use crate::state::{self, State};
use capos_rt::{AnyCap, Client, Runtime};

/// Whether this build defines the C entry point (`capos_main` calling
/// C's `main`, the `c-entry` feature). A layer that brings its own entry
/// checks that it does not, or the archive would hold two.
pub const C_ENTRY: bool = cfg!(feature = "c-entry");

/// Makes `rt` the runtime behind libcapos's C functions.
pub fn install(rt: Runtime) {
    state::install(State::new(rt));
}

impl State {
    /// Takes `name` out of the CapSet for a layer above, as the client `C`.
    pub fn take_for_layer<C: Client>(&mut self, name: &str) -> Result<C, i32> {
        let client: C = self.rt.take(name).map_err(lookup_code)?;
        self.layers.insert(client.cap().id());
        Ok(client)
    }

    /// [`State::take_for_layer`], whatever the interface.
    pub fn take_any_for_layer(&mut self, name: &str) -> Result<AnyCap, i32> {
        let cap = self.rt.take_any(name).map_err(lookup_code)?;
        self.layers.insert(cap.cap().id());
        Ok(cap)
    }
}

/// Takes the capability `name` out of the CapSet as the client `C`, owned
/// by the caller. Fails with the code `capos_capset_get` would give
/// (`CAPOS_E_NOT_FOUND`, `CAPOS_E_WRONG_INTERFACE`, ...), or
/// `CAPOS_E_UNAVAILABLE` before [`install`].
pub fn take<C: Client>(name: &str) -> Result<C, i32> {
    state::with(|s| s.take_for_layer(name))
}

/// [`take`], whatever the interface: the caller looks at the
/// capability's interface id.
pub fn take_any(name: &str) -> Result<AnyCap, i32> {
    state::with(|s| s.take_any_for_layer(name))
}

/// Runs `f` on the process's runtime; `None` before [`install`] or after
/// [`finish`].
pub fn with_runtime<T>(f: impl FnOnce(&mut Runtime) -> T) -> Option<T> {
    state::with(|s| Ok(f(&mut s.rt))).ok()
}

/// Ends libcapos's part of the process, for a layer about to exit it:
/// drops what libcapos holds, which queues their releases, and hands every
/// queued release to the kernel in one flush, the layer's own included if
/// it dropped its capabilities first. Later C calls get
/// `CAPOS_E_UNAVAILABLE`. (libcapos.a's own entry returns to capos-rt
/// instead, which flushes after `capos_main`.)
pub fn finish() {
    let Some(state) = state::remove() else {
        return;
    };
    let State {
        rt, held, calls, ..
    } = state;
    drop((held, calls));
    // A failure changes nothing: exiting drops the whole table.
    let _ = rt.ring().flush();
}

#[cfg(test)]
mod tests {
    use crate::error::{CAPOS_E_NOT_FOUND, CAPOS_E_TAKEN};
    use crate::iface::{CAPOS_IFACE_CONSOLE, CAPOS_IFACE_TIMER};
    use crate::test_kernel::{Outcome, TestEnv};
    use capos_rt::{Client, Console, Timer};

    #[test]
    fn a_layers_capabilities_are_its_own() {
        let caps = [
            ("timer", 0x1_0001, CAPOS_IFACE_TIMER),
            ("console", 0x1_0002, CAPOS_IFACE_CONSOLE),
            ("clock", 0x1_0003, CAPOS_IFACE_TIMER),
        ];
        let mut env = TestEnv::new(&caps, |_, _| Outcome::Error(-3));
        let mut s = env.state();
        let timer = s.take_for_layer::<Timer>("timer").unwrap();
        assert_eq!(timer.cap().id(), 0x1_0001);
        assert_eq!(s.capset_get(b"timer"), Err(CAPOS_E_TAKEN));
        assert!(s.take_for_layer::<Timer>("console").is_err());
        assert!(s.take_for_layer::<Console>("absent").is_err());
        assert_eq!(s.capset_get(b"absent"), Err(CAPOS_E_NOT_FOUND));
        // What the layer did not take stays C's to look up.
        assert_eq!(
            s.capset_get(b"console"),
            Ok((0x1_0002, CAPOS_IFACE_CONSOLE))
        );
        assert_eq!(s.capset_get(b"clock"), Ok((0x1_0003, CAPOS_IFACE_TIMER)));
        // The layer's release goes through the same ring.
        drop(timer);
        assert_eq!(s.flush(), Ok(()));
        assert_eq!(env.log.borrow().released, [0x1_0001]);
    }
}
