/* Walking an answer's records of one type. dns.h's dns_rr_foreach macro
 * initialises a field twice, which -Werror=override-init refuses in our
 * code, so the iterator is set up by hand here, the way the macro does. */
#include <string.h>

#include "demo.h"

void records_begin(struct dns_rr_i *i, struct dns_packet *answer, enum dns_type type)
{
	memset(i, 0, sizeof *i);
	i->section = DNS_S_AN;
	i->type = type;
	dns_rr_i_init(i, answer);
}

int records_next(struct dns_rr_i *i, struct dns_packet *answer, struct dns_rr *rr)
{
	int error = 0;
	return dns_rr_grep(rr, 1, i, answer, &error) == 1;
}

int count_records(struct dns_packet *answer, enum dns_type type)
{
	struct dns_rr_i i;
	struct dns_rr rr;
	int n = 0;
	records_begin(&i, answer, type);
	while (records_next(&i, answer, &rr))
		n++;
	return n;
}
