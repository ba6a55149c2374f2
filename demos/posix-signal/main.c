// Signals delivered between processes, checked line by line against the
// same program on Linux (tools/smoke/posix-signal.diff.sh): kill to a
// child blocked in a pipe read (a handler, then EINTR or SA_RESTART), to
// a child in a busy loop (the default action ends it: killed by SIGTERM),
// SIGKILL past an ignored SIGTERM, SIGCHLD held while blocked and
// delivered on unmask, sigsuspend woken by SIGCHLD, alarm ending a
// blocked read, SA_RESETHAND; handlers run in processes busy without
// calls (busy.c).
#include "demo.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t caught;

static void count(int sig) {
  (void)sig;
  caught++;
}

int failures;

void check(int ok, const char *what) {
  if (!ok) {
    printf("FAIL: %s\n", what);
    failures++;
  }
}

void nap_ms(long ms) {
  struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&t, &t) != 0 && errno == EINTR) {
  }
}

void on(int sig, void (*handler)(int), int flags) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = handler;
  sa.sa_flags = flags;
  sigemptyset(&sa.sa_mask);
  sigaction(sig, &sa, NULL);
}

// How a child ended, as a shell would say it.
static void report(const char *who, int status) {
  if (WIFSIGNALED(status)) {
    printf("%s: killed by signal %d\n", who, WTERMSIG(status));
  } else if (WIFEXITED(status)) {
    printf("%s: exited %d\n", who, WEXITSTATUS(status));
  } else {
    printf("%s: status %#x\n", who, status);
  }
}

int reap(pid_t pid, const char *who) {
  int status = 0;
  pid_t got;
  while ((got = waitpid(pid, &status, 0)) < 0 && errno == EINTR) {
  }
  check(got == pid, "waitpid returns the child");
  report(who, status);
  return status;
}

// A child that blocks in a read of an empty pipe after saying it is
// ready; SIGUSR1 interrupts it. With SA_RESTART the read goes on and
// gets what the parent writes after the signal.
static void blocked_reader(int restart) {
  int ready[2], data[2];
  if (pipe(ready) != 0 || pipe(data) != 0) {
    check(0, "pipes");
    return;
  }
  pid_t pid = fork();
  if (pid == 0) {
    on(SIGUSR1, count, restart ? SA_RESTART : 0);
    close(ready[0]);
    close(data[1]);
    if (write(ready[1], "r", 1) != 1) {
      _exit(3);
    }
    char c = 0;
    ssize_t n = read(data[0], &c, 1);
    if (n < 0) {
      printf("reader: read failed: %s; handler ran %d time(s)\n",
             errno == EINTR ? "EINTR" : strerror(errno), (int)caught);
    } else {
      printf("reader: read %zd byte(s) '%c' after the handler ran %d time(s)\n", n, c,
             (int)caught);
    }
    _exit(0);
  }
  close(ready[1]);
  close(data[0]);
  char c;
  check(read(ready[0], &c, 1) == 1, "the reader is ready");
  // Let it reach its read.
  nap_ms(100);
  check(kill(pid, SIGUSR1) == 0, "kill(child, SIGUSR1)");
  if (restart) {
    nap_ms(100);
    check(write(data[1], "x", 1) == 1, "write after the signal");
  }
  reap(pid, restart ? "SA_RESTART reader" : "EINTR reader");
  close(ready[0]);
  close(data[1]);
}

// A storm of signals against a child blocked in a pipe read under
// SA_RESTART: the read survives them all and gets the byte written after.
static void storm(void) {
  int ready[2], data[2];
  if (pipe(ready) != 0 || pipe(data) != 0) {
    check(0, "pipes");
    return;
  }
  pid_t pid = fork();
  if (pid == 0) {
    caught = 0;
    on(SIGUSR1, count, SA_RESTART);
    close(ready[0]);
    close(data[1]);
    if (write(ready[1], "r", 1) != 1) {
      _exit(3);
    }
    char c = 0;
    ssize_t n = read(data[0], &c, 1);
    printf("storm reader: read %zd byte(s) '%c'; the handler ran: %s\n", n, c,
           caught > 0 ? "yes" : "no");
    _exit(0);
  }
  close(ready[1]);
  close(data[0]);
  char c;
  check(read(ready[0], &c, 1) == 1, "the storm reader is ready");
  nap_ms(100);
  for (int i = 0; i < 500; i++) {
    check(kill(pid, SIGUSR1) == 0, "kill in the storm");
    if (i % 50 == 0) {
      nap_ms(5);
    }
  }
  nap_ms(100);
  check(write(data[1], "z", 1) == 1, "write after the storm");
  reap(pid, "storm reader");
  close(ready[0]);
  close(data[1]);
}

static void busy_child(void) {
  pid_t pid = fork();
  if (pid == 0) {
    volatile unsigned long spin = 0;
    for (;;) {
      spin++;
    }
  }
  nap_ms(50);
  check(kill(pid, 0) == 0, "kill(child, 0) probes a live child");
  check(kill(pid, SIGTERM) == 0, "kill(child, SIGTERM)");
  int status = reap(pid, "busy child after SIGTERM");
  check(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM, "WTERMSIG is SIGTERM");
}

static void kill_past_ignore(void) {
  // Ignored from before the fork, so the child ignores it from its start.
  signal(SIGTERM, SIG_IGN);
  pid_t pid = fork();
  if (pid == 0) {
    volatile unsigned long spin = 0;
    for (;;) {
      spin++;
    }
  }
  signal(SIGTERM, SIG_DFL);
  nap_ms(50);
  check(kill(pid, SIGTERM) == 0, "kill(child, SIGTERM) to one that ignores it");
  nap_ms(50);
  check(waitpid(pid, NULL, WNOHANG) == 0, "an ignored SIGTERM leaves it running");
  printf("ignoring child: still running after SIGTERM\n");
  check(kill(pid, SIGKILL) == 0, "kill(child, SIGKILL)");
  reap(pid, "ignoring child after SIGKILL");
}

static void sigchld_on_unmask(void) {
  caught = 0;
  on(SIGCHLD, count, 0);
  sigset_t chld, old;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, &old);
  for (int i = 0; i < 3; i++) {
    pid_t pid = fork();
    if (pid == 0) {
      _exit(i);
    }
    reap(pid, "short child");
  }
  printf("SIGCHLD blocked: handler ran %d time(s)\n", (int)caught);
  sigset_t pending;
  sigpending(&pending);
  printf("SIGCHLD pending while blocked: %d\n", sigismember(&pending, SIGCHLD));
  sigprocmask(SIG_SETMASK, &old, NULL);
  printf("SIGCHLD unblocked: handler ran %d time(s)\n", (int)caught);
}

static void sigsuspend_wakes(void) {
  caught = 0;
  sigset_t chld, old, none;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigemptyset(&none);
  sigprocmask(SIG_BLOCK, &chld, &old);
  pid_t pid = fork();
  if (pid == 0) {
    nap_ms(50);
    _exit(4);
  }
  int r = sigsuspend(&none);
  printf("sigsuspend returned %d (%s), handler ran %d time(s)\n", r,
         errno == EINTR ? "EINTR" : strerror(errno), (int)caught);
  sigset_t now;
  sigprocmask(SIG_BLOCK, NULL, &now);
  printf("the mask after sigsuspend blocks SIGCHLD: %d\n", sigismember(&now, SIGCHLD));
  reap(pid, "suspend child");
  sigprocmask(SIG_SETMASK, &old, NULL);
  on(SIGCHLD, SIG_DFL, 0);
}

static void alarm_ends_read(void) {
  caught = 0;
  on(SIGALRM, count, 0);
  int p[2];
  if (pipe(p) != 0) {
    check(0, "pipe");
    return;
  }
  printf("alarm(5) then alarm(0): %u left\n", (alarm(5), alarm(0)));
  alarm(1);
  char c;
  ssize_t n = read(p[0], &c, 1);
  printf("read under alarm(1): %zd (%s), handler ran %d time(s)\n", n,
         n < 0 && errno == EINTR ? "EINTR" : "?", (int)caught);
  printf("alarm(0) after it fired: %u\n", alarm(0));
  close(p[0]);
  close(p[1]);
  on(SIGALRM, SIG_DFL, 0);
}

static void resethand(void) {
  pid_t pid = fork();
  if (pid == 0) {
    caught = 0;
    on(SIGUSR1, count, SA_RESETHAND);
    raise(SIGUSR1);
    struct sigaction now;
    sigaction(SIGUSR1, NULL, &now);
    printf("SA_RESETHAND: handler ran %d time(s); the action is %s\n", (int)caught,
           now.sa_handler == SIG_DFL ? "SIG_DFL" : "still the handler");
    raise(SIGUSR1);
    printf("FAIL: a second SIGUSR1 did not end the child\n");
    _exit(1);
  }
  reap(pid, "SA_RESETHAND child");
}

// kill reaches a program a child exec'd: on capOS the child waits for the
// program and passes the signal on (process/execve.rs).
static void exec_child(const char *self) {
  pid_t pid = fork();
  if (pid == 0) {
    execl(self, "posix-signal", "sleeper", (char *)NULL);
    printf("FAIL: execl: %s\n", strerror(errno));
    _exit(127);
  }
  nap_ms(300);
  check(kill(pid, SIGTERM) == 0, "kill(exec'd child, SIGTERM)");
  reap(pid, "exec'd sleeper after SIGTERM");
}

static void unrelated_pids(void) {
  // A pid that is no child of ours: capOS says EPERM (no handle to it);
  // Linux says ESRCH or EPERM depending on what runs there.
  errno = 0;
  int r = kill(999999, SIGTERM);
  printf("~ kill(999999, SIGTERM): %d %s\n", r, strerror(errno));
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IONBF, 0);
  if (argc > 1 && strcmp(argv[1], "sleeper") == 0) {
    nap_ms(10000);
    printf("FAIL: the sleeper was not killed\n");
    return 1;
  }
  printf("posix-signal: start\n");
  blocked_reader(0);
  blocked_reader(1);
  storm();
  busy_child();
  kill_past_ignore();
  sigchld_on_unmask();
  sigsuspend_wakes();
  alarm_ends_read();
  resethand();
  if (argc > 1) {
    exec_child(argv[1]);
  }
  unrelated_pids();
  busy_alarm();
  busy_handler_child();
  busy_fp();
  busy_no_stack();
  if (failures) {
    printf("posix-signal: %d check(s) failed\n", failures);
    return 1;
  }
  printf("posix-signal: all checks passed\n");
  return 0;
}
