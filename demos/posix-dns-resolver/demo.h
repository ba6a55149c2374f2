/* posix-dns-resolver: resolves the names on its command line through
 * William Ahern's dns.c (vendor/dns-c-wahern/), unmodified, against one
 * nameserver given on the command line or in the environment, and prints
 * what each lookup found. The same sources build for capOS (tools/capos-cc)
 * and for Linux (musl-gcc), so the two runs can be compared line for line.
 *
 * Nothing is read from files: no /etc/resolv.conf, /etc/hosts or
 * nsswitch.conf. The resolver's configuration is made in code (resolver.c),
 * so the program needs sockets, poll, clocks and randomness, and nothing
 * else from the system. */
#ifndef POSIX_DNS_RESOLVER_DEMO_H
#define POSIX_DNS_RESOLVER_DEMO_H

#include <stddef.h>
#include <sys/socket.h>

#include "dns.h"

/* The command line (options.c). */
struct options {
	struct sockaddr_storage server; /* the one nameserver asked */
	char server_text[64];           /* as printed: 10.0.2.2:53 */
	unsigned timeout;               /* seconds per attempt */
	unsigned attempts;              /* attempts per query */
	unsigned rounds;                /* times the whole list is resolved */
	int keep_going;                 /* -k: failures do not fail the run */
	int quiet;                      /* -q: only the summary line */
	char **names;
	int count;
};

/* Returns 0, or prints why and returns -1. */
int parse_options(int argc, char **argv, struct options *o);

/* Seeds random(3), which dns.c draws query ids and source ports from on
 * Linux, from getrandom(2) (seed.c). Returns 0, or prints why and
 * returns -1: predictable ids and ports would let anyone who can send
 * datagrams to the resolver forge answers, so the program does not run
 * without randomness. */
int seed_random(void);

/* A resolver that asks o->server and nothing else (resolver.c); NULL with
 * *error set on failure. */
struct dns_resolver *open_resolver(const struct options *o, int *error);

/* How one query ended. */
enum outcome {
	ANSWERED, /* NOERROR with at least one record of the type asked */
	NODATA,   /* NOERROR, no record of that type */
	NXDOMAIN, /* the name does not exist */
	TIMEDOUT, /* no datagram at all came back within every attempt */
	FAILED,   /* anything else: another rcode, or dns.c's error */
};

struct result {
	enum outcome outcome;
	/* The answer (dns.c's packet, freed with free()), or NULL. */
	struct dns_packet *answer;
	/* FAILED: dns.c's error, or 0 when the answer's rcode says why. */
	int error;
};

/* Runs one query for `name` of `type` (DNS_T_A or DNS_T_AAAA) to its end,
 * waiting in poll(2) (lookup.c). */
void lookup(struct dns_resolver *R, const struct options *o, const char *name,
            enum dns_type type, struct result *r);

/* The answer section's records of `type`, one by one (answer.c):
 * records_begin, then records_next until it returns 0. */
void records_begin(struct dns_rr_i *i, struct dns_packet *answer, enum dns_type type);
int records_next(struct dns_rr_i *i, struct dns_packet *answer, struct dns_rr *rr);
int count_records(struct dns_packet *answer, enum dns_type type);

/* Prints one `resolved NAME -> ADDR` line per record of `type` in the
 * answer section; returns how many (print.c). */
int print_records(const char *name, struct dns_packet *answer, enum dns_type type);

/* Prints the line for an outcome other than ANSWERED (print.c). */
void print_outcome(const struct options *o, const char *name, enum dns_type type,
                   const struct result *r);

#endif
