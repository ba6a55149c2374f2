/*
 * <capos/posix/capos-posix.h>: capOS extensions for programs built with
 * capos-cc (musl over libcapos-posix). Everything in standard headers
 * behaves as on Linux or fails with the errno documented in
 * docs/posix/operations.md; this header adds what POSIX has no word for.
 */
#ifndef CAPOS_POSIX_CAPOS_POSIX_H
#define CAPOS_POSIX_CAPOS_POSIX_H

/*
 * The Linux-numbered system call entry of libcapos-posix, which musl calls
 * instead of executing `syscall`. Returns the result, or a negative errno.
 * Programs normally reach it through libc functions or syscall(2).
 */
long __capos_syscall(long n, long a1, long a2, long a3, long a4, long a5, long a6);

/*
 * Declares that this program's fork() children run its own code and so
 * need a copy of its memory (a shell: subshells, command substitution).
 * From then on, without the "fork" capability, fork() and _Fork() fail
 * at once with ENOSYS (reported) instead of starting the fork-for-exec
 * shim's branch, which shares the parent's memory; vfork() still uses
 * the shim. Call it before the first fork (a constructor is the place).
 */
void capos_fork_needs_copy(void);

#endif
