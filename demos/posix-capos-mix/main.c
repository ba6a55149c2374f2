/*
 * posix-capos-mix: one C program using POSIX (musl over libcapos-posix)
 * and libcapos's own interface (<capos/capos.h>) side by side. Both run on
 * the process's one runtime: libcapos-posix holds the capabilities behind
 * its descriptors and clocks, and the program takes others by name. Each
 * line compares what the two interfaces report; a mismatch prints FAIL
 * and makes the exit status 1 (make run-posix-mix-smoke).
 */
#include <capos/capos.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Two reads of the same kernel clock, through the POSIX call and the
 * Timer capability, may differ by this much at most. */
#define BOUND_NS 1000000000ULL

static int failures;

/* A few bytes of thread-local storage: they fit musl's built-in TLS block
 * (demos/posix-libc's 4 KiB are mmapped instead). */
static __thread int tls_set = 7;
static __thread long tls_zero;

static void check(int ok, const char *what)
{
    if (!ok) {
        printf("FAIL: %s\n", what);
        failures++;
    }
}

static unsigned long long posix_ns(clockid_t clock)
{
    struct timespec ts = {0, 0};
    check(clock_gettime(clock, &ts) == 0, "clock_gettime");
    return (unsigned long long)ts.tv_sec * 1000000000ULL + (unsigned long long)ts.tv_nsec;
}

/* Reads `clock` through POSIX, then `read` through libcapos, then POSIX
 * again: the capability's value must lie between, and the three within
 * BOUND_NS. */
static void bracket(const char *what, clockid_t clock, uint32_t timer,
                    int32_t (*read)(uint32_t, uint64_t *))
{
    uint64_t ns = 0;
    unsigned long long before = posix_ns(clock);
    int32_t r = read(timer, &ns);
    unsigned long long after = posix_ns(clock);
    check(r == CAPOS_OK, capos_error_name(r));
    int ok = r == CAPOS_OK && ns > 0 && before <= ns && ns <= after && after - before < BOUND_NS;
    printf("~ %s: %llu <= %llu <= %llu\n", what, before, (unsigned long long)ns, after);
    printf("%s: %s\n", what, ok ? "ok" : "FAILED");
    check(ok, what);
}

int main(void)
{
    /* The console is not a terminal; line buffering keeps stdout's lines
     * in order with those libcapos writes directly. */
    setvbuf(stdout, NULL, _IOLBF, 0);

    long pid = (long)getpid();
    check(pid > 0 && (unsigned long long)pid == capos_pid(), "getpid() == capos_pid()");
    printf("pid: getpid() %ld, capos_pid() %llu\n", pid, (unsigned long long)capos_pid());

    const char *posix_env = getenv("CAPOS_DEMO");
    const char *capos_env = capos_env_get("CAPOS_DEMO");
    check(posix_env && capos_env && strcmp(posix_env, capos_env) == 0, "environment");
    printf("getenv and capos_env_get: CAPOS_DEMO=%s and %s\n", posix_env ? posix_env : "(unset)",
           capos_env ? capos_env : "(unset)");

    uint32_t clock, log;
    uint64_t iface = 0;
    int32_t r = capos_capset_get("clock", &clock, &iface);
    check(r == CAPOS_OK && iface == CAPOS_IFACE_TIMER, "capos_capset_get(\"clock\")");
    printf("capos_capset_get(\"clock\"): %s, %s\n", capos_error_name(r),
           iface == CAPOS_IFACE_TIMER ? "a Timer" : "not a Timer");

    bracket("monotonic: clock_gettime <= capos_timer_now <= clock_gettime", CLOCK_MONOTONIC,
            clock, capos_timer_now);
    bracket("wall clock: CLOCK_REALTIME <= capos_timer_wall_clock <= CLOCK_REALTIME",
            CLOCK_REALTIME, clock, capos_timer_wall_clock);

    unsigned long long t0 = posix_ns(CLOCK_MONOTONIC);
    r = capos_timer_sleep(clock, 2000000);
    unsigned long long slept = posix_ns(CLOCK_MONOTONIC) - t0;
    check(r == CAPOS_OK && slept >= 2000000, "capos_timer_sleep");
    printf("capos_timer_sleep 2 ms, measured by clock_gettime: %s\n",
           r == CAPOS_OK && slept >= 2000000 ? "ok" : "FAILED");

    /* The adapter took "timer" for its clocks; the program may not. */
    r = capos_capset_get("timer", NULL, NULL);
    check(r == CAPOS_E_TAKEN, "capos_capset_get(\"timer\")");
    printf("capos_capset_get(\"timer\"): %s\n", capos_error_name(r));
    r = capos_capset_get("no-such-cap", NULL, NULL);
    check(r == CAPOS_E_NOT_FOUND, "capos_capset_get(\"no-such-cap\")");
    printf("capos_capset_get(\"no-such-cap\"): %s\n", capos_error_name(r));

    r = capos_capset_get("log", &log, &iface);
    check(r == CAPOS_OK && iface == CAPOS_IFACE_CONSOLE, "capos_capset_get(\"log\")");
    r = capos_console_write_line(log, "capos_console_write_line on \"log\": from libcapos");
    check(r == CAPOS_OK, "capos_console_write_line");
    static const char line[] = "write(1): from libcapos-posix\n";
    check(write(1, line, sizeof line - 1) == (ssize_t)(sizeof line - 1), "write(1)");

    /* Releasing the program's clock leaves the adapter's own alone. */
    r = capos_release(clock);
    int32_t now = capos_timer_now(clock, NULL);
    int32_t again = capos_capset_get("clock", NULL, NULL);
    check(r == CAPOS_OK && now == CAPOS_E_NOT_HELD && again == CAPOS_E_RELEASED, "release");
    printf("capos_release(\"clock\"): %s; then capos_timer_now: %s, capos_capset_get: %s\n",
           capos_error_name(r), capos_error_name(now), capos_error_name(again));
    struct timespec ts = {0, 0};
    int got = clock_gettime(CLOCK_MONOTONIC, &ts) == 0 && (ts.tv_sec > 0 || ts.tv_nsec > 0);
    check(got, "clock_gettime after the release");
    printf("clock_gettime after the release: %s\n", got ? "ok" : "FAILED");

    /* The compiler reaches __thread variables through FS, which musl set
     * (wrfsbase) to its thread structure from the program's PT_TLS, found
     * through the program headers libcapos-posix passed it. */
    uintptr_t tp;
    __asm__("mov %%fs:0, %0" : "=r"(tp));
    int below = tp == (uintptr_t)pthread_self() && (uintptr_t)&tls_set < tp &&
                tp - (uintptr_t)&tls_zero < 64 && (uintptr_t)&tls_zero < tp;
    check(tls_set == 7 && tls_zero == 0 && below, "thread-local storage");
    tls_set++;
    printf("__thread: %d and %ld, in the block below the thread pointer: %s\n", tls_set, tls_zero,
           below ? "ok" : "FAILED");

    printf("done: %d failures\n", failures);
    return failures ? EXIT_FAILURE : EXIT_SUCCESS;
}
