//! `__capos_syscall`: musl's system call entry on capOS. Each
//! Linux-numbered operation is implemented over a capability the process
//! holds, or refused with a documented errno (docs/posix/operations.md);
//! the first refusal of each call logs one line naming it.
//!
//! Pointers come from C in the same address space. NULL where Linux
//! would read or write is EFAULT; any other invalid pointer faults the
//! process (capOS cannot probe user memory cheaply), where Linux would
//! return EFAULT.

use crate::fd::status_flags;
use crate::interrupt::{self, Waited};
use crate::linux::errno::{self, *};
use crate::linux::{self, fcntl, ioctl, nr};
use crate::mmap;
use crate::net::{self, calls, io, stream};
use crate::process::{execve, fork_call, wait_call};
use crate::report;
use crate::sigcall;
use crate::signal;
use crate::state::{self, Object, Open, State};
use crate::upcall;
use crate::{epoll, epoll_call, file, pipe, poll, poll_call, tty};
use alloc::rc::Rc;
use alloc::vec::Vec;
use capos_rt::syscall::exit;
use core::slice;

/// Bytes per Console call, keeping each well inside one ring message.
const CONSOLE_CHUNK: usize = 2048;
/// Largest iovec count Linux accepts (UIO_MAXIOV).
const IOV_MAX: i64 = 1024;

mod entries;

/// The Linux system call `n` with arguments `a1`..`a6`, for a number
/// known only at run time (`syscall()`): the result, or a negative errno.
/// musl calls each call's own entry where the number is a constant.
///
/// # Safety
/// Pointer arguments must be valid as the Linux call would require.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn __capos_syscall(
    n: i64,
    a1: i64,
    a2: i64,
    a3: i64,
    a4: i64,
    a5: i64,
    a6: i64,
) -> i64 {
    // SAFETY: passed on from this function's contract.
    unsafe { entries::by_number(n, [a1, a2, a3, a4, a5, a6]) }
}

/// How one call is answered from the state: its entry in syscalls.rs.
pub type Answer = unsafe fn(&mut State, i64, [i64; 6]) -> Result<i64, i64>;

/// Every call's way in: call `n` with arguments `a` is answered by
/// `answer`, or by the fork shim's child branch while one runs; signals
/// that came meanwhile are acted on, a handler runs (and an
/// SA_RESTART call starts again), and the result is the value or a
/// negative errno. Shared by every entry, not inlined into them.
///
/// # Safety
/// Pointer arguments must be valid as the Linux call would require.
#[inline(never)]
unsafe fn enter(n: i64, a: [i64; 6], answer: Answer) -> i64 {
    // In the fork shim's child branch, exit is a refusal like any call
    // off its allowlist (process/fork_call.rs).
    if (n == nr::EXIT || n == nr::EXIT_GROUP) && !fork_call::recording() {
        finish(a[0] & 0xff);
    }
    // No signal upcall while the call holds the adapter's state.
    let outer = upcall::hold();
    let result = loop {
        let result = state::with(|s| {
            // SAFETY: passed on from this function's contract.
            unsafe {
                match (&s.fork, s.branch) {
                    (Some(_), Some(branch)) => branch(s, n, a),
                    _ => {
                        let result = answer(s, n, a);
                        // Signals the kernel or the terminal brought
                        // meanwhile are acted on as the call returns.
                        interrupt::settle(s);
                        result
                    }
                }
            }
        });
        // A signal handler the call left runs now, outside the borrow;
        // with SA_RESTART the interrupted call starts again.
        match sigcall::run_handler() {
            Some(h)
                if result == Err(EINTR)
                    && h.flags & signal::SA_RESTART != 0
                    && signal::restartable(n) =>
            {
                continue;
            }
            _ => break result,
        }
    };
    // Returns to the parent if the child branch has just ended (the
    // jump lets upcalls come again).
    fork_call::resume_if_requested();
    if let Some(code) = state::exit_requested() {
        finish(code);
    }
    upcall::restore(outer);
    match result {
        Ok(value) => value,
        Err(errno) => -errno,
    }
}

/// Releases what the process holds and exits with `code`: a C exit's
/// `code & 0xff`, as Linux's exit status, or what execve passes on
/// (`wait::KILLED_BY | signal` for a program a signal ended). The
/// adapter's capabilities queue their releases as its state drops, then
/// libcapos drops its own and flushes the ring once.
pub fn finish(code: i64) -> ! {
    drop(state::remove());
    libcapos::runtime::finish();
    exit(code)
}

/// A refusal with `errno`, logged the first time call `n` is refused.
pub fn refuse(s: &mut State, n: i64, errno: i64, reason: &str) -> Result<i64, i64> {
    if s.reported.first(n) {
        s.log(&report::line(n, errno::name(errno), reason));
    }
    Err(errno)
}

/// A poll or select, which a signal (a terminal's, or one the kernel
/// posted) can end: the signal's action decides whether it fails with
/// EINTR or waits again (an ignored or blocked signal; the timeout then
/// starts over).
fn interruptible(s: &mut State, f: impl Fn(&mut State) -> Result<i64, i64>) -> Result<i64, i64> {
    loop {
        let r = f(s);
        let sig = s.arrived.take();
        if sig == 0 || r != Err(EINTR) || sigcall::arrive(s, i64::from(sig)) {
            return r;
        }
    }
}

/// Whether `fd` is a TCP socket (whose socket calls go to net/stream.rs).
fn is_tcp(s: &State, fd: i64) -> bool {
    s.fds
        .get(fd)
        .is_ok_and(|o| matches!(o.object, Object::Tcp(_)))
}

/// The open description at `fd` if it can be written (EBADF for a pipe's
/// read end, as a descriptor opened O_RDONLY).
fn writable(s: &State, fd: i64) -> Result<Rc<Open>, i64> {
    let open = s.fds.get(fd)?;
    match &open.object {
        Object::Console(_)
        | Object::PipeWriter(_)
        | Object::Udp(_)
        | Object::Tcp(_)
        | Object::Terminal(_) => Ok(open.clone()),
        Object::File(f) if f.write => Ok(open.clone()),
        Object::PipeReader(_) | Object::File(_) | Object::Directory(_) => Err(EBADF),
        // Linux: an epoll descriptor has no write.
        Object::Epoll(_) => Err(EINVAL),
    }
}

/// `read` on a pipe's read end; anything else is EBADF (the console is
/// write-only, as a Linux descriptor opened O_WRONLY).
unsafe fn read(s: &mut State, fd: i64, buf: *mut u8, len: usize) -> Result<i64, i64> {
    let open = s.fds.get(fd)?.clone();
    if let Object::File(_) | Object::Directory(_) = open.object {
        if len == 0 {
            return file::io::read(&open, &mut []);
        }
        if buf.is_null() {
            return Err(EFAULT);
        }
        // SAFETY: per the contract, `buf` holds `len` writable bytes.
        return file::io::read(&open, unsafe { slice::from_raw_parts_mut(buf, len) });
    }
    if let Object::Tcp(_) = open.object {
        if len > 0 && buf.is_null() {
            return Err(EFAULT);
        }
        let out: &mut [u8] = if len == 0 {
            &mut []
        } else {
            // SAFETY: per the contract, `buf` holds `len` writable bytes.
            unsafe { slice::from_raw_parts_mut(buf, len) }
        };
        let r = stream::recv(&open, out, false, false, false);
        return net::answer(s, nr::READ, r);
    }
    if let Object::Udp(_) = open.object {
        // Linux's read of nothing takes no datagram (recv would).
        if len == 0 {
            return Ok(0);
        }
        // SAFETY: passed on from the contract.
        let r = unsafe { io::read(s, fd, buf, len) };
        return net::answer(s, nr::READ, r);
    }
    if let Object::Epoll(_) = open.object {
        return Err(EINVAL);
    }
    if len == 0 {
        return match open.object {
            Object::PipeReader(_) | Object::Terminal(_) => Ok(0),
            _ => Err(EBADF),
        };
    }
    if buf.is_null() {
        return Err(EFAULT);
    }
    if let Object::Terminal(t) = &open.object {
        // SAFETY: per the contract, `buf` holds `len` writable bytes.
        let out = unsafe { slice::from_raw_parts_mut(buf, len) };
        return tty::read(s, &open, t, out);
    }
    let Object::PipeReader(reader) = &open.object else {
        return Err(EBADF);
    };
    // SAFETY: per the contract, `buf` holds `len` writable bytes.
    let out = unsafe { slice::from_raw_parts_mut(buf, len) };
    pipe::read(s, &open, reader, out)
}

/// `readv`: one read into a buffer as large as the iovecs (up to a pipe
/// chunk), scattered over them.
unsafe fn readv(s: &mut State, fd: i64, iov: *const [usize; 2], count: i64) -> Result<i64, i64> {
    let open = s.fds.get(fd)?.clone();
    let reader = match &open.object {
        Object::PipeReader(reader) => Some(reader),
        Object::File(_)
        | Object::Directory(_)
        | Object::Udp(_)
        | Object::Tcp(_)
        | Object::Terminal(_) => None,
        _ => return Err(EBADF),
    };
    if !(0..=IOV_MAX).contains(&count) {
        return Err(EINVAL);
    }
    if count > 0 && iov.is_null() {
        return Err(EFAULT);
    }
    // SAFETY: per the contract, `iov` holds `count` iovecs naming
    // writable memory.
    let iovs = unsafe { slice::from_raw_parts(iov, count as usize) };
    let total: usize = iovs.iter().map(|[_, len]| len).sum();
    if total == 0 {
        return Ok(0);
    }
    if iovs.iter().any(|&[base, len]| len > 0 && base == 0) {
        return Err(EFAULT);
    }
    if let Object::Tcp(_) = open.object {
        let mut buf = alloc::vec![0u8; total.min(capos_abi::tcp::BUFFER_BYTES)];
        let r = stream::recv(&open, &mut buf, false, false, false);
        let got = net::answer(s, nr::READV, r)? as usize;
        let mut rest = &buf[..got];
        for &[base, len] in iovs {
            let n = len.min(rest.len());
            // SAFETY: each iovec names writable memory per the contract;
            // `n` is within it.
            unsafe { slice::from_raw_parts_mut(base as *mut u8, n) }.copy_from_slice(&rest[..n]);
            rest = &rest[n..];
        }
        return Ok(got as i64);
    }
    if reader.is_none() && matches!(open.object, Object::Udp(_)) {
        let mut parts: Vec<&mut [u8]> = iovs
            .iter()
            .filter(|&&[_, len]| len > 0)
            // SAFETY: as above; each iovec is its own writable range.
            .map(|&[base, len]| unsafe { slice::from_raw_parts_mut(base as *mut u8, len) })
            .collect();
        let r = io::readv(s, fd, &mut parts);
        return net::answer(s, nr::READV, r);
    }
    let got_buf = match (reader, &open.object) {
        (_, Object::Terminal(t)) => {
            let mut buf = alloc::vec![0u8; total.min(capos_abi::terminal::MAX_READ)];
            let got = tty::read(s, &open, t, &mut buf)? as usize;
            buf.truncate(got);
            buf
        }
        (Some(reader), _) => {
            let mut buf = alloc::vec![0u8; total.min(capos_rt::MAX_PIPE_CHUNK)];
            let got = pipe::read(s, &open, reader, &mut buf)? as usize;
            buf.truncate(got);
            buf
        }
        // A file fills every iovec it can, as Linux's.
        (None, _) => {
            let mut buf = alloc::vec![0u8; total];
            let got = file::io::read(&open, &mut buf)? as usize;
            buf.truncate(got);
            buf
        }
    };
    let got = got_buf.len();
    let buf = got_buf;
    let mut rest = &buf[..got];
    for &[base, len] in iovs {
        let n = len.min(rest.len());
        // SAFETY: as above; `n` is within this iovec.
        unsafe { slice::from_raw_parts_mut(base as *mut u8, n) }.copy_from_slice(&rest[..n]);
        rest = &rest[n..];
    }
    Ok(got as i64)
}

/// Terminal requests (TCGETS, TIOCGWINSZ, which `isatty` issues, ...)
/// go to tty.rs for a terminal descriptor; on anything else they are
/// ENOTTY, as for a Linux pipe (the console is a serial log, not a
/// terminal). The requests every descriptor answers work, and FIONREAD
/// on a socket.
///
/// # Safety
/// For FIONBIO, `arg` is NULL or a readable int; for FIONREAD, NULL or a
/// writable one.
unsafe fn ioctl_call(s: &mut State, fd: i64, request: i64, arg: *const i32) -> Result<i64, i64> {
    let open: &Open = s.fds.get(fd)?;
    if request == ioctl::FIONREAD && matches!(open.object, Object::Tcp(_)) {
        // SAFETY: passed on from the contract.
        let r = unsafe { stream::pending(s, fd, arg as *mut i32) };
        return net::answer(s, nr::IOCTL, r);
    }
    if request == ioctl::FIONREAD && matches!(open.object, Object::Udp(_)) {
        // SAFETY: passed on from the contract.
        let r = unsafe { io::pending(s, fd, arg as *mut i32) };
        return net::answer(s, nr::IOCTL, r);
    }
    match request {
        ioctl::FIOCLEX | ioctl::FIONCLEX => {
            s.fds.set_cloexec(fd, request == ioctl::FIOCLEX).map(|()| 0)
        }
        ioctl::FIONBIO => {
            if arg.is_null() {
                return Err(EFAULT);
            }
            // SAFETY: a readable int per the contract.
            let on = unsafe { arg.read_unaligned() } != 0;
            let status = open.status.get() & !fcntl::O_NONBLOCK;
            open.status
                .set(status | if on { fcntl::O_NONBLOCK } else { 0 });
            Ok(0)
        }
        // SAFETY: passed on from the contract.
        _ if matches!(open.object, Object::Terminal(_)) => unsafe {
            tty::ioctl(s, fd, request, arg as usize)
        },
        _ => Err(ENOTTY),
    }
}

unsafe fn write(s: &mut State, fd: i64, buf: *const u8, len: usize) -> Result<i64, i64> {
    let open = writable(s, fd)?;
    // A write of nothing to a socket sends an empty datagram, as Linux.
    if len == 0 && !matches!(open.object, Object::Udp(_)) {
        return Ok(0);
    }
    if buf.is_null() && len > 0 {
        return Err(EFAULT);
    }
    let data: &[u8] = if len == 0 {
        &[]
    } else {
        // SAFETY: per the contract, `buf` holds `len` readable bytes.
        unsafe { slice::from_raw_parts(buf, len) }
    };
    match &open.object {
        Object::PipeWriter(writer) => pipe::write(s, &open, writer, data),
        Object::Console(console) => {
            for chunk in data.chunks(CONSOLE_CHUNK) {
                console.write(chunk).map_err(|_| EIO)?;
            }
            Ok(len as i64)
        }
        Object::File(_) => file::io::write(&open, data),
        Object::Terminal(t) => tty::write(t, data),
        Object::Udp(_) => {
            let r = io::write(s, fd, data);
            net::answer(s, nr::WRITE, r)
        }
        Object::Tcp(_) => {
            let r = stream::send(s, &open, data, false, false);
            net::answer(s, nr::WRITE, r)
        }
        Object::PipeReader(_) | Object::Directory(_) => Err(EBADF),
        Object::Epoll(_) => Err(EINVAL),
    }
}

unsafe fn writev(s: &mut State, fd: i64, iov: *const [usize; 2], count: i64) -> Result<i64, i64> {
    writable(s, fd)?;
    if !(0..=IOV_MAX).contains(&count) {
        return Err(EINVAL);
    }
    if count > 0 && iov.is_null() {
        return Err(EFAULT);
    }
    // Gathered into one buffer so a line musl writes in two parts (its
    // buffer and the caller's) reaches the console in one call.
    let mut data = Vec::new();
    for i in 0..count as usize {
        // SAFETY: per the contract, `iov` holds `count` iovecs, each a
        // (base, len) pair naming readable memory.
        let [base, len] = unsafe { iov.add(i).read() };
        if len == 0 {
            continue;
        }
        if base == 0 {
            return Err(EFAULT);
        }
        // SAFETY: as above.
        data.extend_from_slice(unsafe { slice::from_raw_parts(base as *const u8, len) });
    }
    // SAFETY: `data` is a live buffer of its length.
    unsafe { write(s, fd, data.as_ptr(), data.len()) }
}

/// close(2): the descriptor goes; when it was a TCP socket's last one in
/// this process, SO_LINGER is applied first (net/stream.rs linger_close).
fn close(s: &mut State, fd: i64) -> Result<i64, i64> {
    let open = s.fds.get(fd)?.clone();
    if matches!(open.object, Object::Tcp(_))
        && s.fds
            .iter()
            .filter(|(_, o, _)| Rc::ptr_eq(o, &open))
            .count()
            == 1
    {
        stream::linger_close(&open);
    }
    s.fds.close(fd).map(|()| 0)
}

fn dup(s: &mut State, fd: i64, min: i64, cloexec: bool) -> Result<i64, i64> {
    s.fds.dup_from(fd, min, cloexec).map(|fd| fd as i64)
}

fn fcntl_call(s: &mut State, fd: i64, cmd: i64, arg: i64) -> Result<i64, i64> {
    match cmd {
        fcntl::F_DUPFD => dup(s, fd, arg, false),
        fcntl::F_DUPFD_CLOEXEC => dup(s, fd, arg, true),
        fcntl::F_GETFD => s.fds.cloexec(fd).map(i64::from),
        fcntl::F_SETFD => s
            .fds
            .set_cloexec(fd, arg & fcntl::FD_CLOEXEC != 0)
            .map(|()| 0),
        fcntl::F_GETFL => s
            .fds
            .get(fd)
            .map(|o| o.object.access_mode() | crate::file::io::status(o)),
        fcntl::F_SETFL => {
            let open = s.fds.get(fd)?;
            match status_flags(arg) {
                Ok(flags) => crate::file::io::set_status(open, flags).map(|()| 0),
                Err(e) => refuse(s, nr::FCNTL, e, "O_ASYNC, O_DIRECT and O_NOATIME"),
            }
        }
        _ => {
            s.fds.get(fd)?;
            refuse(
                s,
                nr::FCNTL,
                EINVAL,
                "only descriptor and status flag commands",
            )
        }
    }
}

fn map(s: &mut State, n: i64, a: [i64; 6]) -> Result<i64, i64> {
    let fd_open = s.fds.get(a[4]).is_ok();
    let request = match mmap::check(a[0] as u64, a[1] as u64, a[2], a[3], a[5], fd_open) {
        Ok(request) => request,
        Err(ENODEV) => return refuse(s, n, ENODEV, "no capOS object can be mapped yet"),
        Err(EINVAL) if a[3] & (mmap::MAP_SHARED | mmap::MAP_FIXED) != 0 => {
            let why = "only private anonymous mappings, without MAP_FIXED";
            return refuse(s, n, EINVAL, why);
        }
        Err(e) => return Err(e),
    };
    let Some(memory) = &s.memory else {
        return refuse(s, n, ENOMEM, "no \"memory\" capability");
    };
    memory
        .map(request.hint, request.len, request.prot)
        .map(|addr| addr as i64)
        .map_err(|_| ENOMEM)
}

fn unmap(s: &mut State, addr: u64, len: u64) -> Result<i64, i64> {
    if !addr.is_multiple_of(4096) {
        return Err(EINVAL);
    }
    let len = mmap::pages(len)?;
    let memory = s.memory.as_ref().ok_or(EINVAL)?;
    memory.unmap(addr, len).map(|()| 0).map_err(|_| EINVAL)
}

fn protect(s: &mut State, addr: u64, len: u64, prot: i64) -> Result<i64, i64> {
    if !addr.is_multiple_of(4096) {
        return Err(EINVAL);
    }
    let prot = mmap::prot(prot)?;
    if len == 0 {
        return Ok(0);
    }
    let len = mmap::pages(len)?;
    let memory = s.memory.as_ref().ok_or(ENOMEM)?;
    memory
        .protect(addr, len, prot)
        .map(|()| 0)
        .map_err(|_| ENOMEM)
}

const NS_PER_S: u64 = 1_000_000_000;

/// Whether `clock` reads the wall clock (`Some(true)`) or the monotonic
/// one (`Some(false)`). capOS never suspends, so CLOCK_BOOTTIME is the
/// monotonic clock; the coarse and raw variants read the same clocks.
/// CPU-time clocks have nothing behind them (no CPU accounting).
fn clock_kind(clock: i64) -> Option<bool> {
    match clock {
        linux::CLOCK_REALTIME | linux::CLOCK_REALTIME_COARSE => Some(true),
        linux::CLOCK_MONOTONIC
        | linux::CLOCK_MONOTONIC_RAW
        | linux::CLOCK_MONOTONIC_COARSE
        | linux::CLOCK_BOOTTIME => Some(false),
        _ => None,
    }
}

/// getrandom(2) over the "random" EntropySource. Without one it fails
/// closed: no randomness is made up. Flags change nothing: the source
/// never blocks and has one pool.
///
/// # Safety
/// `buf` must be writable for `len` bytes, as getrandom's caller promises.
unsafe fn getrandom(
    s: &mut State,
    n: i64,
    buf: *mut u8,
    len: usize,
    flags: i64,
) -> Result<i64, i64> {
    const GRND_NONBLOCK: i64 = 1;
    const GRND_RANDOM: i64 = 2;
    const GRND_INSECURE: i64 = 4;
    if flags & !(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE) != 0 {
        return Err(EINVAL);
    }
    let Some(source) = s.entropy.as_ref() else {
        return refuse(
            s,
            n,
            ENOSYS,
            "no \"random\" EntropySource capability granted",
        );
    };
    if len == 0 {
        return Ok(0);
    }
    if buf.is_null() {
        return Err(EFAULT);
    }
    // Linux returns at most this much per call, too.
    let len = len.min(33_554_431);
    // SAFETY: the caller's promise, for `len` bytes (capped above).
    let out = unsafe { slice::from_raw_parts_mut(buf, len) };
    match source.fill(out) {
        Ok(()) => Ok(len as i64),
        Err(capos_rt::Error::Application {
            kind: capos_rt::ExceptionType::Unimplemented,
            ..
        }) => refuse(s, n, ENOSYS, "the CPU has no hardware random generator"),
        Err(_) => Err(EIO),
    }
}

unsafe fn clock_gettime(s: &mut State, n: i64, clock: i64, ts: *mut i64) -> Result<i64, i64> {
    let Some(wall) = clock_kind(clock) else {
        if clock == linux::CLOCK_PROCESS_CPUTIME_ID || clock == linux::CLOCK_THREAD_CPUTIME_ID {
            return refuse(s, n, EINVAL, "capOS measures no CPU time per process");
        }
        return Err(EINVAL);
    };
    let Some(timer) = &s.timer else {
        return refuse(s, n, ENOSYS, "no \"timer\" capability");
    };
    let ns = if wall {
        timer.wall_clock()
    } else {
        timer.now()
    }
    .map_err(|_| EIO)?;
    if ts.is_null() {
        return Err(EFAULT);
    }
    // SAFETY: per the contract `ts` is a writable struct timespec.
    unsafe {
        ts.write((ns / NS_PER_S) as i64);
        ts.add(1).write((ns % NS_PER_S) as i64);
    }
    Ok(0)
}

unsafe fn gettimeofday(s: &mut State, n: i64, tv: *mut i64, tz: *mut i32) -> Result<i64, i64> {
    if !tv.is_null() {
        let Some(timer) = &s.timer else {
            return refuse(s, n, ENOSYS, "no \"timer\" capability");
        };
        let ns = timer.wall_clock().map_err(|_| EIO)?;
        // SAFETY: a writable struct timeval per the contract.
        unsafe {
            tv.write((ns / NS_PER_S) as i64);
            tv.add(1).write((ns % NS_PER_S / 1000) as i64);
        }
    }
    if !tz.is_null() {
        // capOS keeps UTC and no time zone: minutes west 0, no DST.
        // SAFETY: a writable struct timezone per the contract.
        unsafe {
            tz.write(0);
            tz.add(1).write(0);
        }
    }
    Ok(0)
}

/// Reads a relative or absolute `struct timespec` as nanoseconds.
///
/// # Safety
/// `ts` is NULL or a readable struct timespec.
unsafe fn timespec_ns(ts: *const i64) -> Result<u64, i64> {
    if ts.is_null() {
        return Err(EFAULT);
    }
    // SAFETY: a readable struct timespec per the contract.
    let (sec, nsec) = unsafe { (ts.read(), ts.add(1).read()) };
    if sec < 0 || !(0..NS_PER_S as i64).contains(&nsec) {
        return Err(EINVAL);
    }
    Ok((sec as u64)
        .saturating_mul(NS_PER_S)
        .saturating_add(nsec as u64))
}

unsafe fn nanosleep(s: &mut State, n: i64, req: *const i64, rem: *mut i64) -> Result<i64, i64> {
    // SAFETY: passed on from the caller's contract.
    let ns = unsafe { timespec_ns(req) }?;
    if s.timer.is_none() {
        return refuse(s, n, ENOSYS, "no \"timer\" capability");
    }
    // SAFETY: passed on from the caller's contract.
    unsafe { sleep(s, ns, rem) }
}

/// Sleeps `ns` on the timer (which the caller checked is there). A
/// terminal's signal character ends the sleep as its action says: EINTR
/// with the time left in `rem` (if not NULL) for a handler or the end of
/// the process; an ignored or blocked one lets the sleep go on.
///
/// # Safety
/// `rem` is NULL or a writable struct timespec.
unsafe fn sleep(s: &mut State, ns: u64, rem: *mut i64) -> Result<i64, i64> {
    let now = |s: &State| s.timer.as_ref().ok_or(EIO)?.now().map_err(|_| EIO);
    let deadline = now(s)?.saturating_add(ns);
    loop {
        let left = deadline.saturating_sub(now(s)?);
        if left == 0 {
            return Ok(0);
        }
        let timer = s.timer.as_ref().ok_or(EIO)?;
        let call = timer.sleep_async(left).map_err(|_| EIO)?;
        match interrupt::wait(s, call)? {
            Waited::Done(Ok(_)) => return Ok(0),
            Waited::Done(Err(_)) => return Err(EIO),
            Waited::Signal(sig) => {
                if sigcall::arrive(s, i64::from(sig)) {
                    if !rem.is_null() {
                        let left = deadline.saturating_sub(now(s)?);
                        // SAFETY: a writable struct timespec per the contract.
                        unsafe {
                            rem.write((left / NS_PER_S) as i64);
                            rem.add(1).write((left % NS_PER_S) as i64);
                        }
                    }
                    return Err(EINTR);
                }
            }
        }
    }
}

/// `clock_nanosleep(clock, flags, req, rem)`: relative, or until `req`
/// on `clock` with TIMER_ABSTIME; the result is 0 or a negative errno,
/// as the Linux call's.
unsafe fn clock_nanosleep(
    s: &mut State,
    n: i64,
    clock: i64,
    flags: i64,
    req: *const i64,
    rem: *mut i64,
) -> Result<i64, i64> {
    const TIMER_ABSTIME: i64 = 1;
    let wall = clock_kind(clock).ok_or(EINVAL)?;
    // SAFETY: passed on from the caller's contract.
    let mut ns = unsafe { timespec_ns(req) }?;
    let Some(timer) = &s.timer else {
        return refuse(s, n, ENOSYS, "no \"timer\" capability");
    };
    if flags & TIMER_ABSTIME != 0 {
        let now = if wall {
            timer.wall_clock()
        } else {
            timer.now()
        }
        .map_err(|_| EIO)?;
        ns = ns.saturating_sub(now);
    }
    // An absolute sleep leaves `rem` alone, as Linux.
    let rem = if flags & TIMER_ABSTIME != 0 {
        core::ptr::null_mut()
    } else {
        rem
    };
    // SAFETY: passed on from the caller's contract.
    unsafe { sleep(s, ns, rem) }
}

/// Fields of struct utsname, 65 bytes each.
const UTS_FIELDS: [&[u8]; 6] = [b"capOS", b"capos", b"0.1.0", b"capOS", b"x86_64", b"(none)"];

unsafe fn uname(buf: *mut u8) -> Result<i64, i64> {
    if buf.is_null() {
        return Err(EFAULT);
    }
    for (i, field) in UTS_FIELDS.iter().enumerate() {
        // SAFETY: a writable struct utsname (6 x 65 bytes) per the
        // contract; each field is shorter than 65 bytes.
        unsafe {
            let dst = buf.add(i * 65);
            dst.write_bytes(0, 65);
            dst.copy_from_nonoverlapping(field.as_ptr(), field.len());
        }
    }
    Ok(0)
}
