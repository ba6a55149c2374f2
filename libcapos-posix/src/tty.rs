//! Terminal descriptors over the kernel's Terminal capability
//! ("terminal", docs/interfaces/terminal.md): reads and writes through
//! its line discipline, the terminal `ioctl`s (tcgetattr, tcsetattr,
//! window size, foreground group), and process groups and sessions.
//!
//! Process groups and sessions are recorded here, per process: a process
//! init starts is the leader of its own group and session (pgid = sid =
//! pid, as a login gives a shell), a child inherits its parent's (the
//! launch environment carries them, termios::GROUPS_ENV); setpgid and
//! setsid change the record, and
//! the group goes with every terminal read and readiness wait so the
//! kernel knows whom a signal character is for. The first session
//! leader with a terminal whose foreground group is unset makes its
//! group the foreground, as Linux's controlling terminal on open. See
//! docs/posix/operations.md.

use crate::dispatch::refuse;
use crate::linux::errno::{EAGAIN, EFAULT, EINTR, EINVAL, EIO, ENOTTY, EPERM, ESRCH};
use crate::linux::fcntl::O_NONBLOCK;
use crate::linux::nr;
use crate::sigcall;
use crate::state::{self, Object, Open, State};
use crate::termios::{self, TERMIOS_BYTES, WINSIZE_BYTES, request};
use capos_rt::{TermRead, Terminal};

/// Bytes per Terminal.write, well inside one ring message.
const WRITE_CHUNK: usize = 2048;

/// The process's group and session.
pub struct Groups {
    pub pgid: u64,
    pub sid: u64,
}

impl Groups {
    pub fn new(pid: u64) -> Groups {
        Groups {
            pgid: pid,
            sid: pid,
        }
    }

    /// This process's groups: what its parent passed (the launch
    /// environment's entry), else its own group and session.
    pub fn at_start(pid: u64) -> Groups {
        let inherited = libcapos::runtime::with_runtime(|rt| {
            rt.env().iter().find_map(|e| termios::parse_groups(e, pid))
        })
        .flatten();
        match inherited {
            Some((pgid, sid)) => Groups { pgid, sid },
            None => Groups::new(pid),
        }
    }

    /// The environment entry giving a child group `pgid` (None: this
    /// process's; Some(0): the child's own) and, with `new_session`, a
    /// session of its own.
    pub fn for_child(&self, pgid: Option<u64>, new_session: bool) -> alloc::vec::Vec<u8> {
        if new_session {
            return termios::groups_entry(0, 0);
        }
        termios::groups_entry(pgid.unwrap_or(self.pgid), self.sid)
    }
}

/// Tells the terminal among descriptors 0 to 2, if any, this process's
/// group, so a signal character for it reaches the process through the
/// kernel even while it runs without calls (at start and on setpgid and
/// setsid). The call is flushed, not waited for.
pub fn record_group(s: &State) {
    tell_group(s, s.groups.pgid as u32);
}

/// Takes this process out of the terminal's groups: an execve's waiting
/// process, whose program hears the terminal for it (it would otherwise
/// hear ^C too, and pass it on a second time).
pub fn leave_groups(s: &State) {
    tell_group(s, 0);
}

fn tell_group(s: &State, group: u32) {
    let call = (0..3)
        .filter_map(|fd| s.fds.get(fd).ok())
        .find_map(|open| match &open.object {
            Object::Terminal(t) => Some(t.set_group_async(group)),
            _ => None,
        });
    if call.is_some_and(|c| c.is_ok()) {
        let _ = state::ring(|ring| ring.flush());
    }
}

/// Makes the caller's group the terminal's foreground if none is set.
pub fn claim_foreground(terminal: &Terminal, groups: &Groups, pid: u64) {
    if groups.sid == pid && terminal.foreground() == Ok(0) {
        let _ = terminal.set_foreground(groups.pgid as u32);
    }
}

fn nonblocking(open: &Open) -> bool {
    open.status.get() & O_NONBLOCK != 0
}

/// `read` on a terminal: a line in canonical mode, as VMIN/VTIME say
/// otherwise. A signal character for this process's group acts as the
/// signal's action says: the call goes on (ignored, blocked, or a stop
/// capOS cannot do), ends with EINTR (a handler, which runs as the call
/// returns; SA_RESTART then repeats it), or ends the process.
pub fn read(s: &mut State, open: &Open, t: &Terminal, buf: &mut [u8]) -> Result<i64, i64> {
    loop {
        match t.read(buf, !nonblocking(open), s.groups.pgid as u32) {
            Ok(TermRead::Bytes(n)) => return Ok(n as i64),
            Ok(TermRead::Nothing) => return Ok(0),
            Ok(TermRead::WouldBlock) => return Err(EAGAIN),
            Ok(TermRead::Signal(sig)) => {
                if sigcall::arrive(s, i64::from(sig)) {
                    return Err(EINTR);
                }
            }
            Err(_) => return Err(EIO),
        }
    }
}

pub fn write(t: &Terminal, data: &[u8]) -> Result<i64, i64> {
    for chunk in data.chunks(WRITE_CHUNK) {
        t.write(chunk).map_err(|_| EIO)?;
    }
    Ok(data.len() as i64)
}

/// A terminal `ioctl` on `fd`; ENOTTY if `fd` is no terminal.
///
/// # Safety
/// `arg` is what `request` expects: NULL or a valid pointer to a struct
/// termios, struct winsize or pid_t, or an integer.
pub unsafe fn ioctl(s: &mut State, fd: i64, req: i64, arg: usize) -> Result<i64, i64> {
    let open = s.fds.get(fd)?.clone();
    let Object::Terminal(t) = &open.object else {
        return Err(ENOTTY);
    };
    let ptr = arg as *mut u8;
    let need = |len: usize| if ptr.is_null() { Err(EFAULT) } else { Ok(len) };
    match req {
        request::TCGETS => {
            need(TERMIOS_BYTES)?;
            let bytes = termios::encode(&t.mode().map_err(|_| EIO)?);
            // SAFETY: a writable struct termios per the contract.
            unsafe { ptr.copy_from_nonoverlapping(bytes.as_ptr(), bytes.len()) };
            Ok(0)
        }
        request::TCSETS | request::TCSETSW | request::TCSETSF => {
            let mut bytes = [0u8; TERMIOS_BYTES];
            need(TERMIOS_BYTES)?;
            // SAFETY: a readable struct termios per the contract.
            unsafe { ptr.copy_to_nonoverlapping(bytes.as_mut_ptr(), bytes.len()) };
            let current = t.mode().map_err(|_| EIO)?;
            let mode = termios::decode(&bytes, &current);
            // Output is written before a call returns, so TCSETSW's
            // drain has nothing to wait for.
            t.set_mode(&mode, req == request::TCSETSF)
                .map(|()| 0)
                .map_err(|_| EIO)
        }
        request::TCFLSH => match arg as i64 {
            termios::TCIFLUSH | termios::TCIOFLUSH => {
                let mode = t.mode().map_err(|_| EIO)?;
                t.set_mode(&mode, true).map(|()| 0).map_err(|_| EIO)
            }
            // Nothing waits to be written.
            termios::TCOFLUSH => Ok(0),
            _ => Err(EINVAL),
        },
        // tcdrain, tcsendbreak: output is already out; no break to send
        // on a virtual line. tcflow: output never queues to suspend.
        request::TCSBRK | request::TCXONC => Ok(0),
        request::TIOCOUTQ => {
            need(4)?;
            // SAFETY: a writable int per the contract.
            unsafe { (ptr as *mut i32).write_unaligned(0) };
            Ok(0)
        }
        request::TIOCGWINSZ => {
            need(WINSIZE_BYTES)?;
            let (rows, columns) = t.window_size().map_err(|_| EIO)?;
            let bytes = termios::encode_winsize(rows, columns);
            // SAFETY: a writable struct winsize per the contract.
            unsafe { ptr.copy_from_nonoverlapping(bytes.as_ptr(), bytes.len()) };
            Ok(0)
        }
        request::TIOCSWINSZ => {
            need(WINSIZE_BYTES)?;
            let mut bytes = [0u8; WINSIZE_BYTES];
            // SAFETY: a readable struct winsize per the contract.
            unsafe { ptr.copy_to_nonoverlapping(bytes.as_mut_ptr(), bytes.len()) };
            let (rows, columns) = termios::decode_winsize(&bytes);
            t.set_window_size(rows, columns)
                .map(|()| 0)
                .map_err(|_| EIO)
        }
        request::TIOCGPGRP => {
            need(4)?;
            let group = t.foreground().map_err(|_| EIO)?;
            // No foreground set yet: the caller's own, as the session's.
            let group = if group == 0 {
                s.groups.pgid as u32
            } else {
                group
            };
            // SAFETY: a writable pid_t per the contract.
            unsafe { (ptr as *mut i32).write_unaligned(group as i32) };
            Ok(0)
        }
        request::TIOCSPGRP => {
            need(4)?;
            // SAFETY: a readable pid_t per the contract.
            let group = i64::from(unsafe { (ptr as *const i32).read_unaligned() });
            // The terminal belongs to the session of the process that
            // holds it here (the adapter records no other).
            termios::may_set_foreground(group, s.groups.sid, s.groups.sid)?;
            t.set_foreground(group as u32).map(|()| 0).map_err(|_| EIO)
        }
        request::TIOCGSID => {
            need(4)?;
            // SAFETY: a writable pid_t per the contract.
            unsafe { (ptr as *mut i32).write_unaligned(s.groups.sid as i32) };
            Ok(0)
        }
        // The terminal is already the session's; giving it up changes
        // nothing capOS tracks.
        request::TIOCSCTTY | request::TIOCNOTTY => Ok(0),
        _ => refuse(
            s,
            nr::IOCTL,
            ENOTTY,
            "terminal requests other than termios, window size, foreground group and flushes",
        ),
    }
}

/// `setpgid(pid, pgid)`: only this process (pid 0 or its own) can be
/// moved, into its own group (pgid 0 or its pid) or a group id it names
/// in its session; a session leader cannot move (EPERM), as Linux.
pub fn setpgid(s: &mut State, pid: i64, pgid: i64) -> Result<i64, i64> {
    let own = state::pid() as i64;
    if pid < 0 || pgid < 0 {
        return Err(EINVAL);
    }
    if pid != 0 && pid != own {
        // Children are not tracked by group here: fail as for a process
        // that is not the caller's child.
        return Err(ESRCH);
    }
    if s.groups.sid == own as u64 {
        return Err(EPERM);
    }
    s.groups.pgid = if pgid == 0 { own as u64 } else { pgid as u64 };
    record_group(s);
    Ok(0)
}

/// `getpgid(pid)`: this process's group (pid 0 or its own); ESRCH for
/// any other, whose group is not recorded here.
pub fn getpgid(s: &State, pid: i64) -> Result<i64, i64> {
    if pid == 0 || pid == state::pid() as i64 {
        Ok(s.groups.pgid as i64)
    } else {
        Err(ESRCH)
    }
}

/// `getsid(pid)`, as getpgid.
pub fn getsid(s: &State, pid: i64) -> Result<i64, i64> {
    if pid == 0 || pid == state::pid() as i64 {
        Ok(s.groups.sid as i64)
    } else {
        Err(ESRCH)
    }
}

/// `setsid()`: a new session and group led by this process; EPERM if it
/// already leads a group, as Linux.
pub fn setsid(s: &mut State) -> Result<i64, i64> {
    let own = state::pid();
    if s.groups.pgid == own {
        return Err(EPERM);
    }
    s.groups = Groups::new(own);
    record_group(s);
    Ok(own as i64)
}
