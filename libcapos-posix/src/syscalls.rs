//! The Linux calls libcapos-posix implements, listed once: each call's C
//! entry, number and answer. dispatch/entries.rs makes of each line a C
//! function `__capos_sys_NAME` and the by-number dispatcher
//! `__capos_syscall`; musl reaches each entry directly where its call's
//! number is a constant (vendor/musl/overlay/arch/x86_64/syscall_arch.h,
//! through capos_calls.h, which the test below generates from this list
//! and checks), so the linker keeps only the calls a program makes.

/// Hands the list to `$then`, a macro taking
/// `|s, n, a| C_ENTRY = NUMBER => ANSWER; ...`: ANSWER is the call's
/// result from the adapter's state `s`, its number `n` and its arguments
/// `a`.
macro_rules! each_call {
    ($then:ident) => {
        $then! { |s, n, a|
        __capos_sys_write = nr::WRITE => write(s, a[0], a[1] as *const u8, a[2] as usize);
        __capos_sys_writev = nr::WRITEV => writev(s, a[0], a[1] as *const [usize; 2], a[2]);
        __capos_sys_read = nr::READ => read(s, a[0], a[1] as *mut u8, a[2] as usize);
        __capos_sys_readv = nr::READV => readv(s, a[0], a[1] as *const [usize; 2], a[2]);
        __capos_sys_pipe = nr::PIPE => pipe::pipe2(s, n, a[0] as *mut i32, 0);
        __capos_sys_pipe2 = nr::PIPE2 => pipe::pipe2(s, n, a[0] as *mut i32, a[1]);
        __capos_sys_epoll_create1 = nr::EPOLL_CREATE1 => epoll_call::create(s, a[0]);
        __capos_sys_epoll_create = nr::EPOLL_CREATE => {
            if (a[0] as i32) <= 0 {
                Err(EINVAL)
            } else {
                epoll_call::create(s, 0)
            }
        };
        __capos_sys_epoll_ctl = nr::EPOLL_CTL => {
            match epoll_call::ctl(s, a[0], a[1], a[2], a[3] as *const _) {
                Ok(v) => Ok(v),
                Err((errno, true)) => refuse(s, n, errno, epoll::EDGE_TRIGGERED),
                Err((errno, false)) => Err(errno),
            }
        };
        __capos_sys_epoll_wait = nr::EPOLL_WAIT => {
            let timeout = poll::poll_timeout(a[3] as i32 as i64);
            epoll_call::wait(s, a[0], a[1] as *mut _, a[2], timeout)
        };
        __capos_sys_epoll_pwait = nr::EPOLL_PWAIT => {
            poll_call::check_sigmask(a[4], a[5])?;
            let timeout = poll::poll_timeout(a[3] as i32 as i64);
            epoll_call::wait(s, a[0], a[1] as *mut _, a[2], timeout)
        };
        __capos_sys_epoll_pwait2 = nr::EPOLL_PWAIT2 => {
            poll_call::check_sigmask(a[4], a[5])?;
            let timeout = poll_call::timeout(a[3] as *const i64, 1)?;
            epoll_call::wait(s, a[0], a[1] as *mut _, a[2], timeout)
        };
        __capos_sys_poll = nr::POLL => interruptible(s, |s| {
            poll_call::poll(s, a[0] as *mut _, a[1] as u64, poll::poll_timeout(a[2]))
        });
        __capos_sys_ppoll = nr::PPOLL => {
            poll_call::check_sigmask(a[3], a[4])?;
            let timeout = poll_call::timeout(a[2] as *const i64, 1)?;
            interruptible(s, |s| poll_call::poll(s, a[0] as *mut _, a[1] as u64, timeout))
        };
        __capos_sys_select = nr::SELECT => {
            let timeout = poll_call::timeout(a[4] as *const i64, 1000)?;
            interruptible(s, |s| select(s, a, timeout))
        };
        __capos_sys_pselect6 = nr::PSELECT6 => {
            // a[5]: { const sigset_t *mask; size_t size }, or NULL.
            let sig = a[5] as *const i64;
            if !sig.is_null() {
                // SAFETY: two readable longs per the contract.
                let (mask, size) = (sig.read_unaligned(), sig.add(1).read_unaligned());
                poll_call::check_sigmask(mask, size)?;
            }
            let timeout = poll_call::timeout(a[4] as *const i64, 1)?;
            interruptible(s, |s| select(s, a, timeout))
        };
        __capos_sys_open = nr::OPEN => file_call(s, n, a);
        __capos_sys_openat = f::OPENAT => file_call(s, n, a);
        __capos_sys_creat = f::CREAT => file_call(s, n, a);
        __capos_sys_lseek = f::LSEEK => file_call(s, n, a);
        __capos_sys_pread64 = f::PREAD64 => file_call(s, n, a);
        __capos_sys_pwrite64 = f::PWRITE64 => file_call(s, n, a);
        __capos_sys_fstat = f::FSTAT => file_call(s, n, a);
        __capos_sys_stat = f::STAT => file_call(s, n, a);
        __capos_sys_lstat = f::LSTAT => file_call(s, n, a);
        __capos_sys_newfstatat = f::NEWFSTATAT => file_call(s, n, a);
        __capos_sys_statx = f::STATX => file_call(s, n, a);
        __capos_sys_access = f::ACCESS => file_call(s, n, a);
        __capos_sys_faccessat = f::FACCESSAT => file_call(s, n, a);
        __capos_sys_faccessat2 = f::FACCESSAT2 => file_call(s, n, a);
        __capos_sys_chmod = f::CHMOD => file_call(s, n, a);
        __capos_sys_fchmodat = f::FCHMODAT => file_call(s, n, a);
        __capos_sys_fchmod = f::FCHMOD => file_call(s, n, a);
        __capos_sys_utimensat = f::UTIMENSAT => file_call(s, n, a);
        __capos_sys_truncate = f::TRUNCATE => file_call(s, n, a);
        __capos_sys_ftruncate = f::FTRUNCATE => file_call(s, n, a);
        __capos_sys_fsync = f::FSYNC => file_call(s, n, a);
        __capos_sys_fdatasync = f::FDATASYNC => file_call(s, n, a);
        __capos_sys_umask = f::UMASK => file_call(s, n, a);
        __capos_sys_mkdir = f::MKDIR => file_call(s, n, a);
        __capos_sys_mkdirat = f::MKDIRAT => file_call(s, n, a);
        __capos_sys_unlink = f::UNLINK => file_call(s, n, a);
        __capos_sys_rmdir = f::RMDIR => file_call(s, n, a);
        __capos_sys_unlinkat = f::UNLINKAT => file_call(s, n, a);
        __capos_sys_rename = f::RENAME => file_call(s, n, a);
        __capos_sys_renameat = f::RENAMEAT => file_call(s, n, a);
        __capos_sys_renameat2 = f::RENAMEAT2 => file_call(s, n, a);
        __capos_sys_link = f::LINK => file_call(s, n, a);
        __capos_sys_linkat = f::LINKAT => file_call(s, n, a);
        __capos_sys_symlink = f::SYMLINK => file_call(s, n, a);
        __capos_sys_symlinkat = f::SYMLINKAT => file_call(s, n, a);
        __capos_sys_readlink = f::READLINK => file_call(s, n, a);
        __capos_sys_readlinkat = f::READLINKAT => file_call(s, n, a);
        __capos_sys_getcwd = f::GETCWD => file_call(s, n, a);
        __capos_sys_chdir = f::CHDIR => file_call(s, n, a);
        __capos_sys_fchdir = f::FCHDIR => file_call(s, n, a);
        __capos_sys_getdents64 = f::GETDENTS64 => file_call(s, n, a);
        __capos_sys_getdents = f::GETDENTS => file_call(s, n, a);
        __capos_sys_socket = nr::SOCKET => {
            let r = calls::socket(s, a[0], a[1], a[2]);
            net::answer(s, n, r)
        };
        __capos_sys_bind = nr::BIND => {
            let r = if is_tcp(s, a[0]) {
                stream::bind(s, a[0], a[1] as *const u8, a[2])
            } else {
                calls::bind(s, a[0], a[1] as *const u8, a[2])
            };
            net::answer(s, n, r)
        };
        __capos_sys_connect = nr::CONNECT => {
            let r = if is_tcp(s, a[0]) {
                stream::connect(s, a[0], a[1] as *const u8, a[2])
            } else {
                calls::connect(s, a[0], a[1] as *const u8, a[2])
            };
            net::answer(s, n, r)
        };
        __capos_sys_listen = nr::LISTEN => {
            let r = if is_tcp(s, a[0]) {
                stream::listen(s, a[0], a[1])
            } else {
                calls::connectionless(s, a[0])
            };
            net::answer(s, n, r)
        };
        __capos_sys_accept = nr::ACCEPT => {
            let r = if is_tcp(s, a[0]) {
                stream::accept(s, a[0], a[1] as *mut u8, a[2] as *mut u32, 0)
            } else {
                calls::connectionless(s, a[0])
            };
            net::answer(s, n, r)
        };
        __capos_sys_accept4 = nr::ACCEPT4 => {
            let r = if is_tcp(s, a[0]) {
                stream::accept(s, a[0], a[1] as *mut u8, a[2] as *mut u32, a[3])
            } else {
                calls::connectionless(s, a[0])
            };
            net::answer(s, n, r)
        };
        __capos_sys_sendto = nr::SENDTO => {
            let (buf, len) = (a[1] as *const u8, a[2] as usize);
            let r = if is_tcp(s, a[0]) {
                stream::sendto(s, a[0], buf, len, a[3])
            } else {
                io::sendto(s, a[0], buf, len, a[3], a[4] as *const u8, a[5])
            };
            net::answer(s, n, r)
        };
        __capos_sys_recvfrom = nr::RECVFROM => {
            let (buf, len) = (a[1] as *mut u8, a[2] as usize);
            let r = if is_tcp(s, a[0]) {
                stream::recvfrom(s, a[0], buf, len, a[3], a[5] as *mut u32)
            } else {
                io::recvfrom(s, a[0], buf, len, a[3], a[4] as *mut u8, a[5] as *mut u32)
            };
            net::answer(s, n, r)
        };
        __capos_sys_sendmsg = nr::SENDMSG => {
            let r = if is_tcp(s, a[0]) {
                stream::sendmsg(s, a[0], a[1] as *const _, a[2])
            } else {
                io::sendmsg(s, a[0], a[1] as *const _, a[2])
            };
            net::answer(s, n, r)
        };
        __capos_sys_recvmsg = nr::RECVMSG => {
            let r = if is_tcp(s, a[0]) {
                stream::recvmsg(s, a[0], a[1] as *mut _, a[2])
            } else {
                io::recvmsg(s, a[0], a[1] as *mut _, a[2])
            };
            net::answer(s, n, r)
        };
        __capos_sys_shutdown = nr::SHUTDOWN => {
            let r = if is_tcp(s, a[0]) {
                stream::shutdown(s, a[0], a[1])
            } else {
                calls::shutdown(s, a[0], a[1])
            };
            net::answer(s, n, r)
        };
        __capos_sys_getsockname = nr::GETSOCKNAME => socket_name(s, n, a, false);
        __capos_sys_getpeername = nr::GETPEERNAME => socket_name(s, n, a, true);
        __capos_sys_setsockopt = nr::SETSOCKOPT => {
            let r = if is_tcp(s, a[0]) {
                stream::setsockopt(s, a[0], a[1], a[2], a[3] as *const u8, a[4])
            } else {
                calls::setsockopt(s, a[0], a[1], a[2], a[3] as *const u8, a[4])
            };
            net::answer(s, n, r)
        };
        __capos_sys_getsockopt = nr::GETSOCKOPT => {
            let r = if is_tcp(s, a[0]) {
                stream::getsockopt(s, a[0], a[1], a[2], a[3] as *mut u8, a[4] as *mut u32)
            } else {
                calls::getsockopt(s, a[0], a[1], a[2], a[3] as *mut u8, a[4] as *mut u32)
            };
            net::answer(s, n, r)
        };
        __capos_sys_ioctl = nr::IOCTL => ioctl_call(s, a[0], a[1], a[2] as *const i32);
        __capos_sys_setpgid = nr::SETPGID => tty::setpgid(s, a[0], a[1]);
        __capos_sys_getpgid = nr::GETPGID => tty::getpgid(s, a[0]);
        __capos_sys_getpgrp = nr::GETPGRP => tty::getpgid(s, 0);
        __capos_sys_setsid = nr::SETSID => tty::setsid(s);
        __capos_sys_getsid = nr::GETSID => tty::getsid(s, a[0]);
        __capos_sys_close = nr::CLOSE => close(s, a[0]);
        __capos_sys_dup = nr::DUP => dup(s, a[0], 0, false);
        __capos_sys_dup2 = nr::DUP2 => s.fds.dup2(a[0], a[1], false, false).map(|fd| fd as i64);
        __capos_sys_dup3 = nr::DUP3 => {
            if a[2] & !fcntl::O_CLOEXEC != 0 {
                return Err(EINVAL);
            }
            let cloexec = a[2] & fcntl::O_CLOEXEC != 0;
            s.fds.dup2(a[0], a[1], cloexec, true).map(|fd| fd as i64)
        };
        __capos_sys_fcntl = nr::FCNTL => fcntl_call(s, a[0], a[1], a[2]);
        __capos_sys_brk = nr::BRK => Err(ENOMEM);
        __capos_sys_mmap = nr::MMAP => map(s, n, a);
        __capos_sys_munmap = nr::MUNMAP => unmap(s, a[0] as u64, a[1] as u64);
        __capos_sys_mprotect = nr::MPROTECT => protect(s, a[0] as u64, a[1] as u64, a[2]);
        __capos_sys_clock_gettime = nr::CLOCK_GETTIME => clock_gettime(s, n, a[0], a[1] as *mut i64);
        __capos_sys_gettimeofday = nr::GETTIMEOFDAY => {
            gettimeofday(s, n, a[0] as *mut i64, a[1] as *mut i32)
        };
        __capos_sys_nanosleep = nr::NANOSLEEP => nanosleep(s, n, a[0] as *const i64, a[1] as *mut i64);
        __capos_sys_clock_nanosleep = nr::CLOCK_NANOSLEEP => {
            clock_nanosleep(s, n, a[0], a[1], a[2] as *const i64, a[3] as *mut i64)
        };
        __capos_sys_getpid = nr::GETPID => Ok(state::pid() as i64);
        __capos_sys_gettid = nr::GETTID => Ok(state::pid() as i64);
        __capos_sys_set_tid_address = nr::SET_TID_ADDRESS => {
            s.tid = state::pid();
            Ok(s.tid as i64)
        };
        __capos_sys_getppid = nr::GETPPID => Ok(wait_call::getppid());
        __capos_sys_execve = nr::EXECVE => {
            execve::execve(s, a[0] as *const _, a[1] as *const _, a[2] as *const _)
        };
        __capos_sys_wait4 = nr::WAIT4 => wait_call::wait4(s, a[0], a[1] as *mut i32, a[2], a[3]);
        __capos_sys_waitid = nr::WAITID => wait_call::waitid(s, a[0], a[1], a[2] as *mut u8, a[3], a[4]);
        __capos_sys_uname = nr::UNAME => uname(a[0] as *mut u8);
        __capos_sys_madvise = nr::MADVISE => match mmap::advice(a[0] as u64, a[2]) {
            Ok(()) => Ok(0),
            Err(false) => Err(EINVAL),
            Err(true) => refuse(s, n, EINVAL, "only hints and MADV_FREE are accepted"),
        };
        __capos_sys_mremap = nr::MREMAP => {
            refuse(s, n, ENOMEM, "mappings are not resized; musl's realloc then copies")
        };
        __capos_sys_getrandom = nr::GETRANDOM => getrandom(s, n, a[0] as *mut u8, a[1] as usize, a[2]);
        __capos_sys_rt_sigaction = nr::RT_SIGACTION => {
            sigcall::sigaction(s, a[0], a[1] as *const _, a[2] as *mut _, a[3])
        };
        __capos_sys_rt_sigprocmask = nr::RT_SIGPROCMASK => {
            sigcall::sigprocmask(s, a[0], a[1] as *const u64, a[2] as *mut u64, a[3])
        };
        __capos_sys_rt_sigpending = nr::RT_SIGPENDING => sigcall::sigpending(s, a[0] as *mut u64, a[1]);
        __capos_sys_kill = nr::KILL => {
            let to_self = a[0] == 0 || a[0] == state::pid() as i64;
            sigcall::kill(s, n, a[0], to_self, a[1])
        };
        __capos_sys_tkill = nr::TKILL => {
            let to_self = a[0] == state::pid() as i64 || a[0] == s.tid as i64;
            sigcall::kill(s, n, a[0], to_self, a[1])
        };
        __capos_sys_tgkill = nr::TGKILL => {
            let own = |id: i64| id == state::pid() as i64 || id == s.tid as i64;
            let to_self = own(a[0]) && own(a[1]);
            sigcall::kill(s, n, a[1], to_self, a[2])
        };
        __capos_sys_rt_sigsuspend = nr::RT_SIGSUSPEND => sigcall::sigsuspend(s, a[0] as *const u64, a[1]);
        __capos_sys_pause = nr::PAUSE => sigcall::pause(s);
        __capos_sys_alarm = nr::ALARM => sigcall::alarm(s, a[0]);
        __capos_sys_setitimer = nr::SETITIMER => {
            sigcall::setitimer(s, a[0], a[1] as *const i64, a[2] as *mut i64)
        };
        __capos_sys_exit = nr::EXIT => ended(s, n);
        __capos_sys_exit_group = nr::EXIT_GROUP => ended(s, n);
        }
    };
}
// Used by dispatch/, which exists only for capOS.
#[cfg_attr(not(target_os = "none"), allow(unused_imports))]
pub(crate) use each_call;

#[cfg(test)]
mod tests {
    use crate::file::abi::nr as f;
    use crate::linux::nr;
    use alloc::format;
    use alloc::string::String;

    /// Takes the list's numbers and entries only.
    macro_rules! numbers {
        (|$s:ident, $n:ident, $a:ident| $($entry:ident = $nr:path => $answer:expr;)*) => {
            /// Every implemented call's number and C entry, in order.
            const ENTRIES: &[(i64, &str)] = &[$(($nr, stringify!($entry))),*];
        };
    }
    each_call!(numbers);

    /// Where the C side's table lives, from this crate's directory.
    const HEADER: &str = "../vendor/musl/overlay/arch/x86_64/capos_calls.h";

    /// capos_calls.h as the list makes it.
    fn header() -> String {
        let mut h = String::from(
            "/*\n * Generated from libcapos-posix/src/syscalls.rs by its test\n \
             * (CAPOS_WRITE_CALLS_H=1 cargo test -p libcapos-posix calls_header);\n \
             * do not edit. Each call libcapos-posix implements, by number, to its\n \
             * own C entry, so that a call site with a constant number links that\n \
             * call alone (syscall_arch.h).\n */\n\n",
        );
        for (_, entry) in ENTRIES {
            h += &format!("long {entry}(long, long, long, long, long, long);\n");
        }
        h += "long __capos_sys_unimplemented(long, long, long, long, long, long, long);\n\n";
        h += "static __inline __attribute__((__always_inline__))\n\
              long __capos_call_fixed(long n, long a1, long a2, long a3, long a4, long a5, long a6)\n\
              {\n\tswitch (n) {\n";
        for (nr, entry) in ENTRIES {
            h += &format!("\tcase {nr}: return {entry}(a1, a2, a3, a4, a5, a6);\n");
        }
        h += "\tdefault: return __capos_sys_unimplemented(n, a1, a2, a3, a4, a5, a6);\n\t}\n}\n";
        h
    }

    #[test]
    fn calls_header() {
        let path = format!("{}/{HEADER}", env!("CARGO_MANIFEST_DIR"));
        let want = header();
        if std::env::var_os("CAPOS_WRITE_CALLS_H").is_some() {
            std::fs::write(&path, &want).unwrap();
        }
        let have = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            have == want,
            "{HEADER} does not match the list in syscalls.rs; regenerate it with \
             CAPOS_WRITE_CALLS_H=1 cargo test -p libcapos-posix calls_header"
        );
    }

    #[test]
    fn numbers_are_distinct() {
        for (i, (nr, entry)) in ENTRIES.iter().enumerate() {
            let twin = ENTRIES[i + 1..].iter().find(|(other, _)| other == nr);
            assert!(twin.is_none(), "{entry} and {twin:?} share number {nr}");
        }
    }
}
