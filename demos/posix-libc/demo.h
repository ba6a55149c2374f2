/*
 * posix-libc: a C program that exercises musl broadly on capOS. The same
 * sources are built for the host with musl-gcc and their output compared
 * byte for byte (tools/smoke/posix-libc.diff.sh). A line starting "~ "
 * depends on the system it runs on (addresses, clocks, calls capOS does
 * not back) and is skipped by that comparison.
 *
 * Each section prints less than one stdio buffer (1024 bytes) and ends
 * with fflush(stdout), so output reaches the console in whole lines and
 * the adapter's own report lines never land inside one.
 */
#ifndef POSIX_LIBC_DEMO_H
#define POSIX_LIBC_DEMO_H

/* Sections; each returns the number of failed checks. */
int demo_format(void);
int demo_convert(void);
int demo_strings(void);
int demo_malloc(void);
int demo_time(void);
int demo_jump(void);
int demo_errors(void);
int demo_fds(void);
int demo_signals(void);
int demo_unsupported(void);
int demo_stdio(void);
int demo_math(void);
int demo_tls(void);

/* The symbolic name of an errno value ("EBADF"), or its number. */
const char *errname(int e);

/* Prints "FAIL: what" (and counts it) unless ok. */
int check(int ok, const char *what);

#endif
