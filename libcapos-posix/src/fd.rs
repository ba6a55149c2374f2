//! The per-process file descriptor table (§5 of the POSIX adapter
//! proposal): each slot holds a reference-counted open object and its own
//! close-on-exec flag. `dup`, `dup2`, `dup3` and `F_DUPFD` share the
//! object (the same `Rc`), as on Linux; the object is dropped — its
//! capability released — when the last descriptor naming it closes.
//!
//! Generic over the object type so the semantics are host-tested without
//! capabilities. Errors are positive Linux errno values.

use crate::linux::errno::{EBADF, EINVAL, EMFILE};
use crate::linux::fcntl::{O_APPEND, O_ASYNC, O_DIRECT, O_NOATIME, O_NONBLOCK};
use alloc::rc::Rc;
use alloc::vec::Vec;

/// Descriptors a process may have open at once (RLIMIT_NOFILE).
pub const MAX_FDS: usize = 64;

struct Slot<T> {
    object: Rc<T>,
    cloexec: bool,
}

pub struct FdTable<T> {
    slots: Vec<Option<Slot<T>>>,
}

impl<T> Default for FdTable<T> {
    fn default() -> Self {
        FdTable { slots: Vec::new() }
    }
}

impl<T> FdTable<T> {
    /// Installs `object` at the lowest free descriptor at or above `min`.
    pub fn open_from(&mut self, min: usize, object: Rc<T>, cloexec: bool) -> Result<usize, i64> {
        if min >= MAX_FDS {
            return Err(EINVAL);
        }
        let fd = (min..MAX_FDS)
            .find(|&fd| self.slots.get(fd).is_none_or(Option::is_none))
            .ok_or(EMFILE)?;
        self.put(fd, Slot { object, cloexec });
        Ok(fd)
    }

    /// Installs `object` at the lowest free descriptor. (For pipes and
    /// sockets; nothing opens one yet.)
    #[cfg_attr(not(test), allow(dead_code))]
    pub fn open(&mut self, object: Rc<T>, cloexec: bool) -> Result<usize, i64> {
        self.open_from(0, object, cloexec)
    }

    /// Installs `object` at `fd` (below [`MAX_FDS`]), replacing what
    /// was there: what posix_spawn's addopen does in the child's table.
    pub fn install(&mut self, fd: usize, object: Rc<T>, cloexec: bool) {
        self.put(fd, Slot { object, cloexec });
    }

    fn put(&mut self, fd: usize, slot: Slot<T>) {
        if self.slots.len() <= fd {
            self.slots.resize_with(fd + 1, || None);
        }
        self.slots[fd] = Some(slot);
    }

    fn slot(&self, fd: i64) -> Result<&Slot<T>, i64> {
        usize::try_from(fd)
            .ok()
            .and_then(|fd| self.slots.get(fd))
            .and_then(Option::as_ref)
            .ok_or(EBADF)
    }

    /// The object open at `fd`.
    pub fn get(&self, fd: i64) -> Result<&Rc<T>, i64> {
        self.slot(fd).map(|s| &s.object)
    }

    /// Closes `fd`.
    pub fn close(&mut self, fd: i64) -> Result<(), i64> {
        self.slot(fd)?;
        self.slots[fd as usize] = None;
        Ok(())
    }

    /// `dup`/`F_DUPFD`/`F_DUPFD_CLOEXEC`: a new descriptor at or above
    /// `min` sharing `fd`'s object.
    pub fn dup_from(&mut self, fd: i64, min: i64, cloexec: bool) -> Result<usize, i64> {
        let object = self.get(fd)?.clone();
        let min = usize::try_from(min).map_err(|_| EINVAL)?;
        self.open_from(min, object, cloexec)
    }

    /// `dup2` (`dup3` false) and `dup3`: makes `new` name `old`'s
    /// object, closing what `new` named. `dup2(fd, fd)` returns `fd`
    /// unchanged if it is open; `dup3(fd, fd, ..)` is EINVAL.
    pub fn dup2(&mut self, old: i64, new: i64, cloexec: bool, dup3: bool) -> Result<usize, i64> {
        // Linux refuses dup3(fd, fd) before it looks at fd at all.
        if dup3 && old == new {
            return Err(EINVAL);
        }
        let object = self.get(old)?.clone();
        let new_fd = usize::try_from(new)
            .ok()
            .filter(|&fd| fd < MAX_FDS)
            .ok_or(EBADF)?;
        if old == new {
            return Ok(new_fd);
        }
        self.put(new_fd, Slot { object, cloexec });
        Ok(new_fd)
    }

    pub fn cloexec(&self, fd: i64) -> Result<bool, i64> {
        self.slot(fd).map(|s| s.cloexec)
    }

    pub fn set_cloexec(&mut self, fd: i64, cloexec: bool) -> Result<(), i64> {
        self.slot(fd)?;
        if let Some(slot) = self.slots[fd as usize].as_mut() {
            slot.cloexec = cloexec;
        }
        Ok(())
    }

    /// A copy of the whole table, close-on-exec flags included, sharing
    /// every object: what a child starts from before its file actions (or
    /// the fork shim's recorded calls) and exec's close-on-exec pass.
    pub fn duplicate(&self) -> FdTable<T> {
        let slots = self
            .slots
            .iter()
            .map(|slot| {
                slot.as_ref().map(|s| Slot {
                    object: s.object.clone(),
                    cloexec: s.cloexec,
                })
            })
            .collect();
        FdTable { slots }
    }

    /// The open descriptors in increasing order, with their objects and
    /// close-on-exec flags.
    pub fn iter(&self) -> impl Iterator<Item = (usize, &Rc<T>, bool)> {
        self.slots
            .iter()
            .enumerate()
            .filter_map(|(fd, slot)| slot.as_ref().map(|s| (fd, &s.object, s.cloexec)))
    }

    /// What an exec'd child inherits: every descriptor without
    /// close-on-exec, at the same number, sharing the object.
    pub fn inherited(&self) -> FdTable<T> {
        let slots = self
            .slots
            .iter()
            .map(|slot| match slot {
                Some(s) if !s.cloexec => Some(Slot {
                    object: s.object.clone(),
                    cloexec: false,
                }),
                _ => None,
            })
            .collect();
        FdTable { slots }
    }
}

/// The file status flags `F_SETFL` may set on an open object: O_APPEND and
/// O_NONBLOCK are recorded (on the console they change nothing: a write
/// always goes to the end and never blocks). O_ASYNC (needs signals),
/// O_DIRECT and O_NOATIME (need files) are EINVAL. The access mode and
/// creation flags in `arg` are ignored, as Linux does.
pub fn status_flags(arg: i64) -> Result<i64, i64> {
    if arg & (O_ASYNC | O_DIRECT | O_NOATIME) != 0 {
        return Err(EINVAL);
    }
    Ok(arg & (O_APPEND | O_NONBLOCK))
}

#[cfg(test)]
mod fuzz;

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::{String, ToString};

    #[test]
    fn status_flags_keep_append_and_nonblock() {
        assert_eq!(
            status_flags(O_APPEND | O_NONBLOCK | 1),
            Ok(O_APPEND | O_NONBLOCK)
        );
        assert_eq!(
            status_flags(0o100 | 0o1000),
            Ok(0),
            "creation flags ignored"
        );
        assert_eq!(status_flags(O_ASYNC), Err(EINVAL));
        assert_eq!(status_flags(O_DIRECT | O_APPEND), Err(EINVAL));
    }

    fn table() -> (FdTable<String>, Rc<String>) {
        let mut t = FdTable::default();
        let console = Rc::new("console".to_string());
        assert_eq!(t.open(Rc::new("in".to_string()), false), Ok(0));
        assert_eq!(t.open(console.clone(), false), Ok(1));
        assert_eq!(t.open(console.clone(), false), Ok(2));
        (t, console)
    }

    #[test]
    fn dup_shares_the_object_and_takes_the_lowest_free_slot() {
        let (mut t, console) = table();
        assert_eq!(t.close(0), Ok(()));
        assert_eq!(t.dup_from(1, 0, false), Ok(0));
        assert!(Rc::ptr_eq(t.get(0).unwrap(), &console));
        assert_eq!(t.dup_from(1, 10, true), Ok(10));
        assert_eq!(t.cloexec(10), Ok(true));
        assert_eq!(Rc::strong_count(&console), 5);
        assert_eq!(t.close(10), Ok(()));
        assert_eq!(Rc::strong_count(&console), 4);
        assert_eq!(t.get(10), Err(EBADF));
        assert_eq!(t.close(10), Err(EBADF));
        assert_eq!(t.get(-1), Err(EBADF));
        assert_eq!(t.dup_from(1, -1, false), Err(EINVAL));
    }

    #[test]
    fn dup2_and_dup3() {
        let (mut t, console) = table();
        let input = t.get(0).unwrap().clone();
        assert_eq!(t.dup2(1, 0, false, false), Ok(0));
        assert!(Rc::ptr_eq(t.get(0).unwrap(), &console));
        assert_eq!(Rc::strong_count(&input), 1, "dup2 closed the old object");
        assert_eq!(t.dup2(2, 2, false, false), Ok(2));
        assert_eq!(t.dup2(2, 2, false, true), Err(EINVAL));
        assert_eq!(t.dup2(5, 6, false, false), Err(EBADF));
        assert_eq!(t.dup2(1, MAX_FDS as i64, false, false), Err(EBADF));
        assert_eq!(t.dup2(1, 7, true, true), Ok(7));
        assert_eq!(t.cloexec(7), Ok(true));
        assert_eq!(t.cloexec(1), Ok(false), "flags belong to the descriptor");
    }

    #[test]
    fn close_on_exec_is_per_descriptor_and_honoured_on_inherit() {
        let (mut t, console) = table();
        assert_eq!(t.set_cloexec(2, true), Ok(()));
        assert_eq!(t.set_cloexec(9, true), Err(EBADF));
        let child = t.inherited();
        assert!(child.get(0).is_ok());
        assert!(Rc::ptr_eq(child.get(1).unwrap(), &console));
        assert_eq!(child.get(2), Err(EBADF));
        assert_eq!(child.cloexec(1), Ok(false));
    }

    #[test]
    fn duplicate_keeps_flags_and_iter_lists_open_descriptors() {
        let (mut t, console) = table();
        assert_eq!(t.set_cloexec(2, true), Ok(()));
        assert_eq!(t.dup2(1, 9, false, false), Ok(9));
        let mut copy = t.duplicate();
        assert_eq!(copy.cloexec(2), Ok(true));
        assert_eq!(copy.close(1), Ok(()));
        assert!(t.get(1).is_ok(), "the copy is a separate table");
        assert!(Rc::ptr_eq(copy.get(9).unwrap(), &console));
        let open: Vec<(usize, bool)> = t.iter().map(|(fd, _, c)| (fd, c)).collect();
        assert_eq!(open, [(0, false), (1, false), (2, true), (9, false)]);
    }

    #[test]
    fn exhaustion_gives_emfile() {
        let (mut t, _) = table();
        for fd in 3..MAX_FDS {
            assert_eq!(t.dup_from(1, 0, false), Ok(fd));
        }
        assert_eq!(t.dup_from(1, 0, false), Err(EMFILE));
        assert_eq!(t.open(Rc::new("x".to_string()), false), Err(EMFILE));
        assert_eq!(t.dup_from(1, MAX_FDS as i64, false), Err(EINVAL));
        assert_eq!(t.close(40), Ok(()));
        assert_eq!(t.dup_from(1, 0, false), Ok(40));
    }
}
