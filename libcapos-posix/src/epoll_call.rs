//! `epoll_create1`, `epoll_ctl`, `epoll_wait` and its `pwait` forms,
//! level-triggered, over what `poll` waits on (sockets, pipes, the
//! console): an epoll descriptor is an interest list, and a wait is one
//! `poll` over it (poll_call.rs), its results written as `epoll_event`s.
//!
//! Registrations name a descriptor and the open description it had when
//! added; one whose descriptor was closed (or now names another
//! description) is dropped at the next wait, as Linux drops a closed
//! file's. EPOLLONESHOT disarms a registration once it reported, until
//! EPOLL_CTL_MOD. Edge-triggered mode (EPOLLET) is refused (EINVAL,
//! reported): level-triggered is what capOS offers. An epoll descriptor
//! cannot itself be polled or added to another (EINVAL).

use crate::epoll::{
    EPOLL_CLOEXEC, EPOLL_CTL_ADD, EPOLL_CTL_DEL, EPOLL_CTL_MOD, EPOLLEXCLUSIVE, EPOLLONESHOT,
    EPOLLWAKEUP, EpollEvent, MAX_EVENTS, POLL_EVENTS, ctl_checks,
};
use crate::linux::errno::{EBADF, EEXIST, EFAULT, EINVAL, ENOENT, EPERM};
use crate::poll::PollFd;
use crate::state::{Object, Open, State};
use alloc::rc::{Rc, Weak};
use alloc::vec::Vec;
use core::cell::RefCell;

struct Entry {
    fd: i32,
    open: Weak<Open>,
    events: u32,
    data: u64,
    /// EPOLLONESHOT reported: silent until EPOLL_CTL_MOD.
    disarmed: bool,
}

/// An epoll descriptor's interest list.
#[derive(Default)]
pub struct Epoll {
    entries: RefCell<Vec<Entry>>,
}

pub fn create(s: &mut State, flags: i64) -> Result<i64, i64> {
    if flags & !EPOLL_CLOEXEC != 0 {
        return Err(EINVAL);
    }
    let open = Open::new(Object::Epoll(Epoll::default()));
    s.fds
        .open(Rc::new(open), flags & EPOLL_CLOEXEC != 0)
        .map(|fd| fd as i64)
}

fn epoll_at(s: &State, epfd: i64) -> Result<Rc<Open>, i64> {
    let open = s.fds.get(epfd)?;
    match open.object {
        Object::Epoll(_) => Ok(open.clone()),
        _ => Err(EINVAL),
    }
}

fn list(open: &Open) -> &Epoll {
    match &open.object {
        Object::Epoll(e) => e,
        _ => unreachable!("epoll_at admits epoll descriptors only"),
    }
}

/// `epoll_ctl(epfd, op, fd, event)`; `Err((errno, report))`.
///
/// # Safety
/// `event` is NULL or a readable `struct epoll_event`.
pub unsafe fn ctl(
    s: &State,
    epfd: i64,
    op: i64,
    fd: i64,
    event: *const EpollEvent,
) -> Result<i64, (i64, bool)> {
    let ep = epoll_at(s, epfd).map_err(|e| (e, false))?;
    let target = s.fds.get(fd).map_err(|_| (EBADF, false))?.clone();
    let ev = (!event.is_null()).then(|| {
        // SAFETY: a readable epoll_event per the contract.
        unsafe { event.read_unaligned() }
    });
    ctl_checks(op, ev.map(|e| e.events))?;
    if fd == epfd || matches!(target.object, Object::Epoll(_)) {
        return Err((EINVAL, false));
    }
    // Linux: regular files and directories cannot be watched.
    if matches!(target.object, Object::File(_) | Object::Directory(_)) {
        return Err((EPERM, false));
    }
    let mut entries = list(&ep).entries.borrow_mut();
    // A registration whose descriptor was closed is gone already.
    entries.retain(|e| e.open.strong_count() > 0);
    let at = entries.iter().position(|e| {
        e.fd as i64 == fd && e.open.upgrade().is_some_and(|o| Rc::ptr_eq(&o, &target))
    });
    match (op, at) {
        (EPOLL_CTL_ADD, Some(_)) => Err((EEXIST, false)),
        (EPOLL_CTL_ADD, None) => {
            let ev = ev.ok_or((EFAULT, false))?;
            entries.push(Entry {
                fd: fd as i32,
                open: Rc::downgrade(&target),
                events: ev.events & !(EPOLLEXCLUSIVE | EPOLLWAKEUP),
                data: ev.data,
                disarmed: false,
            });
            Ok(0)
        }
        (EPOLL_CTL_MOD, Some(i)) => {
            let ev = ev.ok_or((EFAULT, false))?;
            entries[i].events = ev.events & !EPOLLWAKEUP;
            entries[i].data = ev.data;
            entries[i].disarmed = false;
            Ok(0)
        }
        (EPOLL_CTL_DEL, Some(i)) => {
            entries.remove(i);
            Ok(0)
        }
        _ => Err((ENOENT, false)),
    }
}

/// `epoll_wait` and the `pwait` forms with the timeout already read: up
/// to `max` ready registrations written to `out`.
///
/// # Safety
/// `out` is NULL or writable for `max` `struct epoll_event`s.
pub unsafe fn wait(
    s: &mut State,
    epfd: i64,
    out: *mut EpollEvent,
    max: i64,
    timeout: Option<u64>,
) -> Result<i64, i64> {
    if !(1..=MAX_EVENTS).contains(&max) {
        return Err(EINVAL);
    }
    let ep = epoll_at(s, epfd)?;
    if out.is_null() {
        return Err(EFAULT);
    }
    // The armed registrations whose descriptor still names what was added.
    let (mut polled, which): (Vec<PollFd>, Vec<usize>) = {
        let mut entries = list(&ep).entries.borrow_mut();
        entries.retain(|e| {
            e.open.upgrade().is_some_and(|o| {
                s.fds
                    .get(i64::from(e.fd))
                    .is_ok_and(|now| Rc::ptr_eq(now, &o))
            })
        });
        entries
            .iter()
            .enumerate()
            .filter(|(_, e)| !e.disarmed)
            .map(|(i, e)| {
                (
                    PollFd {
                        fd: e.fd,
                        events: (e.events & POLL_EVENTS) as i16,
                        revents: 0,
                    },
                    i,
                )
            })
            .unzip()
    };
    crate::poll_call::wait(s, &mut polled, timeout)?;
    let mut entries = list(&ep).entries.borrow_mut();
    let mut n = 0;
    for (p, &i) in polled.iter().zip(&which) {
        if p.revents == 0 || n == max {
            continue;
        }
        let e = &mut entries[i];
        let ev = EpollEvent {
            events: p.revents as u16 as u32,
            data: e.data,
        };
        if e.events & EPOLLONESHOT != 0 {
            e.disarmed = true;
        }
        // SAFETY: writable for `max` > n events per the contract.
        unsafe { out.add(n as usize).write_unaligned(ev) };
        n += 1;
    }
    Ok(n)
}
