#include <capos/capos.h>

#include "raw_timer.h"
#include "report.h"
#include "steps.h"

int step_release(uint32_t timer)
{
    uint64_t params[SLEEP_PARAMS_WORDS];
    uint64_t result[8];
    uint64_t ns = 0;
    sleep_params(params, NS_PER_MS);

    int32_t rc = capos_release(timer);
    if (rc != CAPOS_OK) {
        return fail("release", rc);
    }
    if ((rc = capos_timer_now(timer, &ns)) != CAPOS_E_NOT_HELD) {
        return fail("typed call after release", rc);
    }
    rc = capos_call(timer, CAPOS_IFACE_TIMER, TIMER_SLEEP_METHOD, params, sizeof params, result,
                    sizeof result);
    if (rc != CAPOS_E_STALE_CAP) {
        return fail("raw call after release", rc);
    }
    if ((rc = capos_capset_get("timer", NULL, NULL)) != CAPOS_E_RELEASED) {
        return fail("lookup after release", rc);
    }
    say("released timer refused: CAPOS_E_NOT_HELD (libcapos), CAPOS_E_STALE_CAP (kernel), "
        "CAPOS_E_RELEASED (lookup)");
    return 0;
}
