/*
 * Calls capOS does not back fail with the errno docs/posix/operations.md
 * documents, and libcapos-posix logs one line naming each (checked by
 * the smoke). On the host they succeed, so these lines are marked "~ ".
 */
#include "demo.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int demo_unsupported(void)
{
    /* The adapter's report line goes straight to the console: flush
     * first so it does not land inside a buffered line. */
    fflush(stdout);
    errno = 0;
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    printf("~ socket: %d, errno %s\n", s, errname(errno));
    if (s >= 0) {
        close(s);
    }
    fflush(stdout);
    errno = 0;
    pid_t pid = fork();
    if (pid == 0) {
        _exit(0);
    }
    printf("~ fork: %s, errno %s\n", pid < 0 ? "-1" : "a child", errname(errno));
    if (pid > 0) {
        waitpid(pid, NULL, 0);
    }
    fflush(stdout);
    errno = 0;
    int fd = open("/etc/hostname", O_RDONLY);
    printf("~ open: %d, errno %s\n", fd, errname(errno));
    if (fd >= 0) {
        close(fd);
    }
    fflush(stdout);
    /* Backed on capOS by the "random" EntropySource: two draws of 16
       bytes must both be full and differ (a repeat has odds of 2^-128). */
    unsigned char first[16], second[16];
    ssize_t a = getrandom(first, sizeof first, 0);
    ssize_t b = getrandom(second, sizeof second, GRND_NONBLOCK);
    printf("getrandom: %zd and %zd bytes, draws %s\n", a, b,
           memcmp(first, second, sizeof first) != 0 ? "differ" : "repeat");
    errno = 0;
    a = getrandom(first, sizeof first, 0x80);
    printf("getrandom with an unknown flag: %zd, errno %s\n", a, errname(errno));
    fflush(stdout);
    struct timespec cpu;
    errno = 0;
    int r = clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu);
    printf("~ clock_gettime(CLOCK_PROCESS_CPUTIME_ID): %d, errno %s\n", r, errname(errno));
    struct utsname u;
    r = uname(&u);
    printf("~ uname: %d %s %s %s\n", r, u.sysname, u.release, u.machine);
    printf("~ getpid: %d\n", (int)getpid());
    return 0;
}
