/*
 * posix-libc hello: the first program built with capos-cc. It runs on
 * musl's libc with libcapos-posix underneath: printf (with floats),
 * malloc of small and large (mmap-backed) blocks, argv and the
 * environment, the clock, and a call capOS does not back, which must fail
 * with the documented errno.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int check_malloc(void)
{
    char *small = malloc(32);
    char *large = malloc(1 << 20);
    if (!small || !large) {
        printf("FAIL: malloc returned NULL\n");
        return 1;
    }
    strcpy(small, "small");
    memset(large, 0x5a, 1 << 20);
    int ok = large[0] == 0x5a && large[(1 << 20) - 1] == 0x5a && !strcmp(small, "small");
    char *grown = realloc(small, 100000);
    ok = ok && grown && !strcmp(grown, "small");
    free(large);
    free(grown);
    printf("malloc: 32 B, 1 MiB and realloc to 100000 B %s\n", ok ? "ok" : "FAILED");
    return !ok;
}

int main(int argc, char **argv)
{
    printf("hello from musl on capOS: argc=%d argv[0]=%s\n", argc, argv[0]);
    printf("printf: %d %5.2f %e %s %x %c%%\n", -42, 3.14159, 1e-10, "str", 0xbeef, 'z');
    const char *demo = getenv("CAPOS_DEMO");
    printf("getenv CAPOS_DEMO: %s\n", demo ? demo : "(unset)");
    if (check_malloc()) {
        return 1;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    struct timespec nap = {0, 2000000};
    nanosleep(&nap, NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long long ns = (t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec);
    printf("nanosleep 2 ms: %s\n", ns >= 2000000 ? "ok" : "FAILED");
    errno = 0;
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    int e = errno;
    /* "~ " marks a line whose content depends on the system (the
     * differential check skips it): the host has sockets. */
    printf("~ socket: %d, errno %d (%s)\n", s, e, strerror(e));
    fflush(stdout);
    fprintf(stderr, "stderr: unbuffered\n");
    printf("done\n");
    return 0;
}
