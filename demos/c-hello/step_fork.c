#include <capos/capos.h>

#include "report.h"
#include "steps.h"

/* Written by the forked copy; the original must still read its own. */
static int64_t value = 1;

/* What the copy exits with: its value, changed, plus 40. */
#define COPY_EXIT_BASE 40

int step_fork(void)
{
    uint32_t forker = 0, handle = 0;
    uint64_t pid = 0;
    capos_exit_status status = {0};
    int32_t rc = capos_capset_get("fork", &forker, NULL);
    if (rc != CAPOS_OK) {
        return fail("fork lookup", rc);
    }
    rc = capos_fork(forker, &pid, &handle);
    if (rc == CAPOS_FORK_CHILD) {
        value = 2;
        struct line line;
        report_start(&line, "the forked copy runs, its own pid ");
        line_str(&line, pid == capos_pid() ? "known" : "WRONG");
        line_str(&line, ", no handle ");
        line_str(&line, handle == 0 ? "(0)" : "(WRONG)");
        report_line(&line);
        capos_exit(COPY_EXIT_BASE + value);
    }
    if (rc != CAPOS_FORK_PARENT) {
        return fail("fork", rc);
    }
    if ((rc = capos_process_wait(handle, &status)) != CAPOS_OK) {
        return fail("wait for the forked copy", rc);
    }
    if (status.kind != CAPOS_EXIT_EXITED || status.code != COPY_EXIT_BASE + 2 || value != 1) {
        return fail("the forked copy's exit, or this process's memory", CAPOS_OK);
    }
    struct line line;
    report_start(&line, "the forked copy exited ");
    line_i64(&line, status.code);
    line_str(&line, "; this process's value is still ");
    line_i64(&line, value);
    report_line(&line);
    if ((rc = capos_release(handle)) != CAPOS_OK) {
        return fail("release the copy's handle", rc);
    }
    return 0;
}
