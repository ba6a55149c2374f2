/* Clocks, sleeping, broken-down time, and setjmp/longjmp. */
#include "demo.h"
#include <errno.h>
#include <setjmp.h>
#include <stdio.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static long long elapsed_ns(const struct timespec *a, const struct timespec *b)
{
    return (b->tv_sec - a->tv_sec) * 1000000000LL + (b->tv_nsec - a->tv_nsec);
}

int demo_time(void)
{
    int fails = 0;
    struct timespec t0, t1, real;
    fails += check(clock_gettime(CLOCK_MONOTONIC, &t0) == 0, "CLOCK_MONOTONIC");
    fails += check(clock_gettime(CLOCK_REALTIME, &real) == 0, "CLOCK_REALTIME");
    struct timespec nap = {0, 2000000};
    fails += check(nanosleep(&nap, NULL) == 0, "nanosleep");
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("nanosleep 2 ms: %s\n", elapsed_ns(&t0, &t1) >= 2000000 ? "ok" : "FAILED");
    usleep(3000);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    printf("usleep 3 ms: %s\n", elapsed_ns(&t1, &t0) >= 3000000 ? "ok" : "FAILED");
    struct timespec until = t0;
    until.tv_nsec += 1000000;
    if (until.tv_nsec >= 1000000000) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000;
    }
    int r = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("clock_nanosleep absolute: %d, %s\n", r, elapsed_ns(&until, &t1) >= 0 ? "ok" : "early");
    struct timeval tv;
    fails += check(gettimeofday(&tv, NULL) == 0 && tv.tv_usec < 1000000, "gettimeofday");
    printf("~ time: %lld s since the epoch, monotonic %lld.%09ld\n", (long long)time(NULL),
           (long long)t1.tv_sec, t1.tv_nsec);
    time_t fixed = 1700000000;
    struct tm tm;
    char text[64];
    gmtime_r(&fixed, &tm);
    strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S %a %j", &tm);
    printf("gmtime_r: %s, timegm round trip %s\n", text, timegm(&tm) == fixed ? "ok" : "FAILED");
    errno = 0;
    struct timespec bad = {0, 2000000000};
    int r2 = nanosleep(&bad, NULL);
    printf("nanosleep(2e9 ns): %d, errno %s\n", r2, errname(errno));
    errno = 0;
    r2 = clock_gettime(99, &t0);
    printf("clock_gettime(99): %d, errno %s\n", r2, errname(errno));
    return fails;
}

static jmp_buf env;
static int depth;

static void dive(int n)
{
    depth = n;
    if (n == 5) {
        longjmp(env, n * 10);
    }
    if (n < 5) {
        dive(n + 1);
    }
}

int demo_jump(void)
{
    volatile int passes = 0;
    int value = setjmp(env);
    passes++;
    if (value == 0) {
        dive(1);
    }
    printf("setjmp/longjmp: value %d after depth %d, %d passes\n", value, depth, passes);
    sigjmp_buf senv;
    volatile int again = 0;
    if (sigsetjmp(senv, 1) == 0) {
        again = 1;
        siglongjmp(senv, 0);
    }
    printf("sigsetjmp/siglongjmp with the mask: %s (longjmp 0 delivers 1)\n",
           again ? "ok" : "FAILED");
    return check(value == 50 && passes == 2, "longjmp");
}
