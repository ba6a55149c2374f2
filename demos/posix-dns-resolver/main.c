/* posix-dns-resolver: see demo.h. For each name, an A query, then (unless
 * the name does not exist) an AAAA query; with -r the whole list is
 * resolved that many times over the same resolver. The last line counts
 * the outcomes.
 *
 * Exit status: 0 when every query got an answer from the server
 * (records, NXDOMAIN or no data); 2 when any timed out or failed, unless
 * -k (keep going: the run itself is the test, as against a hostile
 * server); 1 when the program could not start. */
#include <stdio.h>
#include <stdlib.h>

#include "demo.h"

int main(int argc, char **argv)
{
	struct options o;
	struct dns_resolver *R;
	unsigned counts[FAILED + 1] = { 0 };
	int error = 0;

	if (parse_options(argc, argv, &o) != 0 || seed_random() != 0)
		return 1;
	if (!(R = open_resolver(&o, &error))) {
		fprintf(stderr, "posix-dns-resolver: cannot make a resolver: %s\n",
		        dns_strerror(error));
		return 1;
	}
	for (unsigned round = 0; round < o.rounds; round++) {
		for (int i = 0; i < o.count; i++) {
			static const enum dns_type types[] = { DNS_T_A, DNS_T_AAAA };
			for (size_t t = 0; t < sizeof types / sizeof types[0]; t++) {
				struct result r;
				lookup(R, &o, o.names[i], types[t], &r);
				counts[r.outcome]++;
				if (!o.quiet) {
					if (r.outcome == ANSWERED)
						print_records(o.names[i], r.answer, types[t]);
					print_outcome(&o, o.names[i], types[t], &r);
				}
				free(r.answer);
				/* Both types share the name's non-existence. */
				if (r.outcome == NXDOMAIN)
					break;
			}
		}
		fflush(stdout);
	}
	dns_res_close(R);

	printf("done: %u answered, %u nodata, %u nxdomain, %u timed out, %u failed\n",
	       counts[ANSWERED], counts[NODATA], counts[NXDOMAIN], counts[TIMEDOUT],
	       counts[FAILED]);
	if ((counts[TIMEDOUT] || counts[FAILED]) && !o.keep_going)
		return 2;
	return 0;
}
