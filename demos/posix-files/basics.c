/* Creating, writing, reading back, appending, truncating; descriptors
   sharing an offset; unlinking an open file. */
#include "demo.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int demo_basics(void)
{
    int failures = 0;
    char buf[128];
    int fd = open("notes", O_RDWR | O_CREAT | O_EXCL, 0666);
    failures += check(fd >= 0, "create notes");
    ssize_t n = write(fd, "first line\n", 11);
    printf("write: %zd\n", n);
    n = pread(fd, buf, sizeof buf, 0);
    printf("pread from 0: %zd \"%.*s\"\n", n, (int)(n > 0 ? n - 1 : 0), buf);
    n = read(fd, buf, sizeof buf);
    printf("read at the end: %zd\n", n);
    close(fd);

    fd = open("notes", O_WRONLY | O_APPEND);
    write(fd, "second line\n", 12);
    off_t at = lseek(fd, 0, SEEK_CUR);
    printf("O_APPEND write moved the offset to %lld\n", (long long)at);
    close(fd);
    get_file("notes", buf, sizeof buf);
    printf("notes now: \"%s\"\n", strtok(buf, "\n"));

    /* dup shares the offset; a second open does not. */
    int a = open("notes", O_RDONLY);
    int b = dup(a);
    int c = open("notes", O_RDONLY);
    read(a, buf, 6);
    n = read(b, buf, 4);
    printf("dup'd descriptor read \"%.*s\" (shared offset)\n", (int)n, buf);
    n = read(c, buf, 5);
    printf("second open read \"%.*s\" (its own offset)\n", (int)n, buf);
    close(a);
    close(b);
    close(c);

    /* Truncating, then growing: the new bytes read as zeros. */
    fd = open("notes", O_RDWR);
    ftruncate(fd, 5);
    ftruncate(fd, 8);
    memset(buf, 'x', sizeof buf);
    n = pread(fd, buf, sizeof buf, 0);
    printf("after truncate to 5 and back to 8: %zd bytes, \"%.5s\" then %s\n", n, buf,
           buf[5] == 0 && buf[6] == 0 && buf[7] == 0 ? "zeros" : "not zeros");
    close(fd);

    /* Unlinked while open: still readable through the descriptor. */
    fd = open("notes", O_RDONLY);
    failures += check(unlink("notes") == 0, "unlink notes");
    struct stat st;
    fstat(fd, &st);
    n = read(fd, buf, 5);
    printf("unlinked but open: st_nlink %ld, read \"%.*s\"\n", (long)st.st_nlink, (int)n, buf);
    SHOW("open after unlink", open("notes", O_RDONLY));
    close(fd);
    return failures;
}
