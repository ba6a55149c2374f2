//! What `epoll_ctl` checks and the `epoll_event` layout, without the
//! descriptors (the calls are epoll_call.rs): host-tested.

use crate::linux::errno::{EFAULT, EINVAL};

pub const EPOLL_CLOEXEC: i64 = 0o2000000;
pub const EPOLL_CTL_ADD: i64 = 1;
pub const EPOLL_CTL_DEL: i64 = 2;
pub const EPOLL_CTL_MOD: i64 = 3;
/// The events poll knows (EPOLLIN .. EPOLLRDHUP share poll's bits).
pub const POLL_EVENTS: u32 = 0x2000 | 0x3ff;
pub const EPOLLEXCLUSIVE: u32 = 1 << 28;
pub const EPOLLWAKEUP: u32 = 1 << 29;
pub const EPOLLONESHOT: u32 = 1 << 30;
pub const EPOLLET: u32 = 1 << 31;
/// Most events one wait returns (Linux: INT_MAX / sizeof(epoll_event)).
pub const MAX_EVENTS: i64 = i32::MAX as i64 / 12;

/// Linux's `struct epoll_event` on x86_64: packed, 12 bytes.
#[repr(C, packed)]
#[derive(Clone, Copy)]
pub struct EpollEvent {
    pub events: u32,
    pub data: u64,
}

/// Why a ctl is refused when capOS does so and Linux would not.
pub const EDGE_TRIGGERED: &str = "edge-triggered epoll (EPOLLET) is not supported on capOS; \
level-triggered is";

/// The checks of `epoll_ctl(op, event)` before the descriptors: Err is
/// the errno and whether it is capOS's refusal (EPOLLET) to report.
pub fn ctl_checks(op: i64, events: Option<u32>) -> Result<(), (i64, bool)> {
    match op {
        EPOLL_CTL_ADD | EPOLL_CTL_MOD => {
            let ev = events.ok_or((EFAULT, false))?;
            if ev & EPOLLET != 0 {
                return Err((EINVAL, true));
            }
            if op == EPOLL_CTL_MOD && ev & EPOLLEXCLUSIVE != 0 {
                return Err((EINVAL, false));
            }
            Ok(())
        }
        EPOLL_CTL_DEL => Ok(()),
        _ => Err((EINVAL, false)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ctl_refuses_what_linux_refuses_and_edge_triggering() {
        assert_eq!(ctl_checks(EPOLL_CTL_ADD, Some(1)), Ok(()));
        assert_eq!(ctl_checks(EPOLL_CTL_ADD, None), Err((EFAULT, false)));
        assert_eq!(
            ctl_checks(EPOLL_CTL_MOD, Some(EPOLLET | 1)),
            Err((EINVAL, true))
        );
        assert_eq!(
            ctl_checks(EPOLL_CTL_MOD, Some(EPOLLEXCLUSIVE)),
            Err((EINVAL, false))
        );
        assert_eq!(ctl_checks(EPOLL_CTL_DEL, None), Ok(()));
        assert_eq!(ctl_checks(9, Some(1)), Err((EINVAL, false)));
    }

    #[test]
    fn the_event_layout_is_linuxs() {
        assert_eq!(size_of::<EpollEvent>(), 12);
    }
}
