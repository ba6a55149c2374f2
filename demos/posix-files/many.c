/* Many files in one directory; unlinking while reading it; descriptors
   until EMFILE. */
#include "demo.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FILES 1500

int demo_many(void)
{
    int failures = 0;
    mkdir("many", 0755);
    char name[300];
    for (int i = 0; i < FILES; i++) {
        snprintf(name, sizeof name, "many/f%04d", i);
        int fd = open(name, O_WRONLY | O_CREAT | O_EXCL, 0644);
        if (fd < 0) {
            printf("FAIL: create %s: errno %s\n", name, errname(errno));
            return 1;
        }
        close(fd);
    }
    DIR *dir = opendir("many");
    int seen = 0, removed = 0;
    struct dirent *e;
    while ((e = readdir(dir))) {
        if (e->d_name[0] == '.') {
            continue;
        }
        seen++;
        snprintf(name, sizeof name, "many/%s", e->d_name);
        removed += unlink(name) == 0;
    }
    closedir(dir);
    printf("%d files in one directory: %d read by readdir while each was unlinked, %d unlinked\n",
           FILES, seen, removed);
    failures += check(rmdir("many") == 0, "rmdir many (empty now)");

    /* Descriptors until the table is full. */
    int fds[80], count = 0;
    put_file("fd-test", "x");
    errno = 0;
    while (count < 80) {
        int fd = open("fd-test", O_RDONLY);
        if (fd < 0) {
            break;
        }
        fds[count++] = fd;
    }
    printf("opened until %s\n", errname(errno));
    printf("~ descriptors opened: %d\n", count);
    for (int i = 0; i < count; i++) {
        close(fds[i]);
    }
    unlink("fd-test");
    return failures;
}
