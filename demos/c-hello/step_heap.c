#include <capos/capos.h>

#include "report.h"
#include "steps.h"

int step_heap(void)
{
    unsigned char *bytes = capos_alloc(100);
    uint64_t *zeros = capos_alloc_zeroed(64 * sizeof(uint64_t));
    if (bytes == NULL || zeros == NULL) {
        return fail("heap alloc", CAPOS_E_NO_MEMORY);
    }
    for (int i = 0; i < 100; i++) {
        bytes[i] = (unsigned char)i;
    }
    unsigned char *grown = capos_realloc(bytes, 10000);
    if (grown == NULL) {
        return fail("heap realloc", CAPOS_E_NO_MEMORY);
    }
    for (int i = 0; i < 100; i++) {
        if (grown[i] != (unsigned char)i) {
            return fail("heap realloc kept contents", CAPOS_OK);
        }
    }
    for (int i = 0; i < 64; i++) {
        if (zeros[i] != 0) {
            return fail("heap zeroed", CAPOS_OK);
        }
    }
    capos_free(grown);
    capos_free(zeros);
    /* The heap is 1 MiB: running out is a NULL, not a crash. */
    if (capos_alloc((size_t)64 << 20) != NULL) {
        return fail("heap refuses 64 MiB", CAPOS_OK);
    }
    say("heap ok (alloc, zeroed, realloc, free; 64 MiB refused with NULL)");
    return 0;
}
