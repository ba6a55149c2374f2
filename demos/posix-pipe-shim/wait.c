/* Waiting: WNOHANG on a running child, waitid, a child killed by a
 * fault, and ECHILD once nothing is left. */
#include "demo.h"
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>

int demo_wait(void)
{
    int failures = 0, status = 0;
    pid_t pid = 0;

    /* The child sleeps 300 ms: WNOHANG finds it running. */
    failures += check(spawn_child(&pid, "sleep", "300", NULL) == 0, "spawn the sleeper");
    pid_t w = waitpid(pid, &status, WNOHANG);
    printf("waitpid WNOHANG on a running child: %d\n", (int)w);
    failures += check(waitpid(pid, &status, WUNTRACED) == pid, "waitpid for the sleeper");
    describe("sleeping child", status);

    /* A child that dereferences NULL ends as if killed by SIGSEGV. */
    failures += check(spawn_child(&pid, "fault", "-", NULL) == 0, "spawn the faulting child");
    failures += check(waitpid(pid, &status, 0) == pid, "waitpid for the faulting child");
    describe("faulting child", status);
    printf("WIFSIGNALED %d, WTERMSIG is SIGSEGV: %d\n", WIFSIGNALED(status) != 0,
           WTERMSIG(status) == SIGSEGV);

    /* waitid reports the same end as a siginfo_t. */
    failures += check(spawn_child(&pid, "say", "hello from waitid", NULL) == 0, "spawn");
    siginfo_t info = {0};
    int r = waitid(P_PID, pid, &info, WEXITED);
    printf("waitid: %d, si_signo SIGCHLD %d, si_code CLD_EXITED %d, si_status %d, si_pid %s\n", r,
           info.si_signo == SIGCHLD, info.si_code == CLD_EXITED, info.si_status,
           info.si_pid == pid ? "the child" : "another");

    errno = 0;
    w = waitpid(-1, &status, 0);
    printf("waitpid with no children: %d, errno %s\n", (int)w, errname(errno));
    errno = 0;
    w = waitpid(-1, &status, WNOHANG);
    printf("waitpid WNOHANG with no children: %d, errno %s\n", (int)w, errname(errno));
    return failures;
}
