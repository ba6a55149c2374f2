/* Prints the machine's monotonic clock in microseconds: the interactive
 * check (tools/smoke/interactive.type) reads two stamps around a ^C to
 * time it by the guest's clock, not the loaded host's. */
#include <stdio.h>
#include <time.h>

int main(void)
{
    struct timespec now;
    if (clock_gettime(CLOCK_MONOTONIC, &now) != 0) {
        perror("stamp: clock_gettime");
        return 1;
    }
    printf("stamp %lld us\n", (long long)now.tv_sec * 1000000 + now.tv_nsec / 1000);
    return 0;
}
