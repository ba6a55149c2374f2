/* posix_spawn and posix_spawnp: the child's output, its exit status,
 * file actions on the child's descriptors, and refusals. */
#include "demo.h"
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int demo_spawn(void)
{
    int failures = 0, status = 0;
    pid_t pid = 0;

    int r = spawn_child(&pid, "say", "hello from posix_spawn", NULL);
    printf("posix_spawn: %s\n", errname(r));
    failures += check(r == 0 && pid > 0, "posix_spawn starts the child");
    failures += check(waitpid(pid, &status, 0) == pid, "waitpid returns the child's pid");
    describe("posix_spawn child", status);

    /* Descriptors: fd 3 is close-on-exec, fd 5 is not; the actions put
     * the console at 4 and close 2. The child reports the open ones
     * among 0..7 as its exit status (bit n for fd n): 1, 4 and 5. */
    failures += check(fcntl(dup2(1, 3), F_SETFD, FD_CLOEXEC) == 0, "fd 3 close-on-exec");
    failures += check(dup2(1, 5) == 5, "fd 5");
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, 1, 4);
    posix_spawn_file_actions_addclose(&fa, 2);
    r = spawn_child(&pid, "probe", "-", &fa);
    posix_spawn_file_actions_destroy(&fa);
    failures += check(r == 0 && waitpid(pid, &status, 0) == pid, "probe child");
    printf("posix_spawn with dup2 1->4, close 2: child's open fds mask %d\n",
           WEXITSTATUS(status));
    failures += check(fcntl(2, F_GETFD) == 0 && fcntl(4, F_GETFD) == -1,
                      "the parent's descriptors are untouched");
    close(3);
    close(5);

    /* posix_spawnp finds a bare name in PATH (unset on capOS: musl's
     * default, whose /bin is the tree's). */
    fflush(stdout);
    r = posix_spawnp(&pid, "pipe-child", NULL, NULL, child_argv("say", "hello from posix_spawnp"),
                     environ);
    failures += check(r == 0 && waitpid(-1, &status, 0) == pid, "posix_spawnp and wait for any");
    describe("posix_spawnp child", status);

    r = posix_spawn(&pid, "/nonexistent/pipe-child", NULL, NULL, child_argv("say", "-"), environ);
    printf("posix_spawn of a missing program: %s\n", errname(r));
    r = posix_spawnp(&pid, "no-such-program", NULL, NULL, child_argv("say", "-"), environ);
    printf("posix_spawnp of a missing program: %s\n", errname(r));

    return failures;
}
