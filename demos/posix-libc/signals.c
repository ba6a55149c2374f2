/*
 * Signals: dispositions and the mask are recorded and read back; a
 * signal the program sends itself is discarded when ignored and held
 * while blocked; raising a caught signal runs its handler as raise
 * returns, on capOS as on Linux.
 */
#include "demo.h"
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t caught;

static void on_usr1(int sig)
{
    caught = sig;
}

int demo_signals(void)
{
    int fails = 0;
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_IGN;
    fails += check(sigaction(SIGUSR1, &sa, &old) == 0, "sigaction SIG_IGN");
    printf("sigaction: old SIGUSR1 disposition %s\n", old.sa_handler == SIG_DFL ? "SIG_DFL" : "?");
    printf("raise(SIGUSR1) ignored: %d\n", raise(SIGUSR1));
    printf("kill(getpid(), 0): %d\n", kill(getpid(), 0));
    printf("raise(SIGCHLD), ignored by default: %d\n", raise(SIGCHLD));

    sigset_t block, now, pending;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR2);
    fails += check(sigprocmask(SIG_BLOCK, &block, NULL) == 0, "sigprocmask");
    sigprocmask(SIG_SETMASK, NULL, &now);
    printf("mask holds SIGUSR2: %d, SIGUSR1: %d\n", sigismember(&now, SIGUSR2),
           sigismember(&now, SIGUSR1));
    printf("raise(SIGUSR2) while blocked: %d\n", raise(SIGUSR2));
    sigpending(&pending);
    printf("pending SIGUSR2: %d\n", sigismember(&pending, SIGUSR2));
    signal(SIGUSR2, SIG_IGN);
    sigprocmask(SIG_UNBLOCK, &block, NULL);
    sigpending(&pending);
    printf("after SIG_IGN and unblocking, pending SIGUSR2: %d\n", sigismember(&pending, SIGUSR2));

    errno = 0;
    int r = sigaction(SIGKILL, &sa, NULL);
    printf("sigaction(SIGKILL): %d errno %s\n", r, errname(errno));
    fflush(stdout);
    sa.sa_handler = on_usr1;
    fails += check(sigaction(SIGUSR1, &sa, NULL) == 0, "sigaction with a handler");
    sigaction(SIGUSR1, NULL, &old);
    printf("handler recorded: %s\n", old.sa_handler == on_usr1 ? "yes" : "no");
    fflush(stdout);
    errno = 0;
    r = raise(SIGUSR1);
    int e = errno;
    printf("raise(SIGUSR1) with a handler: %d, errno %s, handler ran: %s\n", r, errname(e),
           caught ? "yes" : "no");
    signal(SIGUSR1, SIG_DFL);
    return fails;
}
