/* stat fields, modes, times, access and readlink. */
#include "demo.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *type(mode_t m)
{
    return S_ISREG(m) ? "regular file" : S_ISDIR(m) ? "directory" : "other";
}

int demo_meta(void)
{
    int failures = 0;
    failures += check(put_file("m", "0123456789") == 0, "create m");
    struct stat st;
    failures += check(stat("m", &st) == 0, "stat m");
    printf("stat m: %s, size %lld, mode %o, nlink %ld, blksize %ld\n", type(st.st_mode),
           (long long)st.st_size, (unsigned)(st.st_mode & 07777), (long)st.st_nlink,
           (long)st.st_blksize);
    struct stat again;
    stat("m", &again);
    printf("same node twice: %s\n",
           st.st_ino == again.st_ino && st.st_dev == again.st_dev ? "yes" : "no");
    mkdir("md", 0700);
    stat("md", &st);
    printf("stat md: %s, mode %o\n", type(st.st_mode), (unsigned)(st.st_mode & 07777));
    SHOW("stat m/ (a file as a directory)", stat("m/", &st));
    SHOW("lstat missing", lstat("missing", &st));

    errno = 0;
    printf("chmod m 0600: %d\n", chmod("m", 0600));
    stat("m", &st);
    printf("mode now %o\n", (unsigned)(st.st_mode & 07777));
    int fd = open("m", O_RDWR);
    fchmod(fd, 0751);
    fstat(fd, &st);
    printf("fchmod 0751: mode %o\n", (unsigned)(st.st_mode & 07777));
    struct timespec times[2] = {{1000000000, 5}, {1234567890, 123456789}};
    printf("futimens: %d\n", futimens(fd, times));
    fstat(fd, &st);
    printf("mtime %lld.%09ld, atime %lld.%09ld\n", (long long)st.st_mtim.tv_sec,
           st.st_mtim.tv_nsec, (long long)st.st_atim.tv_sec, st.st_atim.tv_nsec);
    struct timespec omit[2] = {{0, UTIME_OMIT}, {42, 0}};
    utimensat(AT_FDCWD, "m", omit, 0);
    stat("m", &st);
    printf("utimensat (atime omitted): mtime %lld, atime %lld\n", (long long)st.st_mtim.tv_sec,
           (long long)st.st_atim.tv_sec);
    close(fd);

    printf("access m R_OK|W_OK: %d\n", access("m", R_OK | W_OK));
    printf("access m X_OK (mode 0751): %d\n", access("m", X_OK));
    chmod("m", 0644);
    SHOW("access m X_OK (mode 0644)", access("m", X_OK));
    SHOW("access missing", access("missing", F_OK));
    char buf[16];
    SHOW("readlink m (not a link)", readlink("m", buf, sizeof buf));
    SHOW("readlink missing", readlink("missing", buf, sizeof buf));
    mode_t old = umask(077);
    fd = open("masked", O_WRONLY | O_CREAT, 0666);
    fstat(fd, &st);
    printf("umask 077 (was %03o): new file mode %o\n", (unsigned)old,
           (unsigned)(st.st_mode & 07777));
    close(fd);
    umask(old);
    unlink("masked");
    unlink("m");
    rmdir("md");
    return failures;
}
