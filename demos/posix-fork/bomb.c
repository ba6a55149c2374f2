/* A fork bomb inside the service's quota (system-posix-fork.cue): the
 * children block on a pipe until the parent lets them go, so they pile
 * up until fork fails with EAGAIN (kernel memory for one more process)
 * or ENOMEM (memory for the copy). The parent survives, releases and
 * reaps every child. On Linux the bomb stops at MAX_CHILDREN instead,
 * so which of the two ended it is a "~ " line. */
#include "demo.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_CHILDREN 200

int demo_bomb(void)
{
    int failed = 0;
    int gate[2];
    if (pipe(gate) != 0) {
        return check(0, "pipe");
    }
    static pid_t children[MAX_CHILDREN];
    int count = 0, err = 0;
    while (count < MAX_CHILDREN) {
        pid_t pid = fork_flushed();
        if (pid == 0) {
            char c;
            close(gate[1]);
            exit(read(gate[0], &c, 1) == 0 ? 0 : 1);
        }
        if (pid < 0) {
            err = errno;
            break;
        }
        children[count++] = pid;
    }
    if (err) {
        printf("~ bomb: fork failed with %s after %d children\n", errname(err), count);
        failed += check(err == EAGAIN || err == ENOMEM, "the bomb ends with EAGAIN or ENOMEM");
    } else {
        printf("~ bomb: stopped at %d children\n", count);
    }
    close(gate[0]);
    close(gate[1]);
    int reaped = 0;
    for (int i = 0; i < count; i++) {
        int status = wait_for(children[i]);
        reaped += WIFEXITED(status) && WEXITSTATUS(status) == 0;
    }
    failed += check(reaped == count, "every child saw end of file and exited 0");
    int status;
    failed += check(waitpid(-1, &status, WNOHANG) == -1 && errno == ECHILD, "no child left");
    printf("bomb: the parent survived and reaped every child\n");
    /* The quota is whole again: one more fork works. */
    pid_t again = fork_flushed();
    if (again == 0) {
        exit(9);
    }
    status = wait_for(again);
    failed += check(WIFEXITED(status) && WEXITSTATUS(status) == 9, "a fork after the bomb");
    printf("bomb: a fork after it works\n");
    return failed;
}
