/* Reading directories with opendir/readdir, in sorted order. */
#include "demo.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Prints the entries of `path`, sorted, with their types. */
static int list(const char *path)
{
    DIR *dir = opendir(path);
    if (!dir) {
        printf("opendir %s: errno %s\n", path, errname(errno));
        return 1;
    }
    char *names[64];
    int count = 0;
    struct dirent *e;
    while ((e = readdir(dir)) && count < 64) {
        char line[300];
        snprintf(line, sizeof line, "%s%s", e->d_name, e->d_type == DT_DIR ? "/" : "");
        names[count++] = strdup(line);
    }
    closedir(dir);
    qsort(names, count, sizeof names[0], by_name);
    printf("%s:", path);
    for (int i = 0; i < count; i++) {
        printf(" %s", names[i]);
        free(names[i]);
    }
    printf("\n");
    return 0;
}

int demo_dirs(void)
{
    int failures = 0;
    mkdir("tree", 0755);
    mkdir("tree/zeta", 0755);
    failures += check(put_file("tree/beta", "b") == 0, "tree/beta");
    failures += check(put_file("tree/alpha", "a") == 0, "tree/alpha");
    failures += check(put_file("tree/zeta/inner", "i") == 0, "tree/zeta/inner");
    failures += list("tree");
    failures += list("tree/zeta");

    /* rewinddir starts over; telldir/seekdir return to an entry. */
    DIR *dir = opendir("tree");
    int first = 0, again = 0;
    while (readdir(dir)) {
        first++;
    }
    rewinddir(dir);
    while (readdir(dir)) {
        again++;
    }
    printf("entries read, then again after rewinddir: %d, %d\n", first, again);
    closedir(dir);

    errno = 0;
    DIR *d = opendir("tree/beta");
    printf("opendir tree/beta (a file): %s, errno %s\n", d ? "opened" : "NULL", errname(errno));
    errno = 0;
    d = opendir("missing");
    printf("opendir missing: %s, errno %s\n", d ? "opened" : "NULL", errname(errno));
    int fd = open("tree", O_RDONLY);
    char byte;
    SHOW("read on a directory", read(fd, &byte, 1));
    close(fd);
    unlink("tree/zeta/inner");
    rmdir("tree/zeta");
    unlink("tree/alpha");
    unlink("tree/beta");
    failures += check(rmdir("tree") == 0, "rmdir tree");
    return failures;
}
