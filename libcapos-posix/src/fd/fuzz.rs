//! Random sequences of descriptor operations (open, close, dup, F_DUPFD,
//! dup2, dup3, F_GETFD, F_SETFD, inheriting) against a model written from
//! Linux's rules: a fixed array of slots, each naming an object and its
//! close-on-exec flag. Every result and errno must match, every
//! descriptor must name the model's object, and each object must be held
//! once per descriptor naming it (so closing the last one drops it).

use super::*;
use crate::linux::fcntl::O_CLOEXEC;
use proptest::collection;
use proptest::prelude::*;
use std::vec::Vec;

#[derive(Debug, Clone)]
enum Op {
    /// open_from(min, new object, cloexec); `open` when min is 0.
    Open(usize, bool),
    Close(i64),
    /// dup / F_DUPFD / F_DUPFD_CLOEXEC: (fd, min, cloexec).
    Dup(i64, i64, bool),
    /// dup2 / dup3: (old, new, cloexec, dup3).
    Dup2(i64, i64, bool, bool),
    GetFd(i64),
    SetFd(i64, bool),
    Get(i64),
    Inherit,
}

/// Descriptor numbers: mostly real slots, sometimes just past the limit,
/// negative or absurd.
fn fd() -> impl Strategy<Value = i64> {
    prop_oneof![
        8 => 0..8i64,
        4 => -2..MAX_FDS as i64 + 3,
        1 => Just(i64::MIN),
        1 => Just(i64::MAX),
        1 => any::<i64>(),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    let min = prop_oneof![6 => 0..8usize, 2 => 0..MAX_FDS + 3, 1 => Just(usize::MAX)];
    prop_oneof![
        4 => (min, any::<bool>()).prop_map(|(m, c)| Op::Open(m, c)),
        3 => fd().prop_map(Op::Close),
        3 => (fd(), fd(), any::<bool>()).prop_map(|(f, m, c)| Op::Dup(f, m, c)),
        3 => (fd(), fd(), any::<bool>(), any::<bool>())
            .prop_map(|(o, n, c, d)| Op::Dup2(o, n, c, d)),
        1 => fd().prop_map(Op::GetFd),
        1 => (fd(), any::<bool>()).prop_map(|(f, c)| Op::SetFd(f, c)),
        2 => fd().prop_map(Op::Get),
        1 => Just(Op::Inherit),
    ]
}

/// Slot -> (object number, close-on-exec).
type Model = [Option<(usize, bool)>; MAX_FDS];

fn slot(fd: i64) -> Option<usize> {
    usize::try_from(fd).ok().filter(|&fd| fd < MAX_FDS)
}

fn open_in(model: &Model, fd: i64) -> Result<(usize, bool), i64> {
    slot(fd).and_then(|fd| model[fd]).ok_or(EBADF)
}

/// The lowest free slot at or above `min` (Linux's alloc_fd).
fn lowest_free(model: &Model, min: usize) -> Result<usize, i64> {
    if min >= MAX_FDS {
        return Err(EINVAL);
    }
    (min..MAX_FDS).find(|&fd| model[fd].is_none()).ok_or(EMFILE)
}

/// What Linux answers, and the model after it.
fn expected(model: &mut Model, objects: usize, op: &Op) -> Result<usize, i64> {
    match *op {
        Op::Open(min, cloexec) => {
            let fd = lowest_free(model, min)?;
            model[fd] = Some((objects, cloexec));
            Ok(fd)
        }
        Op::Close(fd) => {
            open_in(model, fd)?;
            model[fd as usize] = None;
            Ok(0)
        }
        Op::Dup(fd, min, cloexec) => {
            let (object, _) = open_in(model, fd)?;
            // F_DUPFD takes the minimum as unsigned: negative is too big.
            let min = usize::try_from(min).map_err(|_| EINVAL)?;
            let new = lowest_free(model, min)?;
            model[new] = Some((object, cloexec));
            Ok(new)
        }
        Op::Dup2(old, new, cloexec, dup3) => {
            // Linux's ksys_dup3 refuses old == new before looking at either.
            if dup3 && old == new {
                return Err(EINVAL);
            }
            let new_slot = slot(new).ok_or(EBADF)?;
            let (object, _) = open_in(model, old)?;
            if old != new {
                model[new_slot] = Some((object, cloexec));
            }
            Ok(new_slot)
        }
        Op::GetFd(fd) => open_in(model, fd).map(|(_, cloexec)| usize::from(cloexec)),
        Op::SetFd(fd, cloexec) => {
            let (object, _) = open_in(model, fd)?;
            model[fd as usize] = Some((object, cloexec));
            Ok(0)
        }
        Op::Get(fd) => open_in(model, fd).map(|(object, _)| object),
        Op::Inherit => Ok(0),
    }
}

fn check(
    table: &FdTable<usize>,
    model: &Model,
    objects: &[Rc<usize>],
) -> Result<(), TestCaseError> {
    for fd in 0..MAX_FDS as i64 + 2 {
        match open_in(model, fd) {
            Ok((object, cloexec)) => {
                prop_assert!(Rc::ptr_eq(table.get(fd).unwrap(), &objects[object]));
                prop_assert_eq!(table.cloexec(fd), Ok(cloexec));
            }
            Err(_) => prop_assert_eq!(table.get(fd).err(), Some(EBADF)),
        }
    }
    for (number, object) in objects.iter().enumerate() {
        let naming = model.iter().flatten().filter(|(o, _)| *o == number).count();
        prop_assert_eq!(
            Rc::strong_count(object),
            1 + naming,
            "object {} held wrongly",
            number
        );
    }
    Ok(())
}

#[test]
fn descriptor_operations_match_linux() {
    capos_fuzz::check(256, collection::vec(op(), 0..100), |ops| {
        let mut table = FdTable::default();
        let mut model: Model = [None; MAX_FDS];
        // Every object made, held here once more than by the table.
        let mut objects: Vec<Rc<usize>> = Vec::new();
        for op in &ops {
            let want = expected(&mut model, objects.len(), op);
            let got = match *op {
                Op::Open(min, cloexec) => {
                    let object = Rc::new(objects.len());
                    objects.push(object.clone());
                    if min == 0 {
                        table.open(object, cloexec)
                    } else {
                        table.open_from(min, object, cloexec)
                    }
                }
                Op::Close(fd) => table.close(fd).map(|()| 0),
                Op::Dup(fd, min, cloexec) => table.dup_from(fd, min, cloexec),
                Op::Dup2(old, new, cloexec, dup3) => table.dup2(old, new, cloexec, dup3),
                Op::GetFd(fd) => table.cloexec(fd).map(usize::from),
                Op::SetFd(fd, cloexec) => table.set_cloexec(fd, cloexec).map(|()| 0),
                Op::Get(fd) => table.get(fd).map(|object| **object),
                Op::Inherit => {
                    let child = table.inherited();
                    for fd in 0..MAX_FDS as i64 {
                        match open_in(&model, fd) {
                            Ok((object, false)) => {
                                prop_assert!(Rc::ptr_eq(child.get(fd).unwrap(), &objects[object]));
                                prop_assert_eq!(child.cloexec(fd), Ok(false));
                            }
                            _ => prop_assert_eq!(child.get(fd).err(), Some(EBADF)),
                        }
                    }
                    Ok(0)
                }
            };
            prop_assert_eq!(got, want, "{:?}", op);
            check(&table, &model, &objects)?;
        }
        Ok(())
    });
}

#[test]
fn status_flags_keep_append_and_nonblock_and_refuse_the_rest() {
    let flag = prop::sample::select(
        &[
            O_APPEND, O_NONBLOCK, O_ASYNC, O_DIRECT, O_NOATIME, O_CLOEXEC, 0o1, 0o100,
        ][..],
    );
    let arg = prop_oneof![
        collection::vec(flag, 0..4).prop_map(|flags| flags.iter().fold(0, |a, f| a | f)),
        any::<i64>(),
    ];
    capos_fuzz::check(512, arg, |arg| {
        let refused = arg & (O_ASYNC | O_DIRECT | O_NOATIME) != 0;
        let expected = if refused {
            Err(EINVAL)
        } else {
            Ok(arg & (O_APPEND | O_NONBLOCK))
        };
        prop_assert_eq!(status_flags(arg), expected);
        Ok(())
    });
}
