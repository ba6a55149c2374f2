/* The shell-pipeline benchmark on capOS (make bench): see pipeline.h.
 * bench.rs spawns it with the root Directory, "spawner", "fork",
 * "pipes", "memory" and "console" and waits for it. The figure is the
 * lowest round's mean, in guest instructions under icount, printed as
 * bench.rs prints its own. */
#include <stdint.h>
#include <stdio.h>
#include <x86intrin.h>

#include "pipeline.h"

enum { ROUNDS = 3, PER_ROUND = 2 };

int main(void)
{
    /* One unmeasured run warms the paths. */
    if (shell_pipeline() != 0) {
        printf("bench: FAIL shell-pipeline\n");
        return 1;
    }
    uint64_t best = UINT64_MAX;
    for (int round = 0; round < ROUNDS; round++) {
        uint64_t start = __rdtsc();
        for (int i = 0; i < PER_ROUND; i++) {
            if (shell_pipeline() != 0) {
                printf("bench: FAIL shell-pipeline\n");
                return 1;
            }
        }
        uint64_t per_op = (__rdtsc() - start) / PER_ROUND;
        if (per_op < best)
            best = per_op;
    }
    printf("bench: shell-pipeline %llu instructions/op\n", (unsigned long long)best);
    return 0;
}
