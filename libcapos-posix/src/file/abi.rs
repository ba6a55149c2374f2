//! The Linux x86_64 ABI values of the file calls (beside linux.rs, which
//! holds the process-wide ones): their numbers, the errno values they
//! return and their flags.

/// System call numbers (arch/x86_64/bits/syscall.h.in).
pub mod nr {
    pub const STAT: i64 = 4;
    pub const FSTAT: i64 = 5;
    pub const LSTAT: i64 = 6;
    pub const LSEEK: i64 = 8;
    pub const PREAD64: i64 = 17;
    pub const PWRITE64: i64 = 18;
    pub const ACCESS: i64 = 21;
    pub const FSYNC: i64 = 74;
    pub const FDATASYNC: i64 = 75;
    pub const TRUNCATE: i64 = 76;
    pub const FTRUNCATE: i64 = 77;
    pub const GETDENTS: i64 = 78;
    pub const GETCWD: i64 = 79;
    pub const CHDIR: i64 = 80;
    pub const FCHDIR: i64 = 81;
    pub const RENAME: i64 = 82;
    pub const MKDIR: i64 = 83;
    pub const RMDIR: i64 = 84;
    pub const CREAT: i64 = 85;
    pub const LINK: i64 = 86;
    pub const UNLINK: i64 = 87;
    pub const SYMLINK: i64 = 88;
    pub const READLINK: i64 = 89;
    pub const CHMOD: i64 = 90;
    pub const FCHMOD: i64 = 91;
    pub const UMASK: i64 = 95;
    pub const GETDENTS64: i64 = 217;
    pub const OPENAT: i64 = 257;
    pub const MKDIRAT: i64 = 258;
    pub const NEWFSTATAT: i64 = 262;
    pub const UNLINKAT: i64 = 263;
    pub const RENAMEAT: i64 = 264;
    pub const LINKAT: i64 = 265;
    pub const SYMLINKAT: i64 = 266;
    pub const READLINKAT: i64 = 267;
    pub const FCHMODAT: i64 = 268;
    pub const FACCESSAT: i64 = 269;
    pub const UTIMENSAT: i64 = 280;
    pub const RENAMEAT2: i64 = 316;
    pub const STATX: i64 = 332;
    pub const FACCESSAT2: i64 = 439;
}

/// errno values the file calls return beyond linux.rs's.
pub mod errno {
    pub const EEXIST: i64 = 17;
    pub const EXDEV: i64 = 18;
    pub const ENOTDIR: i64 = 20;
    pub const EISDIR: i64 = 21;
    pub const EFBIG: i64 = 27;
    pub const ENOSPC: i64 = 28;
    pub const ESPIPE: i64 = 29;
    pub const EROFS: i64 = 30;
    pub const EBUSY: i64 = 16;
    pub const ENOTEMPTY: i64 = 39;
    pub const ENXIO: i64 = 6;
    pub const EOPNOTSUPP: i64 = 95;
}

/// `open` flags (arch/x86_64 and generic fcntl.h).
pub mod open {
    pub const O_ACCMODE: i64 = 0o3;
    pub const O_RDONLY: i64 = 0;
    pub const O_WRONLY: i64 = 0o1;
    pub const O_RDWR: i64 = 0o2;
    pub const O_CREAT: i64 = 0o100;
    pub const O_EXCL: i64 = 0o200;
    pub const O_NOCTTY: i64 = 0o400;
    pub const O_TRUNC: i64 = 0o1000;
    pub const O_APPEND: i64 = 0o2000;
    pub const O_NONBLOCK: i64 = 0o4000;
    pub const O_ASYNC: i64 = 0o20000;
    pub const O_DIRECT: i64 = 0o40000;
    pub const O_LARGEFILE: i64 = 0o100000;
    pub const O_DIRECTORY: i64 = 0o200000;
    pub const O_NOFOLLOW: i64 = 0o400000;
    pub const O_NOATIME: i64 = 0o1000000;
    pub const O_CLOEXEC: i64 = 0o2000000;
    /// O_SYNC includes O_DSYNC.
    pub const O_SYNC: i64 = 0o4010000;
    pub const O_PATH: i64 = 0o10000000;
    /// O_TMPFILE includes O_DIRECTORY.
    pub const O_TMPFILE: i64 = 0o20200000;
}

/// `*at` arguments.
pub mod at {
    pub const AT_FDCWD: i64 = -100;
    pub const AT_SYMLINK_NOFOLLOW: i64 = 0x100;
    pub const AT_REMOVEDIR: i64 = 0x200;
    pub const AT_EACCESS: i64 = 0x200;
    pub const AT_NO_AUTOMOUNT: i64 = 0x800;
    pub const AT_EMPTY_PATH: i64 = 0x1000;
    pub const AT_STATX_SYNC_TYPE: i64 = 0x6000;
    pub const RENAME_NOREPLACE: i64 = 1;
}

/// `lseek` whences.
pub mod seek {
    pub const SEEK_SET: i64 = 0;
    pub const SEEK_CUR: i64 = 1;
    pub const SEEK_END: i64 = 2;
    pub const SEEK_DATA: i64 = 3;
    pub const SEEK_HOLE: i64 = 4;
}

/// `access` modes.
pub mod access {
    pub const X_OK: i64 = 1;
    pub const W_OK: i64 = 2;
    pub const R_OK: i64 = 4;
}

/// `utimensat`'s special nanosecond values.
pub const UTIME_NOW: i64 = (1 << 30) - 1;
pub const UTIME_OMIT: i64 = (1 << 30) - 2;
