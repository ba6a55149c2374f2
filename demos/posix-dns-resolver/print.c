/* The program's output lines, one fact per line:
 *
 *   resolved NAME -> ADDRESS          one per A or AAAA record
 *   nxdomain NAME                     the name does not exist
 *   nodata NAME TYPE                  it exists, with no record of TYPE
 *   timeout NAME TYPE: ...            nothing came back from the server
 *   failed NAME TYPE: ...             the server or dns.c said why
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>

#include "demo.h"

int print_records(const char *name, struct dns_packet *answer, enum dns_type type)
{
	char text[INET6_ADDRSTRLEN];
	struct dns_rr_i i;
	struct dns_rr rr;
	union dns_any any;
	int n = 0, error;

	records_begin(&i, answer, type);
	while (records_next(&i, answer, &rr)) {
		if ((error = dns_any_parse(dns_any_init(&any, sizeof any), &rr, answer))) {
			printf("failed %s %s: a record does not parse: %s\n", name,
			       dns_strtype(type), dns_strerror(error));
			continue;
		}
		if (type == DNS_T_A)
			inet_ntop(AF_INET, &any.a.addr, text, sizeof text);
		else
			inet_ntop(AF_INET6, &any.aaaa.addr, text, sizeof text);
		printf("resolved %s -> %s\n", name, text);
		n++;
	}
	return n;
}

void print_outcome(const struct options *o, const char *name, enum dns_type type,
                   const struct result *r)
{
	const char *t = dns_strtype(type);

	switch (r->outcome) {
	case ANSWERED:
		break;
	case NODATA:
		printf("nodata %s %s\n", name, t);
		break;
	case NXDOMAIN:
		printf("nxdomain %s\n", name);
		break;
	case TIMEDOUT:
		printf("timeout %s %s: no reply from %s (%u attempts of %u s)\n", name, t,
		       o->server_text, o->attempts, o->timeout);
		break;
	case FAILED:
		if (r->error)
			printf("failed %s %s: %s\n", name, t, dns_strerror(r->error));
		else
			printf("failed %s %s: %s\n", name, t, dns_strrcode(dns_p_rcode(r->answer)));
		break;
	}
}
