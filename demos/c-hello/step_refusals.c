#include <capos/capos.h>

#include "raw_timer.h"
#include "report.h"
#include "steps.h"

/* An id no capability of this process has: slot 0xff, generation 0xff. */
#define FORGED_CAP UINT32_C(0x00ff00ff)

int step_refusals(uint32_t console)
{
    uint64_t params[SLEEP_PARAMS_WORDS];
    uint64_t result[8];
    uint64_t ns = 0;
    uint32_t cap = 0;
    sleep_params(params, NS_PER_MS);

    /* libcapos knows the console is no Timer... */
    int32_t rc = capos_timer_now(console, &ns);
    if (rc != CAPOS_E_WRONG_INTERFACE) {
        return fail("typed call on the wrong interface", rc);
    }
    /* ...and so does the kernel, when a raw call claims otherwise. */
    rc = capos_call(console, CAPOS_IFACE_TIMER, TIMER_SLEEP_METHOD, params, sizeof params, result,
                    sizeof result);
    if (rc != CAPOS_E_WRONG_INTERFACE) {
        return fail("raw call on the wrong interface", rc);
    }
    say_code("console used as a timer refused by libcapos and by the kernel", rc);

    rc = capos_call(FORGED_CAP, CAPOS_IFACE_TIMER, TIMER_SLEEP_METHOD, params, sizeof params,
                    result, sizeof result);
    if (rc != CAPOS_E_INVALID_CAP) {
        return fail("forged capability id", rc);
    }
    say_code("forged capability id refused by the kernel", rc);

    rc = capos_capset_get("boot", &cap, NULL);
    if (rc != CAPOS_E_NOT_FOUND) {
        return fail("capability not granted", rc);
    }
    say_code("capability \"boot\" was not granted", rc);
    return 0;
}
