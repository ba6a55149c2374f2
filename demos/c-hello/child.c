/*
 * c-hello-child: spawned by c-hello with only a console. It prints the
 * arguments and environment it was given, shows that the capabilities it
 * was not granted are not there, and exits with 42 for its parent to see.
 */
#include <capos/capos.h>

#include "report.h"

int main(int argc, char **argv)
{
    uint32_t console = 0, cap = 0;
    if (capos_capset_get("console", &console, NULL) != CAPOS_OK) {
        return 2;
    }
    report_init(console, "c-hello-child");
    struct line line;
    report_start(&line, "hello (argc=");
    line_i64(&line, argc);
    for (int i = 0; i < argc; i++) {
        line_str(&line, i == 0 ? ": " : " ");
        line_str(&line, argv[i]);
    }
    const char *demo = capos_env_get("CAPOS_DEMO");
    line_str(&line, "; CAPOS_DEMO=");
    line_str(&line, demo != NULL ? demo : "(unset)");
    line_str(&line, ")");
    report_line(&line);

    int32_t timer = capos_capset_get("timer", &cap, NULL);
    int32_t spawner = capos_capset_get("spawner", &cap, NULL);
    if (timer != CAPOS_E_NOT_FOUND || spawner != CAPOS_E_NOT_FOUND) {
        return fail("ungranted capabilities are absent", timer != CAPOS_OK ? spawner : timer);
    }
    say_code("timer and spawner were not granted", timer);
    return 42;
}
