#include <capos/capos.h>

#include "raw_timer.h"
#include "report.h"
#include "steps.h"

/* Submits a raw Timer.sleep of `ns` and stores its ticket. */
static int32_t submit_sleep(uint32_t timer, uint64_t ns, uint64_t *ticket)
{
    uint64_t params[SLEEP_PARAMS_WORDS];
    sleep_params(params, ns);
    /* The params are copied at once; the result (an empty struct) is kept
     * by libcapos until capos_complete collects it. */
    return capos_submit(timer, CAPOS_IFACE_TIMER, TIMER_SLEEP_METHOD, params, sizeof params,
                        64, ticket);
}

int step_in_flight(uint32_t timer)
{
    /* tickets[0]: 500 ms, tickets[1]: 10 ms, dropped: 1 ms, abandoned. */
    uint64_t tickets[2], dropped = 0;
    uint64_t result[8];
    int32_t rc;
    if ((rc = submit_sleep(timer, 500 * NS_PER_MS, &tickets[0])) != CAPOS_OK ||
        (rc = submit_sleep(timer, 10 * NS_PER_MS, &tickets[1])) != CAPOS_OK ||
        (rc = submit_sleep(timer, 1 * NS_PER_MS, &dropped)) != CAPOS_OK) {
        return fail("submit", rc);
    }
    if ((rc = capos_abandon(dropped)) != CAPOS_OK) {
        return fail("abandon", rc);
    }
    /* All three reach the kernel together, at this first kernel entry. */
    int32_t first = capos_wait_any(tickets, 2);
    if (first != 1) {
        return fail("the 10 ms sleep completes first", first);
    }
    if ((rc = capos_poll(tickets[0])) != 0) {
        return fail("the 500 ms sleep is still running", rc);
    }
    if ((rc = capos_complete(tickets[1], result, sizeof result)) < 0 ||
        (rc = capos_complete(tickets[0], result, sizeof result)) < 0) {
        return fail("complete", rc);
    }
    if ((rc = capos_poll(tickets[0])) != CAPOS_E_BAD_TICKET) {
        return fail("a collected ticket is used up", rc);
    }
    say("three sleeps in flight (500, 10, 1 ms; the 1 ms one abandoned): the 10 ms one completed first");
    return 0;
}
