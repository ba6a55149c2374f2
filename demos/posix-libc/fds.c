/*
 * The descriptor table: dup, dup2, dup3, fcntl and close on the console
 * descriptors (on the host, a pipe: the differential check runs the
 * program with stdin closed and stdout and stderr on one pipe, which is
 * what capOS gives it), isatty, and EMFILE when the table is full.
 */
#include "demo.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static int exhaust(void)
{
    int fds[2048], n = 0;
    errno = 0;
    while (n < 2048) {
        int fd = dup(1);
        if (fd < 0) {
            break;
        }
        fds[n++] = fd;
    }
    /* 64 descriptors on capOS; the differential check sets the host's
     * limit to 64 too (and closes what the host process inherited). */
    printf("duplicates of fd 1 until the table was full: %d\n", n);
    printf("dup on a full table: errno %s\n", errname(errno));
    int e = errno;
    while (n > 0) {
        close(fds[--n]);
    }
    return check(e == EMFILE, "EMFILE");
}

int demo_fds(void)
{
    int fails = 0;
    fflush(stdout);
    int fd = dup(1);
    printf("dup(1): %d (fd 0 is closed, the lowest free)\n", fd);
    fflush(stdout);
    dprintf(fd, "written through the duplicate\n");
    int flags = fcntl(fd, F_GETFD);
    int fl = fcntl(fd, F_GETFL);
    printf("F_GETFD %d, F_GETFL access mode O_WRONLY: %s\n", flags,
           (fl & O_ACCMODE) == O_WRONLY ? "yes" : "no");
    fails += check(fcntl(fd, F_SETFD, FD_CLOEXEC) == 0, "F_SETFD");
    printf("after F_SETFD: fd %d cloexec %d, fd 1 cloexec %d\n", fd, fcntl(fd, F_GETFD),
           fcntl(1, F_GETFD));
    fails += check(fcntl(fd, F_SETFL, fl | O_NONBLOCK) == 0, "F_SETFL");
    printf("F_SETFL O_NONBLOCK shared with fd 1: %s\n",
           fcntl(1, F_GETFL) & O_NONBLOCK ? "yes" : "no");
    fcntl(fd, F_SETFL, fl);
    int high = fcntl(1, F_DUPFD, 10);
    int high_ce = fcntl(1, F_DUPFD_CLOEXEC, 10);
    printf("F_DUPFD 10: %d, F_DUPFD_CLOEXEC 10: %d cloexec %d\n", high, high_ce,
           fcntl(high_ce, F_GETFD));
    int seven = dup2(1, 7);
    printf("dup2(1, 7): %d, dup2(7, 7): %d\n", seven, dup2(7, 7));
    int eight = dup3(1, 8, O_CLOEXEC);
    printf("dup3(1, 8, O_CLOEXEC): %d cloexec %d\n", eight, fcntl(8, F_GETFD));
    int r = ioctl(7, FIOCLEX);
    printf("ioctl FIOCLEX on 7: %d cloexec %d\n", r, fcntl(7, F_GETFD));
    int closed = close(fd) | close(high) | close(high_ce) | close(7) | close(8);
    printf("close all duplicates: %d, fd 1 still writes: %s\n", closed,
           fcntl(1, F_GETFD) == 0 ? "yes" : "no");
    errno = 0;
    int tty = isatty(1);
    printf("isatty(1): %d errno %s\n", tty, errname(errno));
    errno = 0;
    tty = isatty(40);
    printf("isatty(40): %d errno %s\n", tty, errname(errno));
    struct winsize ws;
    errno = 0;
    r = ioctl(2, TIOCGWINSZ, &ws);
    printf("ioctl TIOCGWINSZ on 2: %d errno %s\n", r, errname(errno));
    fflush(stdout);
    return fails + exhaust();
}
