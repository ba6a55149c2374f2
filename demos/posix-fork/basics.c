/* fork's contract: two copies that return 0 and the child's pid, with
 * separate memory; exit statuses, a grandchild, and a fault that
 * reaches waitpid as SIGSEGV. */
#include "demo.h"
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int global = 1;

static int copies(void)
{
    int failed = 0;
    pid_t parent = getpid();
    char *heap = malloc(32);
    strcpy(heap, "parent's heap");
    pid_t pid = fork_flushed();
    if (pid == 0) {
        global = 2;
        strcpy(heap, "child's heap");
        printf("child: fork returned 0; its global %d, its heap \"%s\"\n", global, heap);
        printf("child: getpid differs from the parent's: %s\n", getpid() != parent ? "yes" : "no");
        printf("child: getppid is the parent: %s\n", getppid() == parent ? "yes" : "no");
        exit(7);
    }
    failed += check(pid > 0, "fork returned the child's pid");
    int status = wait_for(pid);
    failed += check(WIFEXITED(status) && WEXITSTATUS(status) == 7, "the child exited 7");
    printf("parent: child exited %d; the parent's global %d, its heap \"%s\"\n",
           WEXITSTATUS(status), global, heap);
    failed += check(global == 1 && strcmp(heap, "parent's heap") == 0,
                    "the parent's memory is its own");
    free(heap);
    return failed;
}

static int grandchild(void)
{
    int failed = 0;
    pid_t pid = fork_flushed();
    if (pid == 0) {
        pid_t inner = fork_flushed();
        if (inner == 0) {
            printf("grandchild: running\n");
            exit(5);
        }
        int status = wait_for(inner);
        printf("child: grandchild exited %d\n", WEXITSTATUS(status));
        exit(WIFEXITED(status) ? 10 + WEXITSTATUS(status) : 1);
    }
    int status = wait_for(pid);
    failed += check(WIFEXITED(status) && WEXITSTATUS(status) == 15, "nested fork: 10 + 5");
    printf("parent: child exited %d after its own child\n", WEXITSTATUS(status));
    return failed;
}

static int fault(void)
{
    pid_t pid = fork_flushed();
    if (pid == 0) {
        /* Through a volatile pointer, so the compiler emits the store
         * (a page fault), not a trap instruction. */
        volatile int *volatile null = NULL;
        *null = 1;
        exit(0);
    }
    int status = wait_for(pid);
    printf("parent: faulting child %s\n",
           WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV ? "killed by SIGSEGV" : "not killed by SIGSEGV");
    return check(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV, "a fault reports SIGSEGV");
}

/* A fork while a waitpid(WNOHANG) left another child's wait pending. */
static int fork_beside_a_wait(void)
{
    int failed = 0;
    int gate[2];
    if (pipe(gate) != 0) {
        return check(0, "pipe");
    }
    pid_t slow = fork_flushed();
    if (slow == 0) {
        char c;
        close(gate[1]);
        exit(read(gate[0], &c, 1) == 0 ? 4 : 1);
    }
    close(gate[0]);
    int status = 0;
    failed += check(waitpid(slow, &status, WNOHANG) == 0, "WNOHANG: the child runs on");
    pid_t quick = fork_flushed();
    if (quick == 0) {
        exit(3);
    }
    failed += check(quick > 0, "fork while a WNOHANG wait is pending");
    status = wait_for(quick);
    failed += check(WIFEXITED(status) && WEXITSTATUS(status) == 3, "the second child exited 3");
    close(gate[1]);
    status = wait_for(slow);
    failed += check(WIFEXITED(status) && WEXITSTATUS(status) == 4, "the first child saw EOF");
    printf("parent: forked beside a pending wait; children exited 3 and %d\n", WEXITSTATUS(status));
    return failed;
}

/* The shell's pattern: fork, then execve a program in the child; the
 * child's exit status is the program's. */
static int fork_then_exec(void)
{
    pid_t pid = fork_flushed();
    if (pid == 0) {
        char *argv[] = {"posix-fork", "exec-child", NULL};
        execv(self_path, argv);
        printf("FAIL: execv in the forked child: %s\n", errname(errno));
        _exit(127);
    }
    int status = wait_for(pid);
    printf("parent: fork then execve: the program exited %d\n", WEXITSTATUS(status));
    return check(WIFEXITED(status) && WEXITSTATUS(status) == 6, "the exec'd program's status");
}

int demo_basics(void)
{
    return copies() + grandchild() + fault() + fork_beside_a_wait() + fork_then_exec();
}
