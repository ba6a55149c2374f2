/* posix-files: runs every section in the directory given as argv[1]. */
#include "demo.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
        {0, "0"},
        {EPERM, "EPERM"},
        {ENOENT, "ENOENT"},
        {EBADF, "EBADF"},
        {EACCES, "EACCES"},
        {EEXIST, "EEXIST"},
        {EXDEV, "EXDEV"},
        {ENOTDIR, "ENOTDIR"},
        {EISDIR, "EISDIR"},
        {EINVAL, "EINVAL"},
        {EMFILE, "EMFILE"},
        {EFBIG, "EFBIG"},
        {ENOSPC, "ENOSPC"},
        {ESPIPE, "ESPIPE"},
        {EROFS, "EROFS"},
        {ERANGE, "ERANGE"},
        {ENAMETOOLONG, "ENAMETOOLONG"},
        {ENOTEMPTY, "ENOTEMPTY"},
        {ENXIO, "ENXIO"},
        {ENOSYS, "ENOSYS"},
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

int put_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        return -1;
    }
    size_t len = strlen(text);
    int ok = write(fd, text, len) == (ssize_t)len;
    return close(fd) == 0 && ok ? 0 : -1;
}

long get_file(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        return -1;
    }
    ssize_t n = read(fd, buf, size - 1);
    close(fd);
    if (n < 0) {
        return -1;
    }
    buf[n] = 0;
    return n;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        printf("usage: posix-files DIR [capos]\n");
        return 2;
    }
    umask(022);
    if (chdir(argv[1]) != 0) {
        printf("FAIL: chdir to the work directory: errno %s\n", errname(errno));
        return 1;
    }
    printf("posix-files: working in the directory given\n");
    fflush(stdout);
    int (*const sections[])(void) = {
        demo_basics, demo_seek, demo_names, demo_dirs, demo_meta, demo_errors, demo_many,
        demo_devices,
    };
    int failures = 0;
    for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++) {
        failures += sections[i]();
        fflush(stdout);
    }
    if (argc > 2 && strcmp(argv[2], "capos") == 0) {
        failures += demo_capos();
        fflush(stdout);
    }
    printf("posix-files: %d failures\n", failures);
    return failures ? 1 : 0;
}
