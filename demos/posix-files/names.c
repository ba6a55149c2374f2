/* mkdir, rename, rmdir, the working directory, and *at calls. */
#include "demo.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void report(const char *call, int result)
{
    printf("%s: %d, errno %s\n", call, result, errname(errno));
    errno = 0;
}

int demo_names(void)
{
    int failures = 0;
    char buf[64];
    errno = 0;
    report("mkdir d", mkdir("d", 0755));
    report("mkdir d again", mkdir("d", 0755));
    report("mkdir d/sub/deeper", mkdir("d/sub/deeper", 0755));
    failures += check(put_file("d/a", "alpha\n") == 0, "create d/a");
    report("rename d/a d/b", rename("d/a", "d/b"));
    report("rename d/a d/c (gone)", rename("d/a", "d/c"));
    report("mkdir d/sub", mkdir("d/sub", 0755));
    report("rename d/b d/sub/b", rename("d/b", "d/sub/b"));
    report("rename d d/sub/e (into itself)", rename("d", "d/sub/e"));
    failures += check(put_file("d/f", "file\n") == 0, "create d/f");
    report("rename d/f d/sub (file over a directory)", rename("d/f", "d/sub"));
    report("rename d/sub d/f (directory over a file)", rename("d/sub", "d/f"));
    report("mkdir d/empty", mkdir("d/empty", 0755));
    report("rename d/sub d/empty (over an empty directory)", rename("d/sub", "d/empty"));
    get_file("d/empty/b", buf, sizeof buf);
    printf("d/empty/b holds \"%s\"\n", strtok(buf, "\n"));
    report("rename d/f d/f (onto itself)", rename("d/f", "d/f"));
    report("rmdir d (not empty)", rmdir("d"));
    report("rmdir d/f (a file)", rmdir("d/f"));
    report("unlink d/empty (a directory)", unlink("d/empty"));

    /* The working directory, relative paths and .. */
    report("chdir d/empty", chdir("d/empty"));
    char cwd[4096];
    char *got = getcwd(cwd, sizeof cwd);
    size_t len = got ? strlen(cwd) : 0;
    printf("getcwd ends in /d/empty: %s\n",
           got && len >= 8 && strcmp(cwd + len - 8, "/d/empty") == 0 ? "yes" : "no");
    errno = 0;
    got = getcwd(cwd, 3);
    printf("getcwd into 3 bytes: %s, errno %s\n", got ? "a path" : "NULL", errname(errno));
    errno = 0;
    get_file("../f", buf, sizeof buf);
    printf("../f holds \"%s\"\n", strtok(buf, "\n"));
    report("chdir ../..", chdir("../.."));
    report("chdir d/f (a file)", chdir("d/f"));

    /* The *at calls, relative to a directory descriptor. */
    int dfd = open("d", O_RDONLY | O_DIRECTORY);
    int fd = openat(dfd, "at-file", O_WRONLY | O_CREAT | O_EXCL, 0600);
    report("openat d at-file", fd >= 0 ? 0 : -1);
    close(fd);
    struct stat st;
    report("fstatat d at-file", fstatat(dfd, "at-file", &st, 0));
    printf("its mode: %o\n", (unsigned)(st.st_mode & 07777));
    report("mkdirat d at-dir", mkdirat(dfd, "at-dir", 0700));
    report("renameat d at-file -> d at-dir/moved", renameat(dfd, "at-file", dfd, "at-dir/moved"));
    report("unlinkat d at-dir/moved", unlinkat(dfd, "at-dir/moved", 0));
    report("unlinkat d at-dir AT_REMOVEDIR", unlinkat(dfd, "at-dir", AT_REMOVEDIR));
    report("fchdir d", fchdir(dfd));
    report("access f after fchdir", access("f", F_OK));
    report("chdir ..", chdir(".."));
    close(dfd);

    /* Clean up: the directory must be empty to go. */
    report("unlink d/f", unlink("d/f"));
    report("unlink d/empty/b", unlink("d/empty/b"));
    report("rmdir d/empty", rmdir("d/empty"));
    report("rmdir d", rmdir("d"));
    return failures;
}
