#include "raw_timer.h"

void sleep_params(uint64_t params[SLEEP_PARAMS_WORDS], uint64_t ns)
{
    /* Segment table: one segment (count - 1 = 0) of 2 words. */
    params[0] = (uint64_t)2 << 32;
    /* Root pointer: a struct (kind 0) right after it (offset 0), with one
     * data word and no pointers: data size in bits 32-47. */
    params[1] = (uint64_t)1 << 32;
    /* The struct's data section: ns. */
    params[2] = ns;
}
