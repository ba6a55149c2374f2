// Handlers that run in a process busy without system calls: on capOS the
// kernel hands the signal over by an upcall (libcapos-posix/src/upcall.rs),
// which must leave every register, the flags and the SSE state of the
// interrupted loop as they were.
#include "demo.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t flag;

static void raise_flag(int sig) {
  (void)sig;
  flag = 1;
}

// alarm(1) and a loop that only reads a volatile flag: no call at all
// until the handler has run.
void busy_alarm(void) {
  flag = 0;
  on(SIGALRM, raise_flag, 0);
  alarm(1);
  while (!flag) {
  }
  printf("busy loop under alarm(1): the handler set the flag\n");
  on(SIGALRM, SIG_DFL, 0);
}

// kill to a child spinning with a handler installed: the handler runs in
// the child, which then leaves its loop and exits with its own status.
void busy_handler_child(void) {
  int ready[2];
  if (pipe(ready) != 0) {
    check(0, "pipe");
    return;
  }
  pid_t pid = fork();
  if (pid == 0) {
    flag = 0;
    on(SIGUSR1, raise_flag, 0);
    close(ready[0]);
    if (write(ready[1], "b", 1) != 1) {
      _exit(3);
    }
    while (!flag) {
    }
    _exit(7);
  }
  close(ready[1]);
  char c;
  check(read(ready[0], &c, 1) == 1, "the spinning child is ready");
  close(ready[0]);
  nap_ms(50);
  check(kill(pid, SIGUSR1) == 0, "kill(spinning child, SIGUSR1)");
  reap(pid, "spinning child with a SIGUSR1 handler");
}

static volatile sig_atomic_t ticks;
static volatile double handler_sum;

// Floating point in the handler, which re-arms the timer: it clobbers
// the SSE registers the interrupted loop keeps its sums in, unless they
// are saved and restored around it.
static void fp_tick(int sig) {
  (void)sig;
  double h = 0.0;
  for (int k = 1; k <= 200; k++) {
    h += 1.0 / (double)k + (double)k * 0.25;
  }
  handler_sum = h;
  ticks++;
  struct itimerval t = {{0, 0}, {0, 2000}};
  setitimer(ITIMER_REAL, &t, NULL);
}

static double fp_round(long n) {
  double a = 0.0, b = 1.0, c = 0.5;
  for (long i = 1; i <= n; i++) {
    a += (double)i * 0.5 / (double)(i + 1);
    b = b * 1.0000001 + c;
    c = c * 0.999999 + 1.0 / (double)i;
  }
  return a + b * 1e-9 + c;
}

// A loop of floating point with a handler that does floating point too,
// interrupting it every 2 ms: every round must equal the reference
// computed before the timer ran.
void busy_fp(void) {
  volatile long n = 200000;
  double reference = fp_round(n);
  ticks = 0;
  on(SIGALRM, fp_tick, 0);
  struct itimerval t = {{0, 0}, {0, 2000}};
  setitimer(ITIMER_REAL, &t, NULL);
  int rounds = 0, equal = 1;
  while (ticks < 10 || rounds < 3) {
    equal &= fp_round(n) == reference;
    rounds++;
  }
  struct itimerval off = {{0, 0}, {0, 0}};
  setitimer(ITIMER_REAL, &off, NULL);
  on(SIGALRM, SIG_DFL, 0);
  printf("floating point under a floating-point handler: %s\n",
         equal ? "every round equal to the reference" : "CORRUPTED");
  check(equal, "floating point survives the handler");
  printf("~ %d round(s), %d handler run(s), handler sum %.6f\n", rounds, (int)ticks,
         handler_sum);
}

// A child whose stack pointer names no memory when a caught signal comes:
// there is nowhere to put the handler's frame, so it dies of SIGSEGV.
void busy_no_stack(void) {
  int ready[2];
  if (pipe(ready) != 0) {
    check(0, "pipe");
    return;
  }
  pid_t pid = fork();
  if (pid == 0) {
    on(SIGUSR1, raise_flag, 0);
    close(ready[0]);
    if (write(ready[1], "s", 1) != 1) {
      _exit(3);
    }
    __asm__ volatile("mov $0x1000, %%rsp\n1: jmp 1b" ::: "memory");
  }
  close(ready[1]);
  char c;
  check(read(ready[0], &c, 1) == 1, "the stackless child is ready");
  close(ready[0]);
  nap_ms(50);
  check(kill(pid, SIGUSR1) == 0, "kill(stackless child, SIGUSR1)");
  reap(pid, "child with no stack for the handler");
}
