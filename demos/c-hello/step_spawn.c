#include <capos/capos.h>

#include "report.h"
#include "steps.h"

/* What c-hello-child returns when all its checks pass. */
#define CHILD_EXIT_CODE 42

int step_spawn(uint32_t console)
{
    uint32_t spawner = 0, handle = 0;
    capos_exit_status status = {0};
    int32_t rc = capos_capset_get("spawner", &spawner, NULL);
    if (rc != CAPOS_OK) {
        return fail("spawner lookup", rc);
    }
    /* The child gets the console and nothing else. */
    const capos_grant grants[] = {{.name = "console", .cap = console}};
    const char *const argv[] = {"c-hello-child", "--greeting", "hi", NULL};
    const char *const envp[] = {"CAPOS_DEMO=c-hello", NULL};
    rc = capos_spawn(spawner, "c-hello-child", "c-hello-child", grants, 1, argv, envp, &handle);
    if (rc != CAPOS_OK) {
        return fail("spawn", rc);
    }
    if ((rc = capos_process_wait(handle, &status)) != CAPOS_OK) {
        return fail("wait", rc);
    }
    if (status.kind != CAPOS_EXIT_EXITED || status.code != CHILD_EXIT_CODE) {
        return fail("c-hello-child's exit status", CAPOS_OK);
    }
    struct line line;
    report_start(&line, "c-hello-child exited ");
    line_i64(&line, status.code);
    report_line(&line);
    if ((rc = capos_release(handle)) != CAPOS_OK) {
        return fail("release the handle", rc);
    }

    rc = capos_spawn(spawner, "nothing", "no-such-binary", NULL, 0, NULL, NULL, &handle);
    if (rc != CAPOS_E_APPLICATION) {
        return fail("spawn of a missing binary", rc);
    }
    say_code("spawn of a missing binary refused", rc);
    return 0;
}
