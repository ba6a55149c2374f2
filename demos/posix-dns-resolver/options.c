/* The command line:
 *
 *   posix-dns-resolver [-s SERVER] [-t SECONDS] [-a ATTEMPTS] [-r ROUNDS]
 *                      [-k] [-q] NAME...
 *
 * SERVER is ADDRESS or ADDRESS:PORT for IPv4, ADDRESS or [ADDRESS]:PORT
 * for IPv6 (port 53 by default); without -s it comes from the environment
 * variable DNS_SERVER. There is no default: the program asks exactly the
 * server it was given, never one found on the system. */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "demo.h"

static void usage(void)
{
	fprintf(stderr, "usage: posix-dns-resolver [-s SERVER] [-t SECONDS] [-a ATTEMPTS]"
	                " [-r ROUNDS] [-k] [-q] NAME...\n"
	                "  SERVER: ADDRESS[:PORT] or [IPV6]:PORT (default: $DNS_SERVER)\n");
}

/* A whole number in [min, max], or -1. */
static long number(const char *text, long min, long max)
{
	char *end;
	errno = 0;
	long n = strtol(text, &end, 10);
	if (errno || end == text || *end || n < min || n > max)
		return -1;
	return n;
}

/* Parses SERVER into *ss. Returns 0, or -1 if it is not an address. */
static int parse_server(const char *text, struct sockaddr_storage *ss)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *port = NULL;
	size_t len;

	if (text[0] == '[') {
		const char *close = strchr(text, ']');
		if (!close || (close[1] && close[1] != ':'))
			return -1;
		len = (size_t)(close - text - 1);
		if (close[1] == ':')
			port = close + 2;
		text++;
	} else if (strchr(text, ':') == strrchr(text, ':') && strchr(text, ':')) {
		/* One colon: IPv4 with a port. More than one: a bare IPv6. */
		len = (size_t)(strchr(text, ':') - text);
		port = strchr(text, ':') + 1;
	} else {
		len = strlen(text);
	}
	if (len == 0 || len >= sizeof host)
		return -1;
	memcpy(host, text, len);
	host[len] = '\0';

	long p = port ? number(port, 1, 65535) : 53;
	if (p < 0)
		return -1;

	memset(ss, 0, sizeof *ss);
	struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
	if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((unsigned short)p);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((unsigned short)p);
		return 0;
	}
	return -1;
}

/* The server as the program prints it. */
static void format_server(const struct sockaddr_storage *ss, char *out, size_t size)
{
	char host[INET6_ADDRSTRLEN];
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *v4 = (const struct sockaddr_in *)ss;
		inet_ntop(AF_INET, &v4->sin_addr, host, sizeof host);
		snprintf(out, size, "%s:%u", host, ntohs(v4->sin_port));
	} else {
		const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)ss;
		inet_ntop(AF_INET6, &v6->sin6_addr, host, sizeof host);
		snprintf(out, size, "[%s]:%u", host, ntohs(v6->sin6_port));
	}
}

int parse_options(int argc, char **argv, struct options *o)
{
	const char *server = getenv("DNS_SERVER");
	long n;
	int c;

	memset(o, 0, sizeof *o);
	o->timeout = 2;
	o->attempts = 2;
	o->rounds = 1;
	while ((c = getopt(argc, argv, "s:t:a:r:kq")) != -1) {
		switch (c) {
		case 's':
			server = optarg;
			break;
		case 't':
		case 'a':
		case 'r':
			if ((n = number(optarg, 1, c == 'r' ? 1000000 : 60)) < 0) {
				fprintf(stderr, "posix-dns-resolver: -%c %s: not a number in range\n", c,
				        optarg);
				return -1;
			}
			*(c == 't' ? &o->timeout : c == 'a' ? &o->attempts : &o->rounds) = (unsigned)n;
			break;
		case 'k':
			o->keep_going = 1;
			break;
		case 'q':
			o->quiet = 1;
			break;
		default:
			usage();
			return -1;
		}
	}
	if (!server) {
		fprintf(stderr, "posix-dns-resolver: no nameserver: give -s SERVER or set DNS_SERVER\n");
		return -1;
	}
	if (parse_server(server, &o->server) != 0) {
		fprintf(stderr, "posix-dns-resolver: %s: not ADDRESS[:PORT] or [IPV6]:PORT\n", server);
		return -1;
	}
	format_server(&o->server, o->server_text, sizeof o->server_text);
	if (optind >= argc) {
		usage();
		return -1;
	}
	o->names = argv + optind;
	o->count = argc - optind;
	return 0;
}
