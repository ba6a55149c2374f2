/* The shell-pipeline operation of make bench on Linux
 * (demos/linux-bench/bench.c): dash runs `seq 1 20000 | wc -l` end to
 * end: posix_spawn of /bin/dash with wc's output on /tmp/count, dash's
 * fork for the pipeline, the two toybox commands over a pipe, the waits;
 * then the count is checked. capOS's twin is shell_pipeline in
 * demos/bench/src/bin/bench.rs, which spawns the same dash the same way
 * (the spawn gives dash the quotas its commands need, which posix_spawn
 * from C cannot). */
#ifndef SHELL_PIPELINE_H
#define SHELL_PIPELINE_H

#include <fcntl.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int shell_pipeline(void)
{
    static char *const argv[] = {"dash", "-c", "seq 1 20000 | wc -l", NULL};
    static char *const envp[] = {"PATH=/bin", NULL};
    posix_spawn_file_actions_t actions;
    if (posix_spawn_file_actions_init(&actions) != 0)
        return -1;
    int err = posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/tmp/count",
                                               O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid;
    if (err == 0)
        err = posix_spawn(&pid, "/bin/dash", &actions, NULL, argv, envp);
    posix_spawn_file_actions_destroy(&actions);
    if (err != 0)
        return -1;
    int status;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return -1;
    char count[16];
    int fd = open("/tmp/count", O_RDONLY);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, count, sizeof count);
    close(fd);
    return n == 6 && memcmp(count, "20000\n", 6) == 0 ? 0 : -1;
}

#endif
