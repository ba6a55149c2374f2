/* The errno of each way an open or a write can fail. */
#include "demo.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void try_open(const char *what, const char *path, int flags)
{
    errno = 0;
    int fd = open(path, flags, 0644);
    printf("open %s: %s, errno %s\n", what, fd >= 0 ? "opened" : "-1", errname(errno));
    if (fd >= 0) {
        close(fd);
    }
}

int demo_errors(void)
{
    put_file("e", "e");
    mkdir("ed", 0755);
    try_open("missing", "missing", O_RDONLY);
    try_open("in a missing directory", "nodir/x", O_WRONLY | O_CREAT);
    try_open("existing with O_EXCL", "e", O_WRONLY | O_CREAT | O_EXCL);
    try_open("a directory for writing", "ed", O_WRONLY);
    try_open("a directory with O_CREAT", "ed", O_RDONLY | O_CREAT);
    try_open("a file with O_DIRECTORY", "e", O_RDONLY | O_DIRECTORY);
    try_open("below a file", "e/x", O_RDONLY);
    /* Linux since 6.4 says EINVAL; older kernels differ. */
    errno = 0;
    int odd = open("new", O_RDONLY | O_CREAT | O_DIRECTORY, 0644);
    printf("~ open O_CREAT|O_DIRECTORY: %d, errno %s\n", odd, errname(errno));
    if (odd >= 0) {
        close(odd);
        unlink("new");
    }
    char name[300];
    memset(name, 'n', 256);
    name[256] = 0;
    try_open("a 256-byte name", name, O_WRONLY | O_CREAT);
    memset(name, 'n', 255);
    name[255] = 0;
    try_open("a 255-byte name", name, O_WRONLY | O_CREAT);
    unlink(name);
    static char long_path[5000];
    for (int i = 0; i < 2400; i++) {
        memcpy(long_path + 2 * i, "./", 2);
    }
    strcpy(long_path + 4800, "e");
    try_open("a 4801-byte path", long_path, O_RDONLY);
    try_open("an empty path", "", O_RDONLY);

    char byte = 0;
    int fd = open("e", O_RDONLY);
    SHOW("write to O_RDONLY", write(fd, "x", 1));
    SHOW("ftruncate O_RDONLY", ftruncate(fd, 0));
    close(fd);
    fd = open("e", O_WRONLY);
    SHOW("read from O_WRONLY", read(fd, &byte, 1));
    SHOW("ftruncate -1", ftruncate(fd, -1));
    close(fd);
    SHOW("stat of an empty path", stat("", &(struct stat){0}));
    unlink("e");
    rmdir("ed");
    return 0;
}
