/* net-launch: runs POSIX network programs with a network capability
 * narrowed to the destinations they may reach, and checks how each run
 * ends. It holds the unrestricted NetworkManager ("net"), mints a narrowed
 * one with capos_net_narrow and grants only that, as "network", to each
 * program it starts: a resolver can then reach its nameservers and
 * nothing else, whatever it is told or sent (system-posix-dns.cue).
 *
 *   net-launch --allow ADDR:PORT[,ADDR:PORT...] \
 *              -- EXIT [--no-network] PROGRAM ARGS... [-- ...]...
 *
 * Each `-- EXIT PROGRAM ARGS...` is one run of manifest binary PROGRAM
 * with ARGS, expected to exit with EXIT; with --no-network it gets no
 * "network" capability at all. The runs go one after the other, so their
 * output does not interleave; each starts with a line naming it. Exits 0
 * when every run ended as expected.
 *
 * A POSIX program using libcapos beside musl: libcapos-posix owns
 * "console", "timer", "memory" and "spawner" for the C library, so the
 * capabilities passed on to each program are granted a second time under
 * names of their own ("pass-console", ...). A Directory granted as
 * "pass-root", if any, is passed on as "/": the program's file tree
 * (its /etc/resolv.conf and /etc/hosts).
 */
#include <arpa/inet.h>
#include <capos/capos.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ARGS 64

static int parse_endpoint(const char *text, size_t len, capos_udp_endpoint *out)
{
	char buf[32];
	struct in_addr addr;
	const char *colon = memchr(text, ':', len);
	if (!colon || (size_t)(colon - text) >= sizeof buf)
		return -1;
	memcpy(buf, text, (size_t)(colon - text));
	buf[colon - text] = '\0';
	if (inet_pton(AF_INET, buf, &addr) != 1)
		return -1;
	char *end;
	long port = strtol(colon + 1, &end, 10);
	if (end != text + len || port < 1 || port > 65535)
		return -1;
	out->addr = ntohl(addr.s_addr);
	out->port = (uint16_t)port;
	return 0;
}

/* The allowed set: ADDR:PORT,ADDR:PORT,... */
static size_t parse_allowed(const char *list, capos_udp_endpoint *out, size_t max)
{
	size_t n = 0;
	while (*list && n < max) {
		size_t len = strcspn(list, ",");
		if (parse_endpoint(list, len, &out[n]) != 0)
			return 0;
		n++;
		list += len + (list[len] == ',');
	}
	return *list ? 0 : n;
}

static int get(const char *name, uint32_t *cap)
{
	int32_t rc = capos_capset_get(name, cap, NULL);
	if (rc != CAPOS_OK) {
		printf("net-launch: FAIL: no \"%s\" capability (%s)\n", name, capos_error_name(rc));
		return -1;
	}
	return 0;
}

/* Starts manifest binary args[0] with args[1..] and returns its exit
 * code, or -1. */
static long run(uint32_t spawner, const capos_grant *grants, size_t ngrants, char **args,
                int nargs)
{
	const char *argv[MAX_ARGS + 1];
	const char *const envp[] = {NULL};
	capos_exit_status status = {0};
	uint32_t handle;
	for (int i = 0; i < nargs; i++)
		argv[i] = args[i];
	argv[nargs] = NULL;
	/* The program writes to the same console: ours first. */
	fflush(stdout);
	int32_t rc = capos_spawn(spawner, args[0], args[0], grants, ngrants, argv, envp, &handle);
	if (rc != CAPOS_OK) {
		printf("net-launch: FAIL: spawn: %s\n", capos_error_name(rc));
		return -1;
	}
	rc = capos_process_wait(handle, &status);
	capos_release(handle);
	if (rc != CAPOS_OK || status.kind != CAPOS_EXIT_EXITED) {
		printf("net-launch: FAIL: %s %s\n", args[0],
		       rc != CAPOS_OK ? capos_error_name(rc) : "faulted");
		return -1;
	}
	return (long)status.code;
}

int main(int argc, char **argv)
{
	capos_udp_endpoint allowed[CAPOS_UDP_MAX_ALLOWED];
	uint32_t net, narrowed, spawner, console, timer, memory, random, pipes;
	size_t nallowed;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 4 || strcmp(argv[1], "--allow") != 0 || strcmp(argv[3], "--") != 0 ||
	    !(nallowed = parse_allowed(argv[2], allowed, CAPOS_UDP_MAX_ALLOWED))) {
		printf("net-launch: usage: net-launch --allow ADDR:PORT[,...] "
		       "-- EXIT [--no-network] PROGRAM ARGS... [-- ...]...\n");
		return 2;
	}
	if (get("net", &net) || get("pass-spawner", &spawner) || get("pass-console", &console) ||
	    get("pass-timer", &timer) || get("pass-memory", &memory) ||
	    get("pass-random", &random) || get("pass-pipes", &pipes))
		return 1;
	int32_t rc = capos_net_narrow(net, allowed, nallowed, &narrowed);
	if (rc != CAPOS_OK) {
		printf("net-launch: FAIL: narrowing the network: %s\n", capos_error_name(rc));
		return 1;
	}
	/* The unrestricted manager is not needed any more. */
	capos_release(net);
	printf("net-launch: network narrowed to %s\n", argv[2]);

	capos_grant grants[] = {
		{.name = "console", .cap = console}, {.name = "timer", .cap = timer},
		{.name = "memory", .cap = memory},   {.name = "random", .cap = random},
		{.name = "pipes", .cap = pipes},     {.name = "/", .cap = 0},
		{.name = "network", .cap = narrowed},
	};
	size_t ngrants = sizeof grants / sizeof grants[0];
	uint32_t root;
	if (capos_capset_get("pass-root", &root, NULL) == CAPOS_OK) {
		grants[5].cap = root;
	} else {
		/* No tree to pass: "network" moves into the file tree's place. */
		grants[5] = grants[6];
		ngrants--;
	}
	int runs = 0, failed = 0;
	for (int i = 4; i < argc;) {
		int end = i;
		while (end < argc && strcmp(argv[end], "--") != 0)
			end++;
		char *stop;
		long want = strtol(argv[i], &stop, 10);
		int first = i + 1, network = 1;
		if (first < end && strcmp(argv[first], "--no-network") == 0) {
			network = 0;
			first++;
		}
		if (*stop || first >= end || end - first > MAX_ARGS) {
			printf("net-launch: FAIL: run %d: no expected exit code, no program, or too "
			       "many arguments\n",
			       runs + 1);
			return 2;
		}
		runs++;
		printf("net-launch: run %d: %s%s\n", runs, argv[first],
		       network ? "" : ", without a network capability");
		/* "network" is the last grant: leaving it out is one fewer. */
		long got = run(spawner, grants, network ? ngrants : ngrants - 1, argv + first,
		               end - first);
		if (got == want) {
			printf("net-launch: run %d exited %ld, as expected\n", runs, got);
		} else {
			printf("net-launch: FAIL: run %d exited %ld, expected %ld\n", runs, got, want);
			failed++;
		}
		i = end + 1;
	}
	if (failed)
		return 1;
	printf("net-launch: %d runs as expected\n", runs);
	return 0;
}
