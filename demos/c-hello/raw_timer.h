/*
 * Timer.sleep as a raw call: the params message built by hand, to show
 * what capos_call and capos_submit carry for interfaces that have no typed
 * wrapper.
 */
#ifndef C_HELLO_RAW_TIMER_H
#define C_HELLO_RAW_TIMER_H

#include <stdint.h>

/* Timer.sleep's method ordinal in schema/capos.capnp. */
#define TIMER_SLEEP_METHOD 1
/* Words of a framed Timer.sleep params message. */
#define SLEEP_PARAMS_WORDS 3

/* Fills `params` with a framed Cap'n Proto message of Timer.sleep's params
 * (ns :UInt64): a segment table, a root struct pointer, one data word. */
void sleep_params(uint64_t params[SLEEP_PARAMS_WORDS], uint64_t ns);

#endif
