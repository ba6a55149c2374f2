/* The quotas a service shares with its forks (system-posix-fork.cue).
 *
 * A fork bomb inside them: the
 * children block on a pipe until the parent lets them go, so they pile
 * up until fork fails with EAGAIN (kernel memory for one more process)
 * or ENOMEM (memory for the copy). The parent survives, releases and
 * reaps every child. On Linux the bomb stops at MAX_CHILDREN instead,
 * so which of the two ended it is a "~ " line.
 *
 * A process holding more memory than its quota has left cannot be
 * copied: fork fails with ENOMEM, and the process goes on (Linux
 * overcommits and forks it: a "~ " line too). */
#include "demo.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_CHILDREN 200

/* More than half of the 48 MiB the service has: two copies cannot fit. */
#define BIG (28 * 1024 * 1024)

static int too_big_to_copy(void)
{
    int failed = 0;
    char *big = malloc(BIG);
    if (!big) {
        return check(0, "malloc of the big block");
    }
    memset(big, 0x5a, BIG);
    pid_t pid = fork_flushed();
    if (pid == 0) {
        exit(big[BIG - 1] == 0x5a ? 0 : 1);
    }
    if (pid < 0) {
        printf("~ big fork: -1, errno %s\n", errname(errno));
        failed += check(errno == ENOMEM, "a copy past the memory quota is ENOMEM");
    } else {
        int status = wait_for(pid);
        printf("~ big fork: the child exited %d\n", WEXITSTATUS(status));
    }
    failed += check(big[0] == 0x5a && big[BIG - 1] == 0x5a, "the parent's block is intact");
    free(big);
    printf("big fork: the parent goes on\n");
    return failed;
}

static int bomb(void)
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

int demo_bomb(void)
{
    return bomb() + too_big_to_copy();
}
