/* Pipes across fork: the child holds copies of the parent's ends, so
 * end of file comes only once every copy of the write end is closed. */
#include "demo.h"
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Reads until end of file; returns the bytes read. */
static size_t drain(int fd, char *buf, size_t size)
{
    size_t got = 0;
    ssize_t n;
    while (got < size && (n = read(fd, buf + got, size - got)) > 0) {
        got += (size_t)n;
    }
    return got;
}

/* The child writes; the parent reads to end of file, which comes when
 * the child exits (its copy of the write end goes with it). */
static int child_writes(void)
{
    int failed = 0;
    int p[2];
    if (pipe(p) != 0) {
        return check(0, "pipe");
    }
    pid_t pid = fork_flushed();
    if (pid == 0) {
        close(p[0]);
        const char *msg = "hello through the pipe";
        ssize_t n = write(p[1], msg, strlen(msg));
        exit(n == (ssize_t)strlen(msg) ? 0 : 1);
    }
    close(p[1]);
    char buf[64] = {0};
    size_t got = drain(p[0], buf, sizeof buf - 1);
    close(p[0]);
    int status = wait_for(pid);
    failed += check(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the writer exited 0");
    printf("parent: read \"%s\" (%zu bytes), then end of file\n", buf, got);
    return failed + check(strcmp(buf, "hello through the pipe") == 0, "the child's bytes");
}

/* The parent writes; the child reads to end of file, which it sees only
 * because it closed its own copy of the write end first. */
static int parent_writes(void)
{
    int p[2];
    if (pipe(p) != 0) {
        return check(0, "pipe");
    }
    pid_t pid = fork_flushed();
    if (pid == 0) {
        close(p[1]);
        char buf[64] = {0};
        size_t got = drain(p[0], buf, sizeof buf - 1);
        printf("child: read \"%s\" (%zu bytes), then end of file\n", buf, got);
        exit(got == 5 ? 0 : 1);
    }
    close(p[0]);
    ssize_t n = write(p[1], "12345", 5);
    close(p[1]);
    int status = wait_for(pid);
    return check(n == 5, "write 5") +
           check(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the reader saw end of file");
}

/* Two children write into one pipe; end of file after both exit. */
static int two_writers(void)
{
    int p[2];
    if (pipe(p) != 0) {
        return check(0, "pipe");
    }
    pid_t a = fork_flushed();
    if (a == 0) {
        close(p[0]);
        exit(write(p[1], "aa", 2) == 2 ? 0 : 1);
    }
    pid_t b = fork_flushed();
    if (b == 0) {
        close(p[0]);
        exit(write(p[1], "bbb", 3) == 3 ? 0 : 1);
    }
    close(p[1]);
    char buf[16] = {0};
    size_t got = drain(p[0], buf, sizeof buf - 1);
    close(p[0]);
    int sa = wait_for(a), sb = wait_for(b);
    printf("parent: two writers, %zu bytes, then end of file\n", got);
    return check(got == 5, "5 bytes from two children") +
           check(WIFEXITED(sa) && WIFEXITED(sb) && WEXITSTATUS(sa) == 0 && WEXITSTATUS(sb) == 0,
                 "both writers exited 0");
}

/* A poll that times out leaves its readiness wait in flight on capOS
 * (nothing can cancel it). The kernel copies no process with a call in
 * flight, except such quiet waits, which stay the parent's: fork works,
 * and the parent still gets the wait's answer once the pipe is ready. */
static int fork_after_poll(void)
{
    int failed = 0;
    int p[2];
    if (pipe(p) != 0) {
        return check(0, "pipe");
    }
    struct pollfd fd = {.fd = p[0], .events = POLLIN};
    failed += check(poll(&fd, 1, 0) == 0, "poll of an empty pipe times out");
    pid_t pid = fork_flushed();
    if (pid == 0) {
        _exit(0);
    }
    if (pid < 0) {
        printf("FAIL: fork after a poll that timed out: -1, errno %s\n", errname(errno));
        failed++;
    } else {
        wait_for(pid);
        printf("fork after a poll that timed out: forked\n");
    }
    failed += check(write(p[1], "x", 1) == 1, "write 1");
    pid = fork_flushed();
    if (pid == 0) {
        _exit(0);
    }
    int status = pid > 0 ? wait_for(pid) : -1;
    failed += check(pid > 0 && WIFEXITED(status), "fork once the polled pipe is ready");
    printf("fork after the polled pipe became ready: %s\n", pid > 0 ? "works" : "fails");
    close(p[0]);
    close(p[1]);
    return failed;
}

int demo_pipes(void)
{
    return child_writes() + parent_writes() + two_writers() + fork_after_poll();
}
