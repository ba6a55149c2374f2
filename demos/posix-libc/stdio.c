/*
 * stdio buffering. stdout is fully buffered (it is not a terminal, on
 * capOS as on the host's pipe), stderr unbuffered, so stderr's line
 * overtakes stdout's pending text; setvbuf switches stdout to line and
 * no buffering. Both streams reach the same console, in this order.
 */
#include "demo.h"
#include <stdio.h>
#include <string.h>

int demo_stdio(void)
{
    fflush(stdout);
    printf("stdout: fully buffered, ");
    fprintf(stderr, "stderr: unbuffered, overtakes stdout\n");
    printf("flushed by fflush\n");
    fflush(stdout);
    char line[64];
    int n = snprintf(line, sizeof line, "%s", "fputs and putchar");
    fputs(line, stdout);
    putchar('\n');
    fwrite("fwrite\n", 1, 7, stdout);
    fflush(stdout);
    /* setvbuf only before other output on the stream is portable; musl
     * allows it at any time after a flush. */
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("line buffered: ");
    fprintf(stderr, "stderr: before the line ends\n");
    printf("line ends\n");
    fprintf(stderr, "stderr: after it\n");
    setvbuf(stdout, NULL, _IONBF, 0);
    printf("unbuffered: ");
    fprintf(stderr, "stderr: in the middle\n");
    printf("end\n");
    setvbuf(stdout, NULL, _IOFBF, 1024);
    return check(n == 17, "snprintf length");
}
