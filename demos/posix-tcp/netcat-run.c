/* netcat-run: drives an unmodified netcat (Debian's nc 1.10-47,
 * vendor/netcat) through two real exchanges with the host's peers
 * (tools/tcp/netcat-peer.py), feeding its stdin and reading its stdout
 * through pipes, as a shell pipeline would:
 *
 *   netcat-run NC HOST SINK-PORT LISTEN-PORT CLOSED-PORT STALL-PORT
 *
 * connect: `nc -n -q 30 HOST SINK-PORT` sends CONNECT_BYTES of a seeded
 *   sequence from its stdin; the host checks every byte against the same
 *   sequence, answers one line and closes; nc prints that line.
 * listen: `nc -n -l -p LISTEN-PORT` takes the host's connection, sends it
 *   "ready", and writes what the host sends (LISTEN_BYTES of another
 *   seeded sequence) to its stdout, which is checked here byte for byte.
 * refused: `nc -n HOST CLOSED-PORT` must fail as nc does, with its own
 *   message on its stderr (read here through a third pipe).
 * timeouts: `nc -n -w 1 HOST STALL-PORT` and `nc -n -q 1 HOST STALL-PORT`
 *   with stdin at its end at once, to a peer that accepts and then neither
 *   reads, sends nor closes for a minute: -w gives up when its select
 *   timeout has passed twice, -q when its alarm's SIGALRM runs nc's
 *   handler (the kernel's signal delivery); both exit 0 printing nothing.
 *   An nc still running after 10 s is killed and said to be.
 *
 * The same program built for Linux drives the Linux build of the same nc
 * (tools/tcp/smoke.sh), and their output lines must be identical. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CONNECT_BYTES 200000
#define CONNECT_SEED 1u
#define LISTEN_BYTES 300000
#define LISTEN_SEED 2u

extern char **environ;

/* xorshift32; tools/tcp/netcat-peer.py makes the same bytes. */
struct sequence {
    uint32_t state;
};

static uint8_t next_byte(struct sequence *s)
{
    uint32_t x = s->state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    s->state = x;
    return (uint8_t)x;
}

static void fail(const char *what)
{
    printf("netcat-run: %s: %s\n", what, strerror(errno));
    exit(1);
}

/* Starts nc with its stdin and stdout (and its stderr if err_from_nc is
 * not NULL) on new pipes; *to_nc, *from_nc and *err_from_nc get this
 * side's ends. */
static pid_t start_nc_err(const char *nc, char *const argv[], int *to_nc, int *from_nc,
                          int *err_from_nc)
{
    int in[2], out[2], errs[2] = {-1, -1};
    if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0)
        fail("pipe2");
    if (err_from_nc && pipe2(errs, O_CLOEXEC) != 0)
        fail("pipe2");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    if (err_from_nc)
        posix_spawn_file_actions_adddup2(&actions, errs[1], 2);
    pid_t pid;
    int err = posix_spawn(&pid, nc, &actions, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    if (err != 0) {
        errno = err;
        fail("posix_spawn nc");
    }
    close(in[0]);
    close(out[1]);
    *to_nc = in[1];
    *from_nc = out[0];
    if (err_from_nc) {
        close(errs[1]);
        *err_from_nc = errs[0];
    }
    return pid;
}

static pid_t start_nc(const char *nc, char *const argv[], int *to_nc, int *from_nc)
{
    return start_nc_err(nc, argv, to_nc, from_nc, NULL);
}

/* Reads fd to its end into buf (at most len - 1 bytes), NUL-terminated. */
static void read_text(int fd, char *buf, size_t len)
{
    size_t got = 0;
    ssize_t n;
    while (got < len - 1 && (n = read(fd, buf + got, len - 1 - got)) > 0)
        got += (size_t)n;
    buf[got] = '\0';
    close(fd);
}

static int finish_nc(pid_t pid)
{
    int status;
    if (waitpid(pid, &status, 0) != pid)
        fail("waitpid");
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void write_all(int fd, const uint8_t *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0)
            fail("write to nc");
        buf += n;
        len -= (size_t)n;
    }
}

static int exchange_connect(const char *nc, char *host, char *port)
{
    char *argv[] = {"nc", "-n", "-q", "30", host, port, NULL};
    int to_nc, from_nc;
    pid_t pid = start_nc(nc, argv, &to_nc, &from_nc);

    struct sequence seq = {CONNECT_SEED};
    uint8_t chunk[4096];
    for (size_t sent = 0; sent < CONNECT_BYTES; sent += sizeof chunk) {
        size_t n = CONNECT_BYTES - sent < sizeof chunk ? CONNECT_BYTES - sent : sizeof chunk;
        for (size_t i = 0; i < n; i++)
            chunk[i] = next_byte(&seq);
        write_all(to_nc, chunk, n);
    }
    close(to_nc); /* nc's end of file: it shuts its sending side */

    char reply[256];
    read_text(from_nc, reply, sizeof reply);
    int code = finish_nc(pid);
    char *newline = strchr(reply, '\n');
    if (newline)
        *newline = '\0';
    printf("netcat-run: connect: sent %d bytes, nc exited %d, the host answered \"%s\"\n",
           CONNECT_BYTES, code, reply);
    return code == 0 && strstr(reply, "as expected") && !strstr(reply, "NOT") ? 0 : 1;
}

static int exchange_listen(const char *nc, char *port)
{
    char *argv[] = {"nc", "-n", "-l", "-p", port, NULL};
    int to_nc, from_nc;
    pid_t pid = start_nc(nc, argv, &to_nc, &from_nc);
    /* The host waits for this before it sends: nc is connected by then. */
    write_all(to_nc, (const uint8_t *)"ready\n", 6);
    close(to_nc);

    struct sequence seq = {LISTEN_SEED};
    uint8_t buf[8192];
    size_t total = 0, first_wrong = (size_t)-1;
    ssize_t n;
    while ((n = read(from_nc, buf, sizeof buf)) > 0) {
        for (ssize_t i = 0; i < n; i++)
            if (buf[i] != next_byte(&seq) && first_wrong == (size_t)-1)
                first_wrong = total + (size_t)i;
        total += (size_t)n;
    }
    if (n < 0)
        fail("read from nc");
    close(from_nc);
    int code = finish_nc(pid);
    if (first_wrong != (size_t)-1)
        printf("netcat-run: listen: nc exited %d, received %zu bytes, the first wrong at %zu\n",
               code, total, first_wrong);
    else
        printf("netcat-run: listen: nc exited %d, received %zu bytes, %s\n", code, total,
               total == LISTEN_BYTES ? "byte for byte as the host sent them" : "too few");
    return code == 0 && first_wrong == (size_t)-1 && total == LISTEN_BYTES ? 0 : 1;
}

static int exchange_refused(const char *nc, char *host, char *port)
{
    char *argv[] = {"nc", "-n", host, port, NULL};
    int to_nc, from_nc, err_from_nc;
    pid_t pid = start_nc_err(nc, argv, &to_nc, &from_nc, &err_from_nc);
    close(to_nc);
    char out[256], err[256];
    read_text(from_nc, out, sizeof out);
    read_text(err_from_nc, err, sizeof err);
    int code = finish_nc(pid);
    /* "(UNKNOWN) [HOST] PORT (?) : Connection refused": the address
     * differs between the systems, the reason must not. */
    char *reason = strrchr(err, ':');
    reason = reason ? reason + 2 : err;
    char *newline = strchr(reason, '\n');
    if (newline)
        *newline = '\0';
    printf("netcat-run: refused: nc exited %d, printed %zu bytes and said \"%s\"\n", code,
           strlen(out), reason);
    return code == 1 && strcmp(reason, "Connection refused") == 0 ? 0 : 1;
}

/* Waits up to `secs` seconds for pid; then kills it. Its exit code, or
 * -1 when it had to be killed. */
static int finish_within(pid_t pid, int secs)
{
    for (int i = 0; i < secs * 10; i++) {
        int status;
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid)
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        if (r < 0)
            fail("waitpid");
        struct timespec tenth = {0, 100000000};
        nanosleep(&tenth, NULL);
    }
    kill(pid, SIGKILL);
    finish_nc(pid);
    return -1;
}

static int exchange_timeout(const char *nc, char *option, char *host, char *port)
{
    char *argv[] = {"nc", "-n", option, "1", host, port, NULL};
    int to_nc, from_nc;
    pid_t pid = start_nc(nc, argv, &to_nc, &from_nc);
    close(to_nc);
    int code = finish_within(pid, 10);
    char out[256];
    read_text(from_nc, out, sizeof out);
    if (code < 0)
        printf("netcat-run: %s 1 to a peer that never answers: nc still running after 10 s, killed\n",
               option);
    else
        printf("netcat-run: %s 1 to a peer that never answers: nc exited %d, printed %zu bytes\n",
               option, code, strlen(out));
    return code == 0 && out[0] == '\0' ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc != 7) {
        fprintf(stderr, "usage: netcat-run NC HOST SINK-PORT LISTEN-PORT CLOSED-PORT STALL-PORT\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    /* An nc that ends early is a failed write, reported, not a death. */
    signal(SIGPIPE, SIG_IGN);
    int failed = exchange_connect(argv[1], argv[2], argv[3]);
    failed |= exchange_listen(argv[1], argv[4]);
    failed |= exchange_refused(argv[1], argv[2], argv[5]);
    failed |= exchange_timeout(argv[1], "-w", argv[2], argv[6]);
    failed |= exchange_timeout(argv[1], "-q", argv[2], argv[6]);
    printf("netcat-run: %s\n", failed ? "FAIL" : "done");
    return failed;
}
