//! The Linux x86_64 ABI values the adapter speaks: system call numbers,
//! errno values and the constants of the calls it implements.

mod names;

/// System call numbers (arch/x86_64/bits/syscall.h.in).
pub mod nr {
    pub const READ: i64 = 0;
    pub const WRITE: i64 = 1;
    pub const OPEN: i64 = 2;
    pub const CLOSE: i64 = 3;
    pub const MMAP: i64 = 9;
    pub const MPROTECT: i64 = 10;
    pub const MUNMAP: i64 = 11;
    pub const BRK: i64 = 12;
    pub const RT_SIGACTION: i64 = 13;
    pub const RT_SIGPROCMASK: i64 = 14;
    pub const IOCTL: i64 = 16;
    pub const POLL: i64 = 7;
    pub const READV: i64 = 19;
    pub const WRITEV: i64 = 20;
    pub const PIPE: i64 = 22;
    pub const SELECT: i64 = 23;
    pub const MREMAP: i64 = 25;
    pub const MADVISE: i64 = 28;
    pub const DUP: i64 = 32;
    pub const DUP2: i64 = 33;
    pub const PAUSE: i64 = 34;
    pub const NANOSLEEP: i64 = 35;
    pub const ALARM: i64 = 37;
    pub const SETITIMER: i64 = 38;
    pub const GETPID: i64 = 39;
    pub const SOCKET: i64 = 41;
    pub const CONNECT: i64 = 42;
    pub const ACCEPT: i64 = 43;
    pub const SENDTO: i64 = 44;
    pub const RECVFROM: i64 = 45;
    pub const SENDMSG: i64 = 46;
    pub const RECVMSG: i64 = 47;
    pub const SHUTDOWN: i64 = 48;
    pub const BIND: i64 = 49;
    pub const LISTEN: i64 = 50;
    pub const GETSOCKNAME: i64 = 51;
    pub const GETPEERNAME: i64 = 52;
    pub const SETSOCKOPT: i64 = 54;
    pub const GETSOCKOPT: i64 = 55;
    pub const CLONE: i64 = 56;
    pub const FORK: i64 = 57;
    pub const VFORK: i64 = 58;
    pub const EXECVE: i64 = 59;
    pub const EXIT: i64 = 60;
    pub const WAIT4: i64 = 61;
    pub const KILL: i64 = 62;
    pub const UNAME: i64 = 63;
    pub const FCNTL: i64 = 72;
    pub const FCHDIR: i64 = 81;
    pub const GETTIMEOFDAY: i64 = 96;
    pub const SETPGID: i64 = 109;
    pub const GETPGRP: i64 = 111;
    pub const SETSID: i64 = 112;
    pub const GETPGID: i64 = 121;
    pub const GETSID: i64 = 124;
    pub const GETPPID: i64 = 110;
    pub const RT_SIGPENDING: i64 = 127;
    pub const RT_SIGSUSPEND: i64 = 130;
    pub const GETTID: i64 = 186;
    pub const TKILL: i64 = 200;
    pub const SET_TID_ADDRESS: i64 = 218;
    pub const CLOCK_GETTIME: i64 = 228;
    pub const CLOCK_NANOSLEEP: i64 = 230;
    pub const EXIT_GROUP: i64 = 231;
    pub const TGKILL: i64 = 234;
    pub const WAITID: i64 = 247;
    pub const PSELECT6: i64 = 270;
    pub const PPOLL: i64 = 271;
    pub const DUP3: i64 = 292;
    pub const PIPE2: i64 = 293;
    pub const ACCEPT4: i64 = 288;
    pub const GETRANDOM: i64 = 318;
    pub const EPOLL_CREATE: i64 = 213;
    pub const EPOLL_WAIT: i64 = 232;
    pub const EPOLL_CTL: i64 = 233;
    pub const EPOLL_PWAIT: i64 = 281;
    pub const EPOLL_CREATE1: i64 = 291;
    pub const EPOLL_PWAIT2: i64 = 441;
}

/// errno values (arch/generic/bits/errno.h).
pub mod errno {
    pub const EPERM: i64 = 1;
    pub const ENOENT: i64 = 2;
    pub const ESRCH: i64 = 3;
    pub const EINTR: i64 = 4;
    pub const E2BIG: i64 = 7;
    pub const ENOEXEC: i64 = 8;
    pub const EBADF: i64 = 9;
    pub const ECHILD: i64 = 10;
    pub const EAGAIN: i64 = 11;
    pub const ENOMEM: i64 = 12;
    pub const EACCES: i64 = 13;
    pub const EFAULT: i64 = 14;
    pub const ENODEV: i64 = 19;
    pub const EINVAL: i64 = 22;
    pub const ENFILE: i64 = 23;
    pub const EMFILE: i64 = 24;
    pub const ENOTTY: i64 = 25;
    pub const EIO: i64 = 5;
    pub const ENAMETOOLONG: i64 = 36;
    pub const ENOSYS: i64 = 38;
    pub const EPIPE: i64 = 32;
    pub const EDOM: i64 = 33;
    pub const ENOTSOCK: i64 = 88;
    pub const EDESTADDRREQ: i64 = 89;
    pub const EMSGSIZE: i64 = 90;
    pub const ENOPROTOOPT: i64 = 92;
    pub const EPROTONOSUPPORT: i64 = 93;
    pub const ESOCKTNOSUPPORT: i64 = 94;
    pub const EOPNOTSUPP: i64 = 95;
    pub const EAFNOSUPPORT: i64 = 97;
    pub const EADDRINUSE: i64 = 98;
    pub const EADDRNOTAVAIL: i64 = 99;
    pub const ENETDOWN: i64 = 100;
    pub const ENETUNREACH: i64 = 101;
    pub const ENOBUFS: i64 = 105;
    pub const ENOTCONN: i64 = 107;
    pub const EEXIST: i64 = 17;
    pub const ECONNABORTED: i64 = 103;
    pub const ECONNRESET: i64 = 104;
    pub const EISCONN: i64 = 106;
    pub const ETIMEDOUT: i64 = 110;
    pub const ECONNREFUSED: i64 = 111;
    pub const EALREADY: i64 = 114;
    pub const EINPROGRESS: i64 = 115;

    /// The symbolic name of `errno`, for report lines.
    pub fn name(errno: i64) -> &'static str {
        match errno {
            EPERM => "EPERM",
            ENOENT => "ENOENT",
            ESRCH => "ESRCH",
            EINTR => "EINTR",
            EIO => "EIO",
            E2BIG => "E2BIG",
            ENOEXEC => "ENOEXEC",
            EBADF => "EBADF",
            ECHILD => "ECHILD",
            EAGAIN => "EAGAIN",
            ENOMEM => "ENOMEM",
            EACCES => "EACCES",
            EFAULT => "EFAULT",
            ENODEV => "ENODEV",
            EINVAL => "EINVAL",
            ENFILE => "ENFILE",
            EMFILE => "EMFILE",
            EPIPE => "EPIPE",
            ENOTTY => "ENOTTY",
            ENAMETOOLONG => "ENAMETOOLONG",
            ENOSYS => "ENOSYS",
            EDOM => "EDOM",
            ENOTSOCK => "ENOTSOCK",
            EDESTADDRREQ => "EDESTADDRREQ",
            EMSGSIZE => "EMSGSIZE",
            ENOPROTOOPT => "ENOPROTOOPT",
            EPROTONOSUPPORT => "EPROTONOSUPPORT",
            ESOCKTNOSUPPORT => "ESOCKTNOSUPPORT",
            EOPNOTSUPP => "EOPNOTSUPP",
            EAFNOSUPPORT => "EAFNOSUPPORT",
            EADDRINUSE => "EADDRINUSE",
            EADDRNOTAVAIL => "EADDRNOTAVAIL",
            ENETDOWN => "ENETDOWN",
            ENETUNREACH => "ENETUNREACH",
            ENOBUFS => "ENOBUFS",
            ENOTCONN => "ENOTCONN",
            EEXIST => "EEXIST",
            ECONNABORTED => "ECONNABORTED",
            ECONNRESET => "ECONNRESET",
            EISCONN => "EISCONN",
            ETIMEDOUT => "ETIMEDOUT",
            ECONNREFUSED => "ECONNREFUSED",
            EALREADY => "EALREADY",
            EINPROGRESS => "EINPROGRESS",
            _ => "an error",
        }
    }
}

/// The name of Linux system call `n` (every one musl defines), for
/// report lines.
pub fn name(n: i64) -> Option<&'static str> {
    names::syscall(n)
}

/// `fcntl` commands.
pub mod fcntl {
    pub const F_DUPFD: i64 = 0;
    pub const F_GETFD: i64 = 1;
    pub const F_SETFD: i64 = 2;
    pub const F_GETFL: i64 = 3;
    pub const F_SETFL: i64 = 4;
    pub const F_DUPFD_CLOEXEC: i64 = 1030;
    pub const FD_CLOEXEC: i64 = 1;
    pub const O_RDONLY: i64 = 0;
    pub const O_WRONLY: i64 = 1;
    pub const O_RDWR: i64 = 2;
    pub const O_APPEND: i64 = 0o2000;
    pub const O_NONBLOCK: i64 = 0o4000;
    pub const O_ASYNC: i64 = 0o20000;
    pub const O_DIRECT: i64 = 0o40000;
    pub const O_NOATIME: i64 = 0o1000000;
    pub const O_CLOEXEC: i64 = 0o2000000;
}

/// `ioctl` requests every descriptor answers (not only terminals), and
/// FIONREAD.
pub mod ioctl {
    pub const FIONCLEX: i64 = 0x5450;
    pub const FIOCLEX: i64 = 0x5451;
    pub const FIONBIO: i64 = 0x5421;
    /// On a socket (SIOCINQ): the size of the next datagram, 0 if none.
    pub const FIONREAD: i64 = 0x541B;
}

/// Clock ids.
pub const CLOCK_REALTIME: i64 = 0;
pub const CLOCK_MONOTONIC: i64 = 1;
pub const CLOCK_PROCESS_CPUTIME_ID: i64 = 2;
pub const CLOCK_THREAD_CPUTIME_ID: i64 = 3;
pub const CLOCK_MONOTONIC_RAW: i64 = 4;
pub const CLOCK_REALTIME_COARSE: i64 = 5;
pub const CLOCK_MONOTONIC_COARSE: i64 = 6;
pub const CLOCK_BOOTTIME: i64 = 7;

/// Sockets: address families, types, levels, options and message flags
/// (include/linux/socket.h, include/uapi/asm-generic/socket.h).
pub mod net {
    pub const AF_UNSPEC: u16 = 0;
    pub const AF_INET: u16 = 2;
    pub const AF_INET6: u16 = 10;
    /// Families Linux 6.1 knows are below this (AF_MAX); at or above it,
    /// socket() is EAFNOSUPPORT even on Linux.
    pub const AF_MAX: i64 = 46;

    pub const SOCK_STREAM: i64 = 1;
    pub const SOCK_DGRAM: i64 = 2;
    /// Types are below this (SOCK_MAX); others are EINVAL.
    pub const SOCK_MAX: i64 = 11;
    /// The type's low bits; the rest are creation flags.
    pub const SOCK_TYPE_MASK: i64 = 0xf;
    pub const SOCK_NONBLOCK: i64 = 0o4000;
    pub const SOCK_CLOEXEC: i64 = 0o2000000;

    pub const IPPROTO_IP: i64 = 0;
    pub const IPPROTO_TCP: i64 = 6;
    pub const IPPROTO_UDP: i64 = 17;
    /// Protocol numbers are below this (IPPROTO_MAX: past 255 since
    /// Linux 5.6 made IPPROTO_MPTCP 262).
    pub const IPPROTO_MAX: i64 = 263;

    pub const SOL_SOCKET: i64 = 1;
    pub const SO_REUSEADDR: i64 = 2;
    pub const SO_TYPE: i64 = 3;
    pub const SO_ERROR: i64 = 4;
    pub const SO_SNDBUF: i64 = 7;
    pub const SO_RCVBUF: i64 = 8;
    pub const SO_KEEPALIVE: i64 = 9;
    pub const SO_LINGER: i64 = 13;
    pub const SO_RCVTIMEO_OLD: i64 = 20;
    pub const SO_SNDTIMEO_OLD: i64 = 21;
    pub const SO_ACCEPTCONN: i64 = 30;
    pub const SO_PROTOCOL: i64 = 38;
    pub const SO_DOMAIN: i64 = 39;
    /// On x86_64 the _NEW forms take the same 16-byte timeval.
    pub const SO_RCVTIMEO_NEW: i64 = 66;
    pub const SO_SNDTIMEO_NEW: i64 = 67;

    pub const MSG_OOB: i64 = 0x1;
    pub const MSG_PEEK: i64 = 0x2;
    pub const MSG_TRUNC: i64 = 0x20;
    pub const MSG_DONTWAIT: i64 = 0x40;
    pub const MSG_WAITALL: i64 = 0x100;
    pub const MSG_CONFIRM: i64 = 0x800;
    pub const MSG_ERRQUEUE: i64 = 0x2000;
    pub const MSG_NOSIGNAL: i64 = 0x4000;
    pub const MSG_MORE: i64 = 0x8000;
    pub const MSG_CMSG_CLOEXEC: i64 = 0x4000_0000;

    /// IPPROTO_TCP level options (include/uapi/linux/tcp.h).
    pub const TCP_NODELAY: i64 = 1;

    pub const SHUT_RD: i64 = 0;
    pub const SHUT_WR: i64 = 1;
    pub const SHUT_RDWR: i64 = 2;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_call_the_adapter_names_has_its_own_name() {
        let named = [
            (nr::READ, "read"),
            (nr::WRITE, "write"),
            (nr::OPEN, "open"),
            (nr::POLL, "poll"),
            (nr::MREMAP, "mremap"),
            (nr::CLONE, "clone"),
            (nr::EXECVE, "execve"),
            (nr::FCNTL, "fcntl"),
            (nr::SETPGID, "setpgid"),
            (nr::TKILL, "tkill"),
            (nr::CLOCK_GETTIME, "clock_gettime"),
            (nr::EXIT_GROUP, "exit_group"),
            (nr::WAITID, "waitid"),
            (nr::PSELECT6, "pselect6"),
            (nr::PIPE2, "pipe2"),
            (nr::GETRANDOM, "getrandom"),
        ];
        for (n, want) in named {
            assert_eq!(name(n), Some(want), "call {n}");
        }
    }

    #[test]
    fn calls_once_reported_by_number_have_names() {
        assert_eq!(name(115), Some("getgroups"));
        assert_eq!(name(121), Some("getpgid"));
        assert_eq!(name(124), Some("getsid"));
        assert_eq!(name(97), Some("getrlimit"));
        assert_eq!(name(99), Some("sysinfo"));
        assert_eq!(name(334), Some("rseq"));
        assert_eq!(name(424), Some("pidfd_send_signal"));
        assert_eq!(name(435), Some("clone3"));
        assert_eq!(name(446), Some("landlock_restrict_self"));
    }

    #[test]
    fn numbers_musl_does_not_define_have_none() {
        for n in [-1, 335, 400, 423, 443, 447, 1000, i64::MIN, i64::MAX] {
            assert_eq!(name(n), None, "call {n}");
        }
    }
}
