/*
 * posix-pipe-shim: processes from C on capOS — posix_spawn, the
 * fork-for-exec shim, waitpid/waitid and execve — with pipe-child
 * (child.c) as the program started. The same sources are built for the
 * host with musl-gcc and their output compared byte for byte
 * (tools/smoke/posix-pipe.diff.sh). A line starting "~ " depends on the
 * system (a call capOS refuses) and is skipped by that comparison.
 *
 * The parent flushes stdout before starting a child and prints only
 * after waiting for it, so the child's lines and the parent's come in
 * one order on both systems.
 */
#ifndef POSIX_PIPE_SHIM_DEMO_H
#define POSIX_PIPE_SHIM_DEMO_H

#include <sys/types.h>

/* The child program: argv[1] of posix-pipe ("/bin/pipe-child" on
 * capOS, the host build's path on Linux). */
extern const char *child_path;

/* Sections; each returns the number of failed checks. */
int demo_spawn(void);
int demo_fork(void);
int demo_wait(void);
int demo_pipe(void);
int demo_paths(void);
int demo_shared(void);

/* Starts child_path with argv {"pipe-child", mode, arg, our pid} through
 * posix_spawn with the file actions `fa` (may be NULL). */
int spawn_child(pid_t *pid, const char *mode, const char *arg, const void *fa);

/* The argv of a child in `mode` with `arg`, for execve. */
char **child_argv(const char *mode, const char *arg);

/* Prints "what: exited N" or "what: killed by SIGNAME" for a wait status. */
void describe(const char *what, int status);

/* The symbolic name of an errno value ("EBADF"), or its number. */
const char *errname(int e);

/* Prints "FAIL: what" (and counts it) unless ok. */
int check(int ok, const char *what);

#endif
