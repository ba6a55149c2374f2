/* dns.c picks query ids and UDP source ports with random(3) on Linux
 * (its DNS_RANDOM), and musl's random(3) starts from a fixed seed. Seeding
 * it from getrandom(2) makes both unpredictable; on capOS getrandom is
 * backed by the "random" EntropySource capability. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "demo.h"

int seed_random(void)
{
	unsigned seed;
	ssize_t got = getrandom(&seed, sizeof seed, 0);
	if (got != (ssize_t)sizeof seed) {
		fprintf(stderr,
		        "posix-dns-resolver: no randomness for query ids and ports (getrandom: %s)\n",
		        got < 0 ? strerror(errno) : "short read");
		return -1;
	}
	srandom(seed);
	return 0;
}
