/* The fork-wait benchmark on capOS (make bench): fork, _exit(0) in the
 * child, waitpid in the parent, measured in the process that forks, as
 * demos/linux-bench/bench.c's fork-wait is on Linux. bench.rs spawns it
 * with "fork", "memory" and "console" and waits for it. The figure is
 * the lowest round's mean, in guest instructions under icount, printed
 * as bench.rs prints its own. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include <x86intrin.h>

enum { ROUNDS = 5, PER_ROUND = 20 };

static int fork_wait(void)
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0)
        _exit(0);
    int status;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return -1;
    return 0;
}

int main(void)
{
    /* One unmeasured run warms the paths. */
    if (fork_wait() != 0) {
        printf("bench: FAIL fork-wait\n");
        return 1;
    }
    uint64_t best = UINT64_MAX;
    for (int round = 0; round < ROUNDS; round++) {
        uint64_t start = __rdtsc();
        for (int i = 0; i < PER_ROUND; i++) {
            if (fork_wait() != 0) {
                printf("bench: FAIL fork-wait\n");
                return 1;
            }
        }
        uint64_t per_op = (__rdtsc() - start) / PER_ROUND;
        if (per_op < best)
            best = per_op;
    }
    printf("bench: fork-wait %llu instructions/op\n", (unsigned long long)best);
    return 0;
}
