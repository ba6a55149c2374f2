/* Pipes between processes: a child's output read through a pipe (by
 * posix_spawn and by fork+dup2+execve), a pipeline of three processes
 * streaming more than the pipe holds, end of file, EPIPE, O_NONBLOCK,
 * poll and select. */
#include "demo.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/select.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* Bytes the pipeline carries: many times any pipe's buffer. */
#define STREAM_BYTES "1100000"

/* Reads `fd` to end of file into `buf` (NUL-terminated); the length. */
static size_t read_all(int fd, char *buf, size_t size)
{
    size_t got = 0;
    for (;;) {
        ssize_t n = read(fd, buf + got, size - 1 - got);
        if (n <= 0) {
            break;
        }
        got += (size_t)n;
    }
    buf[got] = '\0';
    return got;
}

/* A pipe whose ends are close-on-exec and numbered 10 or above, so no
 * child inherits an end it was not given and no end lands on 0, 1 or 2
 * (on capOS fd 0 is free; on Linux it is stdin). */
static int make_pipe(int p[2])
{
    int raw[2];
    if (pipe2(raw, O_CLOEXEC) != 0) {
        return -1;
    }
    p[0] = fcntl(raw[0], F_DUPFD_CLOEXEC, 10);
    p[1] = fcntl(raw[1], F_DUPFD_CLOEXEC, 10);
    close(raw[0]);
    close(raw[1]);
    return p[0] >= 0 && p[1] >= 0 ? 0 : -1;
}

/* Starts the child in `mode` with `in` as its stdin and `out` as its
 * stdout (-1: inherited). The pipe ends themselves are close-on-exec. */
static pid_t start(const char *mode, const char *arg, int in, int out)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    if (in >= 0) {
        posix_spawn_file_actions_adddup2(&fa, in, 0);
    }
    if (out >= 0) {
        posix_spawn_file_actions_adddup2(&fa, out, 1);
    }
    pid_t pid = -1;
    int r = spawn_child(&pid, mode, arg, &fa);
    posix_spawn_file_actions_destroy(&fa);
    return r == 0 ? pid : -1;
}

static int through_spawn(void)
{
    int failures = 0, status = 0, p[2];
    char line[256];
    failures += check(make_pipe(p) == 0, "pipe");
    pid_t pid = start("say", "through a pipe from posix_spawn", -1, p[1]);
    failures += check(pid > 0, "posix_spawn with stdout on the pipe");
    close(p[1]);
    read_all(p[0], line, sizeof line);
    close(p[0]);
    failures += check(waitpid(pid, &status, 0) == pid, "wait for the writer");
    printf("parent read through the pipe: %s", line);
    describe("its writer", status);
    return failures;
}

static int through_fork(void)
{
    int failures = 0, status = 0, p[2];
    char line[256];
    failures += check(make_pipe(p) == 0, "pipe");
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(p[1], STDOUT_FILENO);
        close(p[0]);
        close(p[1]);
        execve(child_path, child_argv("say", "through a pipe from fork"), environ);
        _exit(127);
    }
    failures += check(pid > 0, "fork");
    close(p[1]);
    size_t n = read_all(p[0], line, sizeof line);
    close(p[0]);
    failures += check(waitpid(pid, &status, 0) == pid, "wait for the writer");
    printf("parent read through the pipe: %s", line);
    printf("end of file after %zu bytes, once the writer exited\n", n);
    describe("its writer", status);
    return failures;
}

static int pipeline(void)
{
    int failures = 0, a[2], b[2], status[3] = {0, 0, 0};
    failures += check(make_pipe(a) == 0 && make_pipe(b) == 0, "two pipes");
    pid_t pids[3];
    pids[0] = start("produce", STREAM_BYTES, -1, a[1]);
    close(a[1]);
    pids[1] = start("relay", "-", a[0], b[1]);
    close(a[0]);
    close(b[1]);
    pids[2] = start("consume", STREAM_BYTES, b[0], -1);
    close(b[0]);
    for (int i = 0; i < 3; i++) {
        failures += check(pids[i] > 0 && waitpid(pids[i], &status[i], 0) == pids[i],
                          "a process of the pipeline");
    }
    printf("pipeline produce | relay | consume of %s bytes: exit %d %d %d (0 0 0: the "
           "consumer counted every byte and the checksum matched)\n",
           STREAM_BYTES, WEXITSTATUS(status[0]), WEXITSTATUS(status[1]),
           WEXITSTATUS(status[2]));
    failures += check(status[0] == 0 && status[1] == 0 && status[2] == 0, "the pipeline");
    return failures;
}

static int broken(void)
{
    int failures = 0, p[2], status = 0;
    failures += check(make_pipe(p) == 0, "pipe");
    close(p[0]);
    signal(SIGPIPE, SIG_IGN);
    errno = 0;
    ssize_t n = write(p[1], "x", 1);
    printf("write with no reader, SIGPIPE ignored: %zd, errno %s\n", n, errname(errno));
    signal(SIGPIPE, SIG_DFL);
    close(p[1]);

    /* A writer whose reader is gone, SIGPIPE at its default: killed by
     * the signal, on capOS as on Linux. */
    failures += check(make_pipe(p) == 0, "pipe");
    close(p[0]);
    pid_t pid = start("produce", "10", -1, p[1]);
    close(p[1]);
    failures += check(pid > 0 && waitpid(pid, &status, 0) == pid, "the writer");
    if (WIFSIGNALED(status)) {
        printf("~ writer with no reader: killed by signal %d\n", WTERMSIG(status));
    } else {
        printf("~ writer with no reader: exited %d\n", WEXITSTATUS(status));
    }
    return failures;
}

static int nonblocking_and_poll(void)
{
    int failures = 0, p[2];
    char buf[4096];
    failures += check(pipe2(p, O_NONBLOCK | O_CLOEXEC) == 0, "pipe2");
    failures += check(fcntl(p[0], F_GETFD) == FD_CLOEXEC, "O_CLOEXEC");
    printf("pipe2 O_NONBLOCK: F_GETFL read end %s, write end %s\n",
           (fcntl(p[0], F_GETFL) & O_ACCMODE) == O_RDONLY ? "O_RDONLY" : "other",
           (fcntl(p[1], F_GETFL) & O_ACCMODE) == O_WRONLY ? "O_WRONLY" : "other");
    errno = 0;
    ssize_t n = read(p[0], buf, sizeof buf);
    printf("read of an empty pipe: %zd, errno %s\n", n, errname(errno));

    struct pollfd fds[2] = {{p[0], POLLIN, 0}, {p[1], POLLOUT, 0}};
    int r = poll(fds, 2, 0);
    printf("poll, empty pipe: %d, read end %s, write end %s\n", r,
           fds[0].revents ? "ready" : "not ready", fds[1].revents == POLLOUT ? "POLLOUT" : "?");

    /* Fill it: a non-blocking write takes what fits, then EAGAIN. */
    size_t total = 0;
    memset(buf, 'f', sizeof buf);
    while ((n = write(p[1], buf, sizeof buf)) > 0) {
        total += (size_t)n;
    }
    int saved = errno;
    printf("~ non-blocking writes filled the pipe with %zu bytes\n", total);
    printf("then write: errno %s\n", errname(saved));
    r = poll(fds, 2, 10);
    printf("poll, full pipe: %d, read end %s, write end %s\n", r,
           fds[0].revents == POLLIN ? "POLLIN" : "?", fds[1].revents ? "ready" : "not ready");

    fd_set rd, wr;
    FD_ZERO(&rd);
    FD_ZERO(&wr);
    FD_SET(p[0], &rd);
    FD_SET(p[1], &wr);
    struct timeval tv = {0, 1000};
    r = select(p[1] + 1, &rd, &wr, NULL, &tv);
    printf("select, full pipe: %d, readable %d, writable %d\n", r, FD_ISSET(p[0], &rd) != 0,
           FD_ISSET(p[1], &wr) != 0);

    /* Drain it; with the writer closed, the read end hangs up. */
    size_t drained = 0;
    while ((n = read(p[0], buf, sizeof buf)) > 0) {
        drained += (size_t)n;
    }
    failures += check(drained == total, "everything written is read");
    close(p[1]);
    r = poll(fds, 1, -1);
    printf("poll after the writer closed: %d, %s\n", r,
           fds[0].revents == POLLHUP ? "POLLHUP" : "other");
    n = read(p[0], buf, sizeof buf);
    printf("read after that: %zd (end of file)\n", n);
    close(p[0]);

    /* poll with no descriptors sleeps for its timeout. */
    failures += check(poll(NULL, 0, 5) == 0, "poll as a 5 ms sleep");

    /* A blocking poll that a child's write wakes. */
    failures += check(make_pipe(p) == 0, "pipe");
    pid_t pid = start("say", "woke the parent's poll", -1, p[1]);
    close(p[1]);
    struct pollfd one = {p[0], POLLIN, 0};
    r = poll(&one, 1, -1);
    char line[256];
    read_all(p[0], line, sizeof line);
    close(p[0]);
    waitpid(pid, NULL, 0);
    printf("poll woken by a child: %d, %s: %s", r, one.revents & POLLIN ? "POLLIN" : "?", line);
    return failures;
}

int demo_pipe(void)
{
    return through_spawn() + through_fork() + pipeline() + broken() + nonblocking_and_poll();
}
