/* socket(): the family, type, flags and protocol. capOS has UDP and TCP
 * over IPv4 only, so other families and types are its refusals ("~ "
 * lines). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/un.h>
#include <unistd.h>

#include "demo.h"

static void refused(const char *what, int family, int type)
{
	int s = socket(family, type, 0);
	printf("~ %s: %s\n", what, s < 0 ? errname(errno) : "ok");
	if (s >= 0)
		close(s);
}

void check_kinds(void)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	yes("socket(AF_INET, SOCK_DGRAM)", s >= 0);
	yes("  is close-on-exec", fcntl(s, F_GETFD) == FD_CLOEXEC);
	close(s);
	s = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
	yes("socket(.., SOCK_DGRAM|SOCK_NONBLOCK|SOCK_CLOEXEC, IPPROTO_UDP)", s >= 0);
	yes("  is close-on-exec", fcntl(s, F_GETFD) == FD_CLOEXEC);
	yes("  is non-blocking", (fcntl(s, F_GETFL) & O_NONBLOCK) != 0);
	yes("  is read-write", (fcntl(s, F_GETFL) & O_ACCMODE) == O_RDWR);
	close(s);

	show("socket with an unknown flag", socket(AF_INET, SOCK_DGRAM | 0x10, 0));
	show("socket of type 11", socket(AF_INET, 11, 0));
	show("socket of family 9999", socket(9999, SOCK_DGRAM, 0));
	show("datagram socket with protocol TCP", socket(AF_INET, SOCK_DGRAM, IPPROTO_TCP));
	show("socket with protocol 256", socket(AF_INET, SOCK_DGRAM, 256));
	show("socket with protocol 1000", socket(AF_INET, SOCK_DGRAM, 1000));

	refused("socket(AF_INET6, SOCK_DGRAM)", AF_INET6, SOCK_DGRAM);
	s = socket(AF_INET, SOCK_STREAM, 0);
	yes("socket(AF_INET, SOCK_STREAM)", s >= 0);
	close(s);
	refused("socket(AF_INET, SOCK_RAW)", AF_INET, SOCK_RAW);
	refused("socket(AF_UNIX, SOCK_DGRAM)", AF_UNIX, SOCK_DGRAM);
}
