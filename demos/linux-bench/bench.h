/* What bench.c shares with the figures kept in files of their own. */
#ifndef LINUX_BENCH_H
#define LINUX_BENCH_H

#include <stdint.h>

/* Rounds per figure; the lowest is reported, as in bench.rs. */
enum { ROUNDS = 5 };

/* An operation: 0, or -1 with errno set. */
typedef int (*op_fn)(void);

/* The TSC: guest instructions under icount. */
uint64_t instructions(void);

/* Prints "linux: FAIL what: errno's text" and powers off. */
_Noreturn void fail(const char *what);

/* The TCP figures (tcp.c); says why when they are missing. */
void tcp_figures(void);

#endif
