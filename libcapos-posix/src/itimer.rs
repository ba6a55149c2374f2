//! Interval timers (`setitimer`, `getitimer`, and musl's `alarm` over
//! them): capOS delivers no signals, so no timer can ever be armed. A
//! call that disarms one is answered as Linux would with none running
//! (success, old value zero); `alarm(0)` after an operation, the usual
//! pattern, then leaves `errno` as the operation set it. Arming one is
//! refused, reported, by the caller.

use crate::linux::errno::EINVAL;

/// `struct itimerval`: interval seconds and microseconds, then value.
pub type Itimerval = [i64; 4];

/// What a `setitimer` call asks for.
#[derive(Debug, PartialEq, Eq)]
pub enum Request {
    /// A zero value: stop the timer (there is none). Old value zero.
    Disarm,
    /// A non-zero value: start a timer whose signal could never arrive.
    Arm,
}

/// Checks `which` (ITIMER_REAL, _VIRTUAL or _PROF) and the new value as
/// Linux does (EINVAL for another timer, a negative time or microseconds
/// outside 0..1_000_000) and says whether it disarms or arms.
pub fn request(which: i64, new: &Itimerval) -> Result<Request, i64> {
    check_which(which)?;
    let valid = |sec: i64, usec: i64| sec >= 0 && (0..1_000_000).contains(&usec);
    if !valid(new[0], new[1]) || !valid(new[2], new[3]) {
        return Err(EINVAL);
    }
    // POSIX: a zero value disarms whatever the interval says.
    Ok(if new[2] == 0 && new[3] == 0 {
        Request::Disarm
    } else {
        Request::Arm
    })
}

/// `getitimer`'s check: the timer exists; its value is always zero.
pub fn check_which(which: i64) -> Result<(), i64> {
    if (0..=2).contains(&which) {
        Ok(())
    } else {
        Err(EINVAL)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_zero_value_disarms_whatever_the_interval() {
        assert_eq!(request(0, &[0, 0, 0, 0]), Ok(Request::Disarm));
        assert_eq!(request(0, &[5, 0, 0, 0]), Ok(Request::Disarm));
    }

    #[test]
    fn a_value_arms() {
        assert_eq!(request(0, &[0, 0, 30, 0]), Ok(Request::Arm));
        assert_eq!(request(2, &[0, 0, 0, 1]), Ok(Request::Arm));
    }

    #[test]
    fn bad_timers_and_times_are_einval() {
        assert_eq!(request(3, &[0; 4]), Err(EINVAL));
        assert_eq!(request(-1, &[0; 4]), Err(EINVAL));
        assert_eq!(request(0, &[0, 0, -1, 0]), Err(EINVAL));
        assert_eq!(request(0, &[0, 0, 0, 1_000_000]), Err(EINVAL));
        assert_eq!(request(0, &[0, -1, 0, 0]), Err(EINVAL));
        assert_eq!(check_which(1), Ok(()));
        assert_eq!(check_which(7), Err(EINVAL));
    }
}
