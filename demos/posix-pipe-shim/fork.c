/* The fork-for-exec path: fork, descriptor calls, execve in the child;
 * and a child that does something else before execve. */
#include "demo.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int demo_fork(void)
{
    int failures = 0, status = 0;

    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        execve(child_path, child_argv("say", "hello from fork and execve"), environ);
        _exit(127);
    }
    failures += check(pid > 0, "fork");
    failures += check(waitpid(pid, &status, 0) == pid, "waitpid after fork");
    describe("fork+execve child", status);

    /* dup2 and close between fork and execve shape the child's
     * descriptors, not the parent's: the child has 1 and 4 (and 6,
     * close-on-exec, is gone). getppid in the child is the parent. */
    pid_t me = getpid();
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        if (dup2(1, 4) != 4 || close(2) != 0 || dup2(1, 6) != 6 ||
            fcntl(6, F_SETFD, FD_CLOEXEC) != 0 || fcntl(6, F_GETFD) != FD_CLOEXEC ||
            getppid() != me) {
            _exit(126);
        }
        execve(child_path, child_argv("probe", "-"), environ);
        _exit(127);
    }
    failures += check(pid > 0 && waitpid(pid, &status, 0) == pid, "fork, dup2, close, execve");
    printf("fork, dup2 1->4, close 2, execve: child's open fds mask %d\n", WEXITSTATUS(status));
    failures += check(fcntl(2, F_GETFD) == 0 && fcntl(4, F_GETFD) == -1 && errno == EBADF,
                      "the parent's descriptors are untouched");

    /* A child that writes before execve: capOS refuses the fork (-1,
     * ENOSYS, one report line); Linux runs it. */
    fflush(stdout);
    errno = 0;
    pid = fork();
    if (pid == 0) {
        dup2(1, 4);
        write(1, "~ child branch: write before execve\n", 36);
        _exit(0);
    }
    int saved = errno;
    if (pid > 0) {
        waitpid(pid, NULL, 0);
    }
    printf("~ fork with a write in the child: %s, errno %s\n", pid < 0 ? "-1" : "a child",
           errname(saved));
    failures += check(fcntl(4, F_GETFD) == -1, "the refused child's dup2 left no descriptor");
    return failures;
}
