/*
 * pipe-child: the program posix-pipe starts. argv: {"pipe-child", MODE,
 * ARG, PARENT-PID}.
 *   say TEXT   prints "pipe-child: TEXT" (and whether getppid is
 *              PARENT-PID), exits 7
 *   probe      exits with a mask of its open descriptors 0..7
 *   sleep MS   sleeps MS milliseconds, exits 0
 *   fault      dereferences NULL
 *   done       prints "pipe-child: done", exits 0 (posix-pipe's execve)
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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
    if (strcmp(mode, "done") == 0) {
        printf("pipe-child: done\n");
        return 0;
    }
    printf("pipe-child: unknown mode %s\n", mode);
    return 2;
}
