/*
 * The TCP figures of the Linux side, bench.rs's tcp(): 64 KiB written to
 * tools/net/tcp-peer.py's sink, 64 KiB read from its source, and a
 * connection to its echo server made and closed in order. As on capOS, through a
 * virtio-net device and QEMU's user networking to the host's 127.0.0.1
 * inside a private network namespace (tools/bench-linux.sh), the guest
 * at 10.0.2.15/24 and the peers at 10.0.2.2.
 *
 * The guest waits for the host, and under icount that wait is idle time
 * the TSC jumps over; so each round's idle time (the kernel's
 * idle_sleeptime, /proc/timer_list) is taken out, as bench.rs takes out
 * capOS's Timer.idle: the figures are the instructions the guest ran,
 * kernel (interrupts and softirqs included) and process.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

enum {
    ECHO_PORT = 5600,
    SINK_PORT = 5606,
    SOURCE_PORT = 5607,
    STREAM_OP = 64 * 1024,
};

/* Loads the drivers build.sh put in /lib/modules, in their order. */
static int load_modules(void)
{
    FILE *order = fopen("/lib/modules/order", "r");
    if (order == NULL) {
        printf("linux: tcp figures missing: /lib/modules/order: %s\n", strerror(errno));
        return -1;
    }
    char name[64];
    while (fgets(name, sizeof name, order) != NULL) {
        name[strcspn(name, "\n")] = '\0';
        char path[96];
        snprintf(path, sizeof path, "/lib/modules/%s", name);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || syscall(SYS_finit_module, fd, "", 0) != 0) {
            printf("linux: tcp figures missing: loading %s: %s\n", path, strerror(errno));
            fclose(order);
            return -1;
        }
        close(fd);
    }
    fclose(order);
    return 0;
}

static int set_address(int s, struct ifreq *ifr, unsigned long request, const char *dotted)
{
    struct sockaddr_in *a = (struct sockaddr_in *)&ifr->ifr_addr;
    memset(a, 0, sizeof *a);
    a->sin_family = AF_INET;
    inet_pton(AF_INET, dotted, &a->sin_addr);
    return ioctl(s, request, ifr);
}

/* eth0 gets capOS's address, 10.0.2.15/24, and comes up (the route to
 * 10.0.2.0/24 with it). Fails with ENODEV when QEMU gave no device. */
static int configure(void)
{
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0)
        return -1;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    strcpy(ifr.ifr_name, "eth0");
    int ok = set_address(s, &ifr, SIOCSIFADDR, "10.0.2.15") == 0 &&
             set_address(s, &ifr, SIOCSIFNETMASK, "255.255.255.0") == 0 &&
             ioctl(s, SIOCGIFFLAGS, &ifr) == 0;
    if (ok) {
        ifr.ifr_flags |= IFF_UP;
        ok = ioctl(s, SIOCSIFFLAGS, &ifr) == 0;
    }
    int saved = errno;
    close(s);
    errno = saved;
    return ok ? 0 : -1;
}

/* Nanoseconds every CPU has spent idle since boot. */
static uint64_t idle_ns(void)
{
    FILE *f = fopen("/proc/timer_list", "r");
    if (f == NULL)
        fail("/proc/timer_list");
    char line[256];
    uint64_t sum = 0;
    int found = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        unsigned long long ns;
        if (sscanf(line, " .idle_sleeptime : %llu nsecs", &ns) == 1) {
            sum += ns;
            found = 1;
        }
    }
    fclose(f);
    if (!found) {
        errno = ENOENT;
        fail("idle_sleeptime in /proc/timer_list");
    }
    return sum;
}

static uint64_t monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * As bench.c's measure, with each round's idle time taken out. The
 * kernel counts idle in its nanoseconds, rdtsc in instructions: the
 * round's own ratio of the two converts it.
 */
static void measure_busy(const char *name, unsigned n, op_fn op)
{
    if (op() != 0)
        fail(name);
    uint64_t best = UINT64_MAX;
    for (int round = 0; round < ROUNDS; round++) {
        uint64_t idle_before = idle_ns();
        uint64_t ns_before = monotonic_ns();
        uint64_t start = instructions();
        for (unsigned i = 0; i < n; i++)
            if (op() != 0)
                fail(name);
        uint64_t spent = instructions() - start;
        uint64_t ns = monotonic_ns() - ns_before;
        uint64_t idle = idle_ns() - idle_before;
        uint64_t halted = ns == 0 ? 0 : (uint64_t)((unsigned __int128)idle * spent / ns);
        uint64_t busy = (spent > halted ? spent - halted : 0) / n;
        if (busy < best)
            best = busy;
    }
    printf("linux: %s %llu instructions/op\n", name, (unsigned long long)best);
}

static int connect_to(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, "10.0.2.2", &to.sin_addr);
    if (connect(fd, (struct sockaddr *)&to, sizeof to) != 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

static int stream_fd;
static char stream_buf[STREAM_OP];

static int send_64k(void)
{
    size_t at = 0;
    while (at < STREAM_OP) {
        ssize_t n = write(stream_fd, stream_buf + at, STREAM_OP - at);
        if (n <= 0)
            return -1;
        at += (size_t)n;
    }
    return 0;
}

static int recv_64k(void)
{
    size_t got = 0;
    while (got < STREAM_OP) {
        ssize_t n = read(stream_fd, stream_buf + got, STREAM_OP - got);
        if (n <= 0) {
            if (n == 0)
                errno = EPIPE;
            return -1;
        }
        got += (size_t)n;
    }
    return 0;
}

/* Shut for writing, the echo server's end read, closed: as bench.rs. */
static int connect_close(void)
{
    int fd = connect_to(ECHO_PORT);
    if (fd < 0)
        return -1;
    char byte;
    ssize_t n = -1;
    if (shutdown(fd, SHUT_WR) != 0 || (n = read(fd, &byte, 1)) != 0) {
        if (n > 0)
            errno = EPROTO;
        close(fd);
        return -1;
    }
    return close(fd);
}

void tcp_figures(void)
{
    mkdir("/proc", 0755);
    if (mount("proc", "/proc", "proc", 0, NULL) != 0)
        fail("mount proc on /proc");
    if (load_modules() != 0)
        return;
    if (configure() != 0) {
        printf("linux: tcp figures missing: eth0: %s\n", strerror(errno));
        return;
    }
    memset(stream_buf, 't', sizeof stream_buf);
    if ((stream_fd = connect_to(SINK_PORT)) < 0)
        fail("connect to the sink");
    measure_busy("tcp-send-64k", 40, send_64k);
    close(stream_fd);
    if ((stream_fd = connect_to(SOURCE_PORT)) < 0)
        fail("connect to the source");
    measure_busy("tcp-recv-64k", 40, recv_64k);
    close(stream_fd);
    measure_busy("tcp-connect-close", 20, connect_close);
}
