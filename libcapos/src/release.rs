//! `capos_release`: gives a capability back to the kernel now.

use crate::error::{code, status};
use crate::state::{self, State};

impl State {
    pub fn release(&mut self, cap: u32) -> Result<(), i32> {
        let held = self.held.remove(cap)?;
        held.into_cap().release().map_err(|e| code(&e))
    }
}

/// Releases the capability `cap`, which libcapos holds, and waits for the
/// kernel to drop it. Its id is dead from then on: libcapos refuses it
/// (`CAPOS_E_NOT_HELD`) and the kernel refuses it in raw calls
/// (`CAPOS_E_STALE_CAP`). Returns 0, `CAPOS_E_NOT_HELD` or a transport
/// code. Capabilities still held when the program ends are released then.
#[unsafe(no_mangle)]
pub extern "C" fn capos_release(cap: u32) -> i32 {
    status(state::with(|s| s.release(cap)))
}

#[cfg(test)]
mod tests {
    use crate::error::{CAPOS_E_NOT_HELD, CAPOS_E_RELEASED};
    use crate::iface::CAPOS_IFACE_TIMER;
    use crate::test_kernel::{Outcome, TestEnv};

    #[test]
    fn released_ids_are_gone_for_good() {
        let caps = [("timer", 0x1_0003, CAPOS_IFACE_TIMER)];
        let mut env = TestEnv::new(&caps, |_, _| Outcome::Error(-3));
        let mut s = env.state();
        let (timer, _) = s.capset_get(b"timer").unwrap();
        assert_eq!(s.capset_get(b"timer").unwrap().0, timer);
        assert_eq!(s.release(timer), Ok(()));
        assert_eq!(env.log.borrow().released, [timer]);
        assert_eq!(s.release(timer), Err(CAPOS_E_NOT_HELD));
        assert_eq!(s.timer_now(timer), Err(CAPOS_E_NOT_HELD));
        assert_eq!(s.capset_get(b"timer"), Err(CAPOS_E_RELEASED));
    }
}
