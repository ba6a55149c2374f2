/*
 * malloc, calloc, realloc and free under stress: many small blocks of
 * pseudo-random sizes freed in scattered order, and large blocks that
 * musl's allocator maps with mmap directly (above 128 KiB).
 */
#include "demo.h"
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS 512

static unsigned next(unsigned *seed)
{
    *seed = *seed * 1103515245 + 12345;
    return *seed >> 16;
}

static int filled(const unsigned char *p, size_t len, unsigned char byte)
{
    for (size_t i = 0; i < len; i++) {
        if (p[i] != byte) {
            return 0;
        }
    }
    return 1;
}

static int stress(void)
{
    static unsigned char *block[SLOTS];
    static size_t size[SLOTS];
    unsigned seed = 42;
    int bad = 0;
    unsigned long total = 0;
    for (int round = 0; round < 8; round++) {
        for (int i = 0; i < SLOTS; i++) {
            int slot = (int)(next(&seed) % SLOTS);
            if (block[slot]) {
                bad += !filled(block[slot], size[slot], (unsigned char)slot);
                free(block[slot]);
                block[slot] = NULL;
                continue;
            }
            size[slot] = 1 + next(&seed) % (round & 1 ? 4000 : 200);
            block[slot] = malloc(size[slot]);
            if (!block[slot]) {
                bad++;
                continue;
            }
            memset(block[slot], slot, size[slot]);
            total += size[slot];
        }
    }
    for (int i = 0; i < SLOTS; i++) {
        if (block[i]) {
            bad += !filled(block[i], size[i], (unsigned char)i);
            free(block[i]);
        }
    }
    printf("malloc stress: %lu bytes in 8 rounds, %d corrupted\n", total, bad);
    return check(bad == 0, "malloc stress");
}

static int large(void)
{
    int fails = 0;
    size_t big = 3 << 20;
    for (int i = 0; i < 3; i++) {
        unsigned char *p = malloc(big);
        fails += check(p != NULL, "malloc 3 MiB");
        if (p) {
            memset(p, 0x5a, big);
            fails += check(p[0] == 0x5a && p[big - 1] == 0x5a, "large block contents");
            free(p);
        }
    }
    unsigned char *z = calloc(1 << 18, 4);
    fails += check(z && filled(z, 1 << 20, 0), "calloc 1 MiB is zero");
    free(z);
    char *r = malloc(16);
    strcpy(r, "keep me");
    size_t sizes[] = {200, 100000, 2 << 20, 300000, 10};
    for (size_t i = 0; i < 5; i++) {
        char *grown = realloc(r, sizes[i]);
        fails += check(grown && !strcmp(grown, "keep me"), "realloc keeps contents");
        if (!grown) {
            break;
        }
        r = grown;
    }
    free(r);
    printf("large blocks: 3 x 3 MiB, calloc 1 MiB, realloc 16 B to 2 MiB and back: %s\n",
           fails ? "FAILED" : "ok");
    errno = 0;
    void *huge = malloc(SIZE_MAX / 2);
    printf("malloc(SIZE_MAX / 2): %s, errno ENOMEM: %s\n", huge ? "non-NULL" : "NULL",
           errno == ENOMEM ? "yes" : "no");
    free(huge);
    free(NULL);
    void *zero = calloc(0, 8);
    free(zero);
    return fails;
}

int demo_malloc(void)
{
    return stress() + large();
}
