/* posix-pipe: runs every section, then execve's pipe-child to finish. */
#include "demo.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

const char *child_path;
static char parent_pid[16];

int check(int ok, const char *what)
{
    if (!ok) {
        printf("FAIL: %s\n", what);
    }
    return !ok;
}

const char *errname(int e)
{
    static const struct {
        int value;
        const char *name;
    } names[] = {
        {0, "0"},           {EPERM, "EPERM"},   {ENOENT, "ENOENT"}, {ECHILD, "ECHILD"},
        {EBADF, "EBADF"},   {EAGAIN, "EAGAIN"}, {EACCES, "EACCES"}, {EINVAL, "EINVAL"},
        {ENOSYS, "ENOSYS"}, {E2BIG, "E2BIG"},   {EPIPE, "EPIPE"},   {ENOEXEC, "ENOEXEC"},
        {ENOTDIR, "ENOTDIR"},
    };
    static char other[16];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (names[i].value == e) {
            return names[i].name;
        }
    }
    snprintf(other, sizeof other, "%d", e);
    return other;
}

char **child_argv(const char *mode, const char *arg)
{
    static char *argv[5];
    argv[0] = "pipe-child";
    argv[1] = (char *)mode;
    argv[2] = (char *)arg;
    argv[3] = parent_pid;
    argv[4] = NULL;
    return argv;
}

int spawn_child(pid_t *pid, const char *mode, const char *arg, const void *fa)
{
    fflush(stdout);
    return posix_spawn(pid, child_path, fa, NULL, child_argv(mode, arg), environ);
}

void describe(const char *what, int status)
{
    if (WIFEXITED(status)) {
        printf("%s: exited %d\n", what, WEXITSTATUS(status));
    } else if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        printf("%s: killed by %s\n", what,
               sig == SIGSEGV ? "SIGSEGV" : sig == SIGILL ? "SIGILL" : "another signal");
    } else {
        printf("%s: status %#x\n", what, status);
    }
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        printf("usage: posix-pipe CHILD-PATH\n");
        return 2;
    }
    child_path = argv[1];
    snprintf(parent_pid, sizeof parent_pid, "%d", (int)getpid());
    const char *slash = strrchr(child_path, '/');
    printf("posix-pipe: the child is %s\n", slash ? slash + 1 : child_path);

    int (*const sections[])(void) = {demo_spawn, demo_paths, demo_fork, demo_wait, demo_pipe,
                                        demo_shared};
    int failures = 0;
    for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++) {
        failures += sections[i]();
        fflush(stdout);
    }
    printf("failures: %d\n", failures);
    if (failures) {
        return 1;
    }
    /* The last act: this process becomes pipe-child (on capOS it starts
     * it, waits, and exits with its status). */
    fflush(stdout);
    execve(child_path, child_argv("done", "-"), environ);
    printf("FAIL: execve: errno %s\n", errname(errno));
    return 1;
}
