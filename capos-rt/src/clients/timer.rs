//! Timer: monotonic time, sleeping, and the wall clock.

use super::Client;
use crate::error::Error;
use crate::pending::PendingCall;
use capos_schema::{interface_id, timer};

/// Schema ordinals of Timer's methods.
const NOW: u16 = 0;
const SLEEP: u16 = 1;
const WALL_CLOCK: u16 = 2;
const SIGNALS: u16 = 3;
const SET_UPCALL: u16 = 4;
const IDLE: u16 = 5;

/// What the caller's signal wait asks for (see [`Timer::signals_async`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SignalWait {
    /// Signals (bit n-1 for signal n) the caller handles or ignores.
    pub caught: u64,
    /// Nonzero: SIGALRM in this many ns, replacing the alarm.
    pub alarm_ns: u64,
    /// Drops the alarm.
    pub cancel_alarm: bool,
}

/// Where the caller takes its signal upcalls (see [`Timer::set_upcall_async`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UpcallEntry {
    /// The entry the kernel resumes the caller at (0: no upcall).
    pub entry: u64,
    /// A 32-bit word kept nonzero while no upcall may come.
    pub busy: u64,
    /// The caller's way back, where no upcall may come either.
    pub return_start: u64,
    pub return_end: u64,
}

/// A completed signal wait: the signals taken, and the ns the alarm had
/// left when the call was made or completed (0: none).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Signals {
    pub pending: u64,
    pub alarm_left: u64,
}

super::client!(Timer, interface_id::TIMER);

impl Timer {
    /// Monotonic nanoseconds since the kernel clock started (early boot).
    pub fn now(&self) -> Result<u64, Error> {
        self.cap
            .call::<timer::now_params::Owned>(Self::INTERFACE_ID, NOW, |_| {})?
            .read::<timer::now_results::Owned, _>(|r| Ok(r.get_ns()))
    }

    /// Time-stamp-counter ticks the CPU has spent halted since boot,
    /// waiting for an interrupt (interrupt handling excluded): what a
    /// benchmark that waits for another machine subtracts.
    pub fn idle_ticks(&self) -> Result<u64, Error> {
        self.cap
            .call::<timer::idle_params::Owned>(Self::INTERFACE_ID, IDLE, |_| {})?
            .read::<timer::idle_results::Owned, _>(|r| Ok(r.get_ticks()))
    }

    /// Blocks for at least `ns` nanoseconds.
    pub fn sleep(&self, ns: u64) -> Result<(), Error> {
        self.sleep_async(ns)?.wait().map(drop)
    }

    /// Starts a sleep of at least `ns` nanoseconds and returns at once; the
    /// returned call completes when the time has passed. Several sleeps (and
    /// other calls) can be pending together.
    pub fn sleep_async(&self, ns: u64) -> Result<PendingCall, Error> {
        self.cap
            .submit::<timer::sleep_params::Owned>(Self::INTERFACE_ID, SLEEP, |mut p| p.set_ns(ns))
    }

    /// Nanoseconds since the Unix epoch.
    pub fn wall_clock(&self) -> Result<u64, Error> {
        self.cap
            .call::<timer::wall_clock_params::Owned>(Self::INTERFACE_ID, WALL_CLOCK, |_| {})?
            .read::<timer::wall_clock_results::Owned, _>(|r| Ok(r.get_unix_ns()))
    }

    /// Starts the caller's signal wait: it completes when signals are
    /// posted to the caller (at once if some are), or is replaced by the
    /// next one (then with none). [`Timer::signals_of`] reads its reply.
    pub fn signals_async(&self, wait: SignalWait) -> Result<PendingCall, Error> {
        self.cap
            .submit::<timer::signals_params::Owned>(Self::INTERFACE_ID, SIGNALS, |mut p| {
                p.set_caught(wait.caught);
                p.set_alarm_ns(wait.alarm_ns);
                p.set_cancel_alarm(wait.cancel_alarm);
            })
    }

    /// Registers the caller's signal upcall (capos_abi::upcall): while it
    /// runs outside a call, caught signals come to `upcall.entry`.
    pub fn set_upcall_async(&self, upcall: UpcallEntry) -> Result<PendingCall, Error> {
        self.cap.submit::<timer::set_upcall_params::Owned>(
            Self::INTERFACE_ID,
            SET_UPCALL,
            |mut p| {
                p.set_entry(upcall.entry);
                p.set_busy(upcall.busy);
                p.set_return_start(upcall.return_start);
                p.set_return_end(upcall.return_end);
            },
        )
    }

    /// The signals a completed [`Timer::signals_async`] call took.
    pub fn signals_of(reply: &crate::reply::Reply) -> Result<Signals, Error> {
        reply.read::<timer::signals_results::Owned, _>(|r| {
            Ok(Signals {
                pending: r.get_pending(),
                alarm_left: r.get_alarm_left(),
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cap::Cap;
    use crate::message;
    use crate::test_kernel::{Outcome, shared_ring};
    use alloc::vec::Vec;

    fn reply<T: capnp::traits::Owned>(fill: impl FnOnce(T::Builder<'_>)) -> Vec<u8> {
        message::as_bytes(&message::build::<T>(fill)).to_vec()
    }

    /// Answers now/wallClock at once; a sleep of n ms completes n enters later.
    fn timer() -> Timer {
        let (ring, _log) = shared_ring(|sqe, params| {
            assert_eq!(sqe.interface_id, interface_id::TIMER);
            match sqe.method_id {
                NOW => Outcome::Reply(reply::<timer::now_results::Owned>(|mut r| r.set_ns(5))),
                WALL_CLOCK => Outcome::Reply(reply::<timer::wall_clock_results::Owned>(|mut r| {
                    r.set_unix_ns(1_700_000_000_000_000_000)
                })),
                _ => {
                    let msg = message::read(params).unwrap();
                    let p: timer::sleep_params::Reader = msg.get_root().unwrap();
                    let enters = (p.get_ns() / 1_000_000) as u32;
                    Outcome::Later(enters, reply::<timer::sleep_results::Owned>(|_| {}))
                }
            }
        });
        Timer::from_cap(Cap::new(0x1_0001, ring))
    }

    #[test]
    fn clocks_read_their_results() {
        let t = timer();
        assert_eq!(t.now(), Ok(5));
        assert_eq!(t.wall_clock(), Ok(1_700_000_000_000_000_000));
    }

    #[test]
    fn concurrent_sleeps_complete_in_deadline_order() {
        let t = timer();
        let long = t.sleep_async(30_000_000).unwrap();
        let short = t.sleep_async(10_000_000).unwrap();
        let long = long.wait().unwrap();
        let short = short.wait().unwrap();
        assert!(short.seq() < long.seq());
        t.sleep(1_000_000).unwrap();
    }
}
