//! Timer: `capos_timer_now`, `capos_timer_sleep`, `capos_timer_wall_clock`.
//! Times are integer nanoseconds: no floating point crosses the C ABI.

use crate::error::{code, status};
use crate::ffi;
use crate::state::{self, State};

impl State {
    pub fn timer_now(&self, timer: u32) -> Result<u64, i32> {
        self.held.timer(timer)?.now().map_err(|e| code(&e))
    }

    pub fn timer_sleep(&self, timer: u32, ns: u64) -> Result<(), i32> {
        self.held.timer(timer)?.sleep(ns).map_err(|e| code(&e))
    }

    pub fn timer_wall_clock(&self, timer: u32) -> Result<u64, i32> {
        self.held.timer(timer)?.wall_clock().map_err(|e| code(&e))
    }
}

/// Stores the monotonic time, in nanoseconds since the kernel's clock
/// started, at `out_ns` (may be NULL). Returns 0, `CAPOS_E_NOT_HELD`,
/// `CAPOS_E_WRONG_INTERFACE` (not a Timer) or a transport code.
///
/// # Safety
/// `out_ns` must be NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn capos_timer_now(timer: u32, out_ns: *mut u64) -> i32 {
    status(state::with(|s| s.timer_now(timer)).map(|ns| {
        // SAFETY: NULL or writable per the contract.
        unsafe { ffi::store(out_ns, ns) }
    }))
}

/// Blocks for at least `ns` nanoseconds. Returns as `capos_timer_now`.
#[unsafe(no_mangle)]
pub extern "C" fn capos_timer_sleep(timer: u32, ns: u64) -> i32 {
    status(state::with(|s| s.timer_sleep(timer, ns)))
}

/// Stores the wall-clock time, in nanoseconds since 1970-01-01T00:00:00Z,
/// at `out_unix_ns` (may be NULL). Returns as `capos_timer_now`.
///
/// # Safety
/// `out_unix_ns` must be NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn capos_timer_wall_clock(timer: u32, out_unix_ns: *mut u64) -> i32 {
    status(state::with(|s| s.timer_wall_clock(timer)).map(|ns| {
        // SAFETY: NULL or writable per the contract.
        unsafe { ffi::store(out_unix_ns, ns) }
    }))
}

#[cfg(test)]
mod tests {
    use crate::error::CAPOS_E_WRONG_INTERFACE;
    use crate::iface::{CAPOS_IFACE_CONSOLE, CAPOS_IFACE_TIMER};
    use crate::test_kernel::{Outcome, TestEnv};
    use capos_rt::message;
    use capos_schema::timer;

    #[test]
    fn time_comes_back_as_nanoseconds() {
        let caps = [
            ("timer", 0x1_0001, CAPOS_IFACE_TIMER),
            ("console", 0x1_0002, CAPOS_IFACE_CONSOLE),
        ];
        let mut env = TestEnv::new(&caps, |sqe, _| {
            let words = match sqe.method_id {
                0 => message::build::<timer::now_results::Owned>(|mut r| r.set_ns(1234)),
                1 => message::build::<timer::sleep_results::Owned>(|_| {}),
                _ => message::build::<timer::wall_clock_results::Owned>(|mut r| r.set_unix_ns(99)),
            };
            let bytes = message::as_bytes(&words).to_vec();
            match sqe.method_id {
                1 => Outcome::Later(3, bytes),
                _ => Outcome::Reply(bytes),
            }
        });
        let mut s = env.state();
        let (t, _) = s.capset_get(b"timer").unwrap();
        let (c, _) = s.capset_get(b"console").unwrap();
        assert_eq!(s.timer_now(t), Ok(1234));
        assert_eq!(s.timer_sleep(t, 5_000_000), Ok(()));
        assert_eq!(s.timer_wall_clock(t), Ok(99));
        assert_eq!(s.timer_now(c), Err(CAPOS_E_WRONG_INTERFACE));
    }
}
