/* One query through dns.c's non-blocking resolver: dns_res_check does as
 * much as it can without waiting and says EAGAIN; the program then
 * waits in poll(2) on the descriptor and events dns.c names, for as long
 * as dns.c's own timeout has left, and asks again. This is how a program
 * with its own event loop embeds dns.c (lua-cqueues does the same). dns.c
 * itself decides when an attempt has timed out and moves to the next; the
 * program's own limit below only guards against a resolver that never
 * ends. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>

#include "demo.h"

/* Seconds past dns.c's last attempt before the program gives up itself. */
#define GRACE_SECONDS 5

void lookup(struct dns_resolver *R, const struct options *o, const char *name,
            enum dns_type type, struct result *r)
{
	/* The count of datagrams received before this query, to tell "no
	 * reply at all" from a reply that said SERVFAIL. */
	size_t received = dns_res_stat(R)->udp.rcvd.count;
	time_t limit = (time_t)o->timeout * o->attempts + GRACE_SECONDS;
	int error;

	r->answer = NULL;
	r->error = 0;
	if ((error = dns_res_submit(R, name, type, DNS_C_IN)))
		goto failed;
	while ((error = dns_res_check(R))) {
		if (error != EAGAIN)
			goto failed;
		if (dns_res_elapsed(R) > limit) {
			r->outcome = TIMEDOUT;
			return;
		}
		struct pollfd p = {
			.fd = dns_res_pollfd(R),
			.events = (short)dns_res_events(R),
		};
		time_t left = dns_res_timeout(R);
		int ms = left > 0 ? (int)left * 1000 : 100;
		if (poll(&p, 1, ms) < 0 && errno != EINTR) {
			error = errno;
			goto failed;
		}
	}
	if (!(r->answer = dns_res_fetch(R, &error)))
		goto failed;

	switch (dns_p_rcode(r->answer)) {
	case DNS_RC_NOERROR:
		r->outcome = count_records(r->answer, type) ? ANSWERED : NODATA;
		return;
	case DNS_RC_NXDOMAIN:
		r->outcome = NXDOMAIN;
		return;
	case DNS_RC_SERVFAIL:
		/* dns.c makes up a SERVFAIL answer when every attempt went
		 * unanswered; if nothing came back, that was a timeout. */
		if (dns_res_stat(R)->udp.rcvd.count == received) {
			r->outcome = TIMEDOUT;
			return;
		}
		/* fall through */
	default:
		r->outcome = FAILED;
		return;
	}
failed:
	r->outcome = FAILED;
	r->error = error;
}
