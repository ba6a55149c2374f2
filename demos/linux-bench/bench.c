/*
 * The Linux side of `make bench`: /init of a Debian kernel booted under the
 * same QEMU as capOS (tools/bench-linux.sh). It measures what
 * demos/bench/src/bin/bench.rs measures on capOS, the same way, and a few
 * operations capOS has no counterpart for yet, and prints one
 * "linux: NAME N instructions/op" line per figure. Names shared with
 * bench.rs mark the same kind of operation, so the two sides can be set
 * beside each other.
 *
 * Under `-icount shift=0,align=off,sleep=off` the TSC advances by one per
 * guest instruction, so an rdtsc delta counts instructions, user and
 * kernel alike.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../posix-shell/bench/pipeline.h"
#include "bench.h"

/* The program posix_spawn starts: exits at once (exit0.c). */
#define EXIT0 "/exit0"

uint64_t instructions(void)
{
    return __builtin_ia32_rdtsc();
}

/* As init, returning would panic the kernel: power off instead. */
static _Noreturn void power_off(void)
{
    fflush(stdout);
    reboot(RB_POWER_OFF);
    _exit(1);
}

_Noreturn void fail(const char *what)
{
    printf("linux: FAIL %s: %s\n", what, strerror(errno));
    power_off();
}

/*
 * Runs `op` n times per round and prints the lowest round's mean cost per
 * operation, after one unmeasured run that warms the paths.
 */
static void measure(const char *name, unsigned n, op_fn op)
{
    if (op() != 0)
        fail(name);
    uint64_t best = UINT64_MAX;
    for (int round = 0; round < ROUNDS; round++) {
        uint64_t start = instructions();
        for (unsigned i = 0; i < n; i++)
            if (op() != 0)
                fail(name);
        uint64_t per_op = (instructions() - start) / n;
        if (per_op < best)
            best = per_op;
    }
    printf("linux: %s %llu instructions/op\n", name, (unsigned long long)best);
}

static int null_syscall(void)
{
    syscall(SYS_getppid);
    return 0;
}

static int clock_syscall(void)
{
    struct timespec ts;
    return syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts) == 0 ? 0 : -1;
}

/* musl's clock_gettime reads the clock in the vDSO, without a syscall. */
static int clock_vdso(void)
{
    struct timespec ts;
    return clock_gettime(CLOCK_MONOTONIC, &ts);
}

/* Never touched, so no page is allocated or zeroed. */
static int map_unmap(void)
{
    void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return -1;
    return munmap(p, 4096);
}

/* The parent's ends toward the echo child of the current ping-pong. */
static int to_echo, from_echo;

static int round_trip(void)
{
    char byte = 'x';
    if (write(to_echo, &byte, 1) != 1)
        return -1;
    ssize_t got = read(from_echo, &byte, 1);
    if (got == 0)
        errno = EPIPE;
    return got == 1 ? 0 : -1;
}

/*
 * Forks a child that writes back on tx each byte it reads on rx until end
 * of file. `mine` are the parent's ends, closed in the child so the
 * parent's close ends the child.
 */
static pid_t start_echo(int rx, int tx, int mine1, int mine2)
{
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    close(mine1);
    if (mine2 != mine1)
        close(mine2);
    char byte;
    while (read(rx, &byte, 1) == 1)
        if (write(tx, &byte, 1) != 1)
            break;
    _exit(0);
}

static void stop_echo(pid_t pid)
{
    close(to_echo);
    if (from_echo != to_echo)
        close(from_echo);
    if (waitpid(pid, NULL, 0) != pid)
        fail("waitpid echo");
}

/* 1-byte round trips through two pipes to another process. */
static void pipe_pingpong(const char *name, unsigned n)
{
    int there[2], back[2];
    if (pipe(there) != 0 || pipe(back) != 0)
        fail("pipe");
    to_echo = there[1];
    from_echo = back[0];
    pid_t pid = start_echo(there[0], back[1], there[1], back[0]);
    if (pid < 0)
        fail("fork");
    close(there[0]);
    close(back[1]);
    measure(name, n, round_trip);
    stop_echo(pid);
}

/* The read end of the stream benchmark's pipe. */
static int stream_fd;

/* 64 KiB read from a pipe another process keeps full. */
static int read_64k(void)
{
    static char buf[64 * 1024];
    size_t got = 0;
    while (got < sizeof buf) {
        ssize_t n = read(stream_fd, buf + got, sizeof buf - got);
        if (n <= 0) {
            if (n == 0)
                errno = EPIPE;
            return -1;
        }
        got += (size_t)n;
    }
    return 0;
}

/* A child writes 64 KiB at a time until the reader is gone. */
static void pipe_stream(const char *name, unsigned n)
{
    int fds[2];
    if (pipe(fds) != 0)
        fail("pipe");
    pid_t pid = fork();
    if (pid < 0)
        fail("fork");
    if (pid == 0) {
        static char chunk[64 * 1024];
        signal(SIGPIPE, SIG_IGN);
        close(fds[0]);
        memset(chunk, 0x5a, sizeof chunk);
        while (write(fds[1], chunk, sizeof chunk) > 0) {
        }
        _exit(0);
    }
    close(fds[1]);
    stream_fd = fds[0];
    measure(name, n, read_64k);
    close(stream_fd);
    if (waitpid(pid, NULL, 0) != pid)
        fail("waitpid stream");
}

/* 1-byte round trips through a UNIX stream socketpair. */
static void socket_pingpong(const char *name, unsigned n)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
        fail("socketpair");
    to_echo = from_echo = sv[0];
    pid_t pid = start_echo(sv[1], sv[1], sv[0], sv[0]);
    if (pid < 0)
        fail("fork");
    close(sv[1]);
    measure(name, n, round_trip);
    stop_echo(pid);
}

/* 0 if pid ended with status 0. */
static int reap(pid_t pid)
{
    int status;
    if (waitpid(pid, &status, 0) != pid)
        return -1;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        errno = ECHILD;
        return -1;
    }
    return 0;
}

static int spawn_wait(void)
{
    static char path[] = EXIT0;
    static char *argv[] = {path, NULL};
    static char *envp[] = {NULL};
    pid_t pid;
    int err = posix_spawn(&pid, path, NULL, NULL, argv, envp);
    if (err != 0) {
        errno = err;
        return -1;
    }
    return reap(pid);
}

static int fork_wait(void)
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0)
        _exit(0);
    return reap(pid);
}

/* The file figures, on tmpfs at /tmp (the counterpart of capOS's RAM
 * store): 64 KiB written and read at offset 0 of one file, and open+close
 * of it, by path. */
#define BENCH_FILE "/tmp/bench-file"
enum { FILE_OP = 64 * 1024 };
static int bench_fd;
static char file_buf[FILE_OP];

static int file_write_64k(void)
{
    return pwrite(bench_fd, file_buf, FILE_OP, 0) == FILE_OP ? 0 : -1;
}

static int file_read_64k(void)
{
    return pread(bench_fd, file_buf, FILE_OP, 0) == FILE_OP ? 0 : -1;
}

static int file_open_close(void)
{
    int fd = open(BENCH_FILE, O_RDONLY);
    return fd < 0 ? -1 : close(fd);
}

static void files(void)
{
    mkdir("/tmp", 0755);
    if (mount("tmpfs", "/tmp", "tmpfs", 0, NULL) != 0)
        fail("mount tmpfs on /tmp");
    bench_fd = open(BENCH_FILE, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (bench_fd < 0)
        fail("create " BENCH_FILE);
    memset(file_buf, 'b', sizeof file_buf);
    measure("file-write-64k", 200, file_write_64k);
    measure("file-read-64k", 200, file_read_64k);
    measure("file-open-close", 400, file_open_close);
    close(bench_fd);
}

/* Context for reading the figures: the kernel and its clock source (the
 * vDSO reads the clock in user space only with the TSC). */
static void describe_kernel(void)
{
    struct utsname u;
    if (uname(&u) == 0)
        printf("linux: kernel %s\n", u.release);
    char source[64] = "unknown";
    mkdir("/sys", 0755);
    if (mount("sysfs", "/sys", "sysfs", 0, NULL) == 0) {
        FILE *f = fopen("/sys/devices/system/clocksource/clocksource0/current_clocksource", "r");
        if (f != NULL) {
            if (fgets(source, sizeof source, f) != NULL)
                source[strcspn(source, "\n")] = '\0';
            fclose(f);
        }
    }
    printf("linux: clocksource %s\n", source);
}

int main(void)
{
    /* The TSC starts at 0 with the machine: this is the boot's cost. */
    uint64_t boot = instructions();
    printf("linux: boot %llu instructions to /init\n", (unsigned long long)boot);
    describe_kernel();
    measure("ring-nop", 2000, null_syscall);
    measure("timer-now-call", 1000, clock_syscall);
    measure("clock-vdso", 2000, clock_vdso);
    measure("vm-map-unmap-4k", 200, map_unmap);
    pipe_pingpong("endpoint-call", 400);
    pipe_pingpong("pipe-pingpong", 400);
    pipe_stream("pipe-stream-64k", 50);
    socket_pingpong("socketpair-pingpong", 400);
    measure("spawn-wait", 20, spawn_wait);
    /* The same C program and call; the name matches capOS's C figure. */
    measure("spawn-wait-c", 20, spawn_wait);
    measure("fork-wait", 20, fork_wait);
    measure("shell-pipeline", 2, shell_pipeline);
    files();
    /* Last, as in bench.rs: they may be missing. */
    tcp_figures();
    puts("linux: done");
    power_off();
}
