/* posix-fork: runs every section and exits 0 if every check passed.
 * Run as "posix-fork exec-child", it is the program a forked child
 * execs: it says so and exits 6. */
#include "demo.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

const char *self_path;

int check(int ok, const char *what)
{
    if (!ok) {
        printf("FAIL: %s\n", what);
    }
    return !ok;
}

const char *errname(int e)
{
    switch (e) {
    case 0: return "0";
    case EAGAIN: return "EAGAIN";
    case ENOMEM: return "ENOMEM";
    case ECHILD: return "ECHILD";
    case ENOSYS: return "ENOSYS";
    default: return "another errno";
    }
}

pid_t fork_flushed(void)
{
    fflush(stdout);
    return fork();
}

int wait_for(pid_t pid)
{
    int status = 0;
    pid_t got = waitpid(pid, &status, 0);
    if (got != pid) {
        printf("FAIL: waitpid(%d) returned %d (%s)\n", (int)pid, (int)got, errname(errno));
        return -1;
    }
    return status;
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "exec-child") == 0) {
        printf("exec-child: running in the program a forked child exec'd\n");
        return 6;
    }
    if (argc != 2) {
        printf("usage: posix-fork SELF_PATH\n");
        return 2;
    }
    self_path = argv[1];
    /* The bomb before the pipes: its refusal is the one the adapter
     * reports (once per call), with the kernel's reason. */
    int failed = demo_basics() + demo_bomb() + demo_pipes();
    printf("posix-fork: %s\n", failed ? "FAILED" : "all checks passed");
    return failed != 0;
}
