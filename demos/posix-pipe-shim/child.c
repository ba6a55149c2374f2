/*
 * pipe-child: the program posix-pipe starts. argv: {"pipe-child", MODE,
 * ARG, PARENT-PID}.
 *   say TEXT   prints "pipe-child: TEXT" (and whether getppid is
 *              PARENT-PID), exits 7
 *   probe      exits with a mask of its open descriptors 0..7
 *   sleep MS   sleeps MS milliseconds, exits 0
 *   fault      dereferences NULL
 *   done       prints "pipe-child: done", exits 0 (posix-pipe's execve)
 *   produce N  writes N bytes of a pattern to stdout in 64 KiB writes,
 *              exits 0 (or 3 if a write fails)
 *   relay      copies stdin to stdout until end of file, exits 0
 *   consume N  reads stdin to end of file; exits 0 if it got N bytes of
 *              the pattern, 1 if not
 *   fdwrite T  writes T and a newline to fd 3, says whether fd 3 has
 *              O_APPEND and where its offset is, exits 0
 *   fdseek N   lseeks fd 3 to N, says where it is, exits 0
 *   fdnoappend clears O_APPEND on fd 3 (F_SETFL), exits 0
 *   fdlines N  writes N lines "child NNNN" to fd 3, one write each,
 *              exits 0 (or 1 if a write fails)
 *   cat PATH   copies the file at PATH to stdout, exits 0
 *   pwd        prints its working directory, exits 0
 *   openw PATH opens PATH O_WRONLY (writing nothing) and says how that
 *              went, in a line marked system-dependent, exits 0
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The byte at `offset` of the stream produce writes and consume checks. */
static unsigned char pattern(size_t offset)
{
    return (unsigned char)(offset * 131u ^ offset >> 9);
}

/* Writes all of `len` bytes, however many calls it takes. */
static int write_all(int fd, const unsigned char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n <= 0) {
            return -1;
        }
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

static unsigned char chunk[64 * 1024];

int main(int argc, char **argv)
{
    if (argc < 4) {
        printf("pipe-child: usage: pipe-child MODE ARG PARENT-PID\n");
        return 2;
    }
    const char *mode = argv[1], *arg = argv[2];
    if (strcmp(mode, "say") == 0) {
        printf("pipe-child: %s (parent is the spawner: %s)\n", arg,
               getppid() == (pid_t)atoi(argv[3]) ? "yes" : "no");
        return 7;
    }
    if (strcmp(mode, "probe") == 0) {
        int mask = 0;
        for (int fd = 0; fd < 8; fd++) {
            if (fcntl(fd, F_GETFD) >= 0) {
                mask |= 1 << fd;
            }
        }
        return mask;
    }
    if (strcmp(mode, "sleep") == 0) {
        long ms = atol(arg);
        struct timespec ts = {ms / 1000, ms % 1000 * 1000000L};
        nanosleep(&ts, NULL);
        return 0;
    }
    if (strcmp(mode, "fault") == 0) {
        /* A volatile store through a pointer the compiler cannot see is
         * NULL: it emits the store (a page fault), not a trap instruction,
         * and cannot drop it. */
        int *volatile null = NULL;
        *(volatile int *)null = 1;
        return 1;
    }
    if (strcmp(mode, "produce") == 0) {
        size_t total = (size_t)atol(arg);
        for (size_t sent = 0; sent < total;) {
            size_t n = total - sent < sizeof chunk ? total - sent : sizeof chunk;
            for (size_t i = 0; i < n; i++) {
                chunk[i] = pattern(sent + i);
            }
            if (write_all(STDOUT_FILENO, chunk, n) != 0) {
                return 3;
            }
            sent += n;
        }
        return 0;
    }
    if (strcmp(mode, "relay") == 0) {
        ssize_t n;
        while ((n = read(STDIN_FILENO, chunk, 4096)) > 0) {
            if (write_all(STDOUT_FILENO, chunk, (size_t)n) != 0) {
                return 3;
            }
        }
        return n == 0 ? 0 : 4;
    }
    if (strcmp(mode, "consume") == 0) {
        size_t want = (size_t)atol(arg), got = 0;
        int ok = 1;
        ssize_t n;
        while ((n = read(STDIN_FILENO, chunk, sizeof chunk)) > 0) {
            for (ssize_t i = 0; i < n; i++) {
                ok &= chunk[i] == pattern(got + (size_t)i);
            }
            got += (size_t)n;
        }
        return ok && n == 0 && got == want ? 0 : 1;
    }
    if (strcmp(mode, "done") == 0) {
        printf("pipe-child: done\n");
        return 0;
    }
    if (strcmp(mode, "fdwrite") == 0) {
        char line[128];
        int len = snprintf(line, sizeof line, "%s\n", arg);
        int flags = fcntl(3, F_GETFL);
        ssize_t n = write(3, line, (size_t)len);
        printf("pipe-child: wrote %d bytes to fd 3 (O_APPEND %s), its offset is now %ld\n",
               (int)n, flags >= 0 && (flags & O_APPEND) ? "set" : "clear",
               (long)lseek(3, 0, SEEK_CUR));
        return n == len ? 0 : 1;
    }
    if (strcmp(mode, "fdseek") == 0) {
        off_t at = lseek(3, atol(arg), SEEK_SET);
        printf("pipe-child: lseek(3, %s, SEEK_SET) = %ld\n", arg, (long)at);
        return at == atol(arg) ? 0 : 1;
    }
    if (strcmp(mode, "fdnoappend") == 0) {
        int flags = fcntl(3, F_GETFL);
        return flags >= 0 && fcntl(3, F_SETFL, flags & ~O_APPEND) == 0 ? 0 : 1;
    }
    if (strcmp(mode, "fdlines") == 0) {
        long n = atol(arg);
        for (long i = 0; i < n; i++) {
            char line[16];
            int len = snprintf(line, sizeof line, "child %04ld\n", i);
            if (write(3, line, (size_t)len) != len) {
                return 1;
            }
        }
        return 0;
    }
    if (strcmp(mode, "cat") == 0) {
        int fd = open(arg, O_RDONLY);
        if (fd < 0) {
            printf("pipe-child: open: %s\n", strerror(errno));
            return 1;
        }
        printf("pipe-child: the file holds:\n");
        fflush(stdout);
        ssize_t n;
        while ((n = read(fd, chunk, sizeof chunk)) > 0) {
            if (write_all(STDOUT_FILENO, chunk, (size_t)n) != 0) {
                return 3;
            }
        }
        return n == 0 && close(fd) == 0 ? 0 : 1;
    }
    if (strcmp(mode, "pwd") == 0) {
        char cwd[256];
        printf("pipe-child: working in %s\n", getcwd(cwd, sizeof cwd) ? cwd : strerror(errno));
        return 0;
    }
    if (strcmp(mode, "openw") == 0) {
        int fd = open(arg, O_WRONLY);
        printf("~ pipe-child: open O_WRONLY: %s\n", fd >= 0 ? "opened" : strerror(errno));
        return 0;
    }
    printf("pipe-child: unknown mode %s\n", mode);
    return 2;
}
