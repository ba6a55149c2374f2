/* lseek with every whence, holes, pread and pwrite, and the errors. */
#include "demo.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void seek(int fd, off_t off, int whence, const char *what)
{
    errno = 0;
    off_t r = lseek(fd, off, whence);
    printf("lseek %s: %lld, errno %s\n", what, (long long)r, errname(errno));
}

int demo_seek(void)
{
    int fd = open("sparse", O_RDWR | O_CREAT | O_TRUNC, 0644);
    write(fd, "head", 4);
    seek(fd, 10000, SEEK_SET, "SEEK_SET 10000");
    write(fd, "tail", 4);
    seek(fd, 0, SEEK_END, "SEEK_END 0");
    seek(fd, -8, SEEK_CUR, "SEEK_CUR -8");
    seek(fd, -20000, SEEK_CUR, "before the start");
    seek(fd, 5, 99, "whence 99");
    seek(fd, 20000, SEEK_DATA, "SEEK_DATA past the end");
    char buf[16];
    memset(buf, 'x', sizeof buf);
    ssize_t n = pread(fd, buf, 8, 5000);
    printf("pread in the hole: %zd bytes, %s\n", n,
           memcmp(buf, "\0\0\0\0\0\0\0\0", 8) == 0 ? "zeros" : "not zeros");
    n = pwrite(fd, "MID", 3, 5000);
    off_t cur = lseek(fd, 0, SEEK_CUR);
    printf("pwrite: %zd, offset still %lld\n", n, (long long)cur);
    n = pread(fd, buf, 3, 5000);
    printf("pread it back: \"%.*s\"\n", (int)n, buf);
    errno = 0;
    n = pread(fd, buf, 3, -1);
    printf("pread at -1: %zd, errno %s\n", n, errname(errno));
    close(fd);
    errno = 0;
    n = lseek(1, 0, SEEK_CUR);
    printf("~ lseek on stdout: %zd, errno %s\n", n, errname(errno));
    unlink("sparse");
    return 0;
}
