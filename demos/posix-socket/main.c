#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demo.h"

struct sockaddr_in server;

static const struct {
	int value;
	const char *name;
} names[] = {
	{EAGAIN, "EAGAIN"},       {EINVAL, "EINVAL"},           {EFAULT, "EFAULT"},
	{EBADF, "EBADF"},         {ENOTSOCK, "ENOTSOCK"},       {EAFNOSUPPORT, "EAFNOSUPPORT"},
	{EPROTONOSUPPORT, "EPROTONOSUPPORT"}, {ESOCKTNOSUPPORT, "ESOCKTNOSUPPORT"},
	{EADDRINUSE, "EADDRINUSE"}, {EADDRNOTAVAIL, "EADDRNOTAVAIL"}, {EDESTADDRREQ, "EDESTADDRREQ"},
	{EMSGSIZE, "EMSGSIZE"},   {ENOTCONN, "ENOTCONN"},       {ENOPROTOOPT, "ENOPROTOOPT"},
	{EDOM, "EDOM"},           {EOPNOTSUPP, "EOPNOTSUPP"},   {EPIPE, "EPIPE"},
	{EACCES, "EACCES"},       {ENETUNREACH, "ENETUNREACH"}, {EPERM, "EPERM"},
	{ECONNREFUSED, "ECONNREFUSED"},
};

const char *errname(int e)
{
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (names[i].value == e)
			return names[i].name;
	return strerror(e);
}

void show(const char *what, long r)
{
	if (r == -1)
		printf("%s: %s\n", what, errname(errno));
	else
		printf("%s: %ld\n", what, r);
}

void yes(const char *what, int truth)
{
	printf("%s: %s\n", what, truth ? "yes" : "no");
}

int udp_socket(int flags)
{
	int s = socket(AF_INET, SOCK_DGRAM | flags, 0);
	if (s < 0) {
		printf("FAIL: socket: %s\n", errname(errno));
		exit(1);
	}
	return s;
}

int is_server(const struct sockaddr_in *a, socklen_t len)
{
	return len == sizeof *a && a->sin_family == AF_INET && a->sin_port == server.sin_port &&
	       a->sin_addr.s_addr == server.sin_addr.s_addr;
}

static int parse(const char *text)
{
	char host[32];
	const char *colon = strchr(text, ':');
	if (!colon || (size_t)(colon - text) >= sizeof host)
		return -1;
	memcpy(host, text, (size_t)(colon - text));
	host[colon - text] = '\0';
	server.sin_family = AF_INET;
	server.sin_port = htons((unsigned short)atoi(colon + 1));
	return inet_pton(AF_INET, host, &server.sin_addr) == 1 ? 0 : -1;
}

int main(int argc, char **argv)
{
	/* A UDP send never raises SIGPIPE; if one did, this would end the run. */
	signal(SIGPIPE, SIG_DFL);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 2 && strcmp(argv[1], "--no-network") == 0) {
		int s = socket(AF_INET, SOCK_DGRAM, 0);
		printf("~ socket without a network capability: %s\n", s < 0 ? errname(errno) : "ok");
		return s < 0 && errno == EACCES ? 0 : 1;
	}
	if (argc == 4 && strcmp(argv[1], "--child") == 0 && parse(argv[3]) == 0)
		return child_main(atoi(argv[2]));
	if (argc != 3 || parse(argv[1]) != 0) {
		fprintf(stderr, "usage: posix-socket ADDRESS:PORT SELF | --child FD ADDRESS:PORT | "
		                "--no-network\n");
		return 2;
	}
	check_kinds();
	check_addresses();
	check_echo();
	check_options();
	check_waiting();
	check_shutdown();
	check_spawn(argv[2], argv[1]);
	printf("posix-socket: done\n");
	return 0;
}
