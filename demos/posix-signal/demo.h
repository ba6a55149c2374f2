// What the parts of the posix-signal demo share (main.c).
#ifndef POSIX_SIGNAL_DEMO_H
#define POSIX_SIGNAL_DEMO_H

#include <sys/types.h>

extern int failures;
void check(int ok, const char *what);
void nap_ms(long ms);
void on(int sig, void (*handler)(int), int flags);
// Waits for `pid` and prints how it ended, as a shell would say it.
int reap(pid_t pid, const char *who);

// busy.c: handlers that run in a process busy without calls.
void busy_alarm(void);
void busy_handler_child(void);
void busy_fp(void);
void busy_no_stack(void);

#endif
