/* The device nodes /dev/null, zero, full and urandom: what stat says of
   them and what their reads and writes do, as on Linux. */
#include "demo.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static int stat_device(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        printf("stat %s: errno %s\n", path, errname(errno));
        return 1;
    }
    printf("stat %s: %s %u,%u mode %o size %lld\n", path,
           S_ISCHR(st.st_mode) ? "character device" : "not a character device",
           major(st.st_rdev), minor(st.st_rdev), (unsigned)(st.st_mode & 07777),
           (long long)st.st_size);
    return check(S_ISCHR(st.st_mode), "a device is S_IFCHR");
}

static int all_zero(const char *buf, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (buf[i] != 0) {
            return 0;
        }
    }
    return 1;
}

int demo_devices(void)
{
    int failures = 0;
    const char *paths[] = {"/dev/null", "/dev/zero", "/dev/full", "/dev/urandom"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        failures += stat_device(paths[i]);
    }
    char buf[64];

    /* O_TRUNC of a device is ignored; null reads end of file. */
    int null = open("/dev/null", O_RDWR | O_TRUNC);
    failures += check(null >= 0, "open /dev/null O_RDWR|O_TRUNC");
    SHOW("read /dev/null", read(null, buf, sizeof buf));
    SHOW("write /dev/null", write(null, "discarded", 9));
    SHOW("read /dev/null again", read(null, buf, sizeof buf));
    SHOW("lseek /dev/null SEEK_END", lseek(null, 0, SEEK_END));
    close(null);

    int zero = open("/dev/zero", O_RDWR);
    memset(buf, 'x', sizeof buf);
    SHOW("read /dev/zero", read(zero, buf, sizeof buf));
    printf("its bytes: %s\n", all_zero(buf, sizeof buf) ? "zeros" : "not zeros");
    memset(buf, 'x', sizeof buf);
    SHOW("pread /dev/zero at 2^40", pread(zero, buf, 8, (off_t)1 << 40));
    failures += check(all_zero(buf, 8), "pread of /dev/zero gives zeros");
    SHOW("write /dev/zero", write(zero, "discarded", 9));
    close(zero);

    int full = open("/dev/full", O_WRONLY);
    SHOW("write /dev/full", write(full, "x", 1));
    close(full);
    full = open("/dev/full", O_RDONLY);
    memset(buf, 'x', sizeof buf);
    SHOW("read /dev/full", read(full, buf, 16));
    failures += check(all_zero(buf, 16), "/dev/full reads zeros");
    close(full);

    int urandom = open("/dev/urandom", O_RDONLY);
    char again[sizeof buf];
    SHOW("read /dev/urandom", read(urandom, buf, sizeof buf));
    SHOW("read /dev/urandom again", read(urandom, again, sizeof again));
    /* 2^-512 odds of a false failure. */
    printf("two reads differ: %s\n", memcmp(buf, again, sizeof buf) != 0 ? "yes" : "no");
    close(urandom);

    /* A device is a name like any other: listed, and not a directory. */
    SHOW("open /dev/null/x", open("/dev/null/x", O_RDONLY));
    SHOW("mkdir /dev/null", mkdir("/dev/null", 0755));
    fflush(stdout);
    return failures;
}
