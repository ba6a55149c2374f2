/*
 * posix-fork: a real fork on capOS (a process granted "fork", a
 * ProcessForker; docs/interfaces/process-forker.md). The same sources
 * are built for the host with musl-gcc and their output compared byte
 * for byte (tools/smoke/posix-fork.diff.sh). A line starting "~ "
 * depends on the system and is skipped by that comparison.
 *
 * Every fork is preceded by fflush(stdout), so no buffered line is
 * printed twice, and the parent prints only after waiting for the
 * child, so the lines come in one order on both systems.
 */
#ifndef POSIX_FORK_DEMO_H
#define POSIX_FORK_DEMO_H

#include <sys/types.h>

/* This program's own path (argv[1]: "/bin/posix-fork" on capOS, the
 * host build's path on Linux), which a forked child execs. */
extern const char *self_path;

/* Prints "FAIL: what" unless ok; returns 1 on failure, else 0. */
int check(int ok, const char *what);
/* The errno's name, for lines both systems print alike. */
const char *errname(int e);
/* fflush(stdout), then fork(). */
pid_t fork_flushed(void);
/* Waits for `pid`; returns its raw status, or -1 (and a FAIL line). */
int wait_for(pid_t pid);

/* Sections; each returns the number of failed checks. */
int demo_basics(void);
int demo_pipes(void);
int demo_bomb(void);

#endif
