/* Says so, then spins without a system call until a signal ends it: the
 * interactive check's busy program (tools/smoke/interactive.type). ^C
 * must end it all the same: the terminal posts SIGINT through the
 * kernel, whose default action ends it at once. */
#include <stdio.h>

int main(void)
{
    volatile unsigned long turns = 0;
    printf("spin: spinning\n");
    fflush(stdout);
    for (;;) {
        turns++;
    }
}
