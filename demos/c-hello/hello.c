/*
 * c-hello: the first C program on capOS, and the proof of libcapos. It
 * runs as init with a console, a timer, a process spawner, virtual memory
 * and a pipe factory, and checks that each works and that authority it does not hold
 * is refused with the documented code. Each step prints one line; the
 * first failure prints a FAIL line and ends the program with code 1.
 */
#include <capos/capos.h>

#include "report.h"
#include "steps.h"

static void greet(int argc, char **argv)
{
    struct line line;
    report_start(&line, "hello from C (pid ");
    line_u64(&line, capos_pid());
    line_str(&line, ", argc=");
    line_i64(&line, argc);
    for (int i = 0; i < argc; i++) {
        line_str(&line, i == 0 ? ": " : " ");
        line_str(&line, argv[i]);
    }
    line_str(&line, ")");
    report_line(&line);
}

int main(int argc, char **argv)
{
    uint32_t console = 0, timer = 0;
    if (capos_capset_get("console", &console, NULL) != CAPOS_OK) {
        return 2;
    }
    report_init(console, "c-hello");
    greet(argc, argv);
    if (step_time(&timer) || step_heap() || step_memory() || step_in_flight(timer) ||
        step_refusals(console) || step_spawn(console) || step_pipe() || step_files() ||
        step_release(timer)) {
        return 1;
    }
    /* A copy of this process (capos_fork), made with nothing in flight. */
    if (step_fork()) {
        return 1;
    }
    say("done");
    return 0;
}
