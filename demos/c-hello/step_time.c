#include <capos/capos.h>

#include "report.h"
#include "steps.h"

/* 2020-01-01 and 2100-01-01 in seconds since 1970. */
#define WALL_MIN UINT64_C(1577836800)
#define WALL_MAX UINT64_C(4102444800)
#define NS_PER_S UINT64_C(1000000000)

int step_time(uint32_t *timer)
{
    uint64_t interface_id = 0, before = 0, after = 0, wall = 0;
    int32_t rc = capos_capset_get("timer", timer, &interface_id);
    if (rc != CAPOS_OK) {
        return fail("timer lookup", rc);
    }
    if (interface_id != CAPOS_IFACE_TIMER) {
        return fail("timer interface", CAPOS_E_WRONG_INTERFACE);
    }
    if ((rc = capos_timer_now(*timer, &before)) != CAPOS_OK ||
        (rc = capos_timer_wall_clock(*timer, &wall)) != CAPOS_OK ||
        (rc = capos_timer_sleep(*timer, 5 * NS_PER_MS)) != CAPOS_OK ||
        (rc = capos_timer_now(*timer, &after)) != CAPOS_OK) {
        return fail("timer calls", rc);
    }
    if (after - before < 5 * NS_PER_MS) {
        return fail("sleep shorter than 5 ms", CAPOS_OK);
    }
    if (wall / NS_PER_S < WALL_MIN || wall / NS_PER_S > WALL_MAX) {
        return fail("wall clock out of range", CAPOS_OK);
    }
    struct line line;
    report_start(&line, "monotonic clock ");
    line_u64(&line, before);
    line_str(&line, " ns, wall clock ");
    line_u64(&line, wall / NS_PER_S);
    line_str(&line, " s since 1970, slept 5 ms");
    report_line(&line);
    return 0;
}
