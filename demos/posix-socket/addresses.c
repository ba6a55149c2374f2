/* Addresses: what bind, connect and sendto accept, and what getsockname
 * and getpeername report. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "demo.h"

static struct sockaddr_in at(const char *ip, int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
	inet_pton(AF_INET, ip, &a.sin_addr);
	return a;
}

/* The socket's own address: family, whether port and address are set. */
static void own(const char *what, int s)
{
	struct sockaddr_in a;
	socklen_t len = sizeof a;
	memset(&a, 0xff, sizeof a);
	if (getsockname(s, (struct sockaddr *)&a, &len) != 0) {
		show(what, -1);
		return;
	}
	printf("%s: length %u, AF_INET %s, port %s, address %s\n", what, (unsigned)len,
	       a.sin_family == AF_INET ? "yes" : "no", a.sin_port ? "set" : "0",
	       a.sin_addr.s_addr ? "set" : "any");
}

void check_addresses(void)
{
	int s = udp_socket(0);
	struct sockaddr_in any = at("0.0.0.0", 0), a;
	struct sockaddr_in6 six = {.sin6_family = AF_INET6};
	socklen_t len;

	own("unbound socket's name", s);
	show("bind with a length of 8", bind(s, (struct sockaddr *)&any, 8));
	show("bind with a length of 200", bind(s, (struct sockaddr *)&any, 200));
	show("bind to NULL", bind(s, NULL, sizeof any));
	show("bind to an AF_INET6 address", bind(s, (struct sockaddr *)&six, sizeof any));
	struct sockaddr_in foreign = at("10.9.9.9", 0);
	show("bind to an address not the machine's", bind(s, (struct sockaddr *)&foreign, sizeof foreign));
	show("bind to any address, any port", bind(s, (struct sockaddr *)&any, sizeof any));
	own("bound socket's name", s);
	show("bind again", bind(s, (struct sockaddr *)&any, sizeof any));

	/* The same port for a second socket. */
	len = sizeof a;
	getsockname(s, (struct sockaddr *)&a, &len);
	int t = udp_socket(0);
	show("bind a second socket to the same port", bind(t, (struct sockaddr *)&a, sizeof a));
	int on = 1;
	setsockopt(t, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
	errno = 0;
	int r = bind(t, (struct sockaddr *)&a, sizeof a);
	/* Linux shares the port only if both set SO_REUSEADDR. */
	show("  with SO_REUSEADDR on the second only", r);
	close(t);

	show("getpeername of an unconnected socket",
	     getpeername(s, (struct sockaddr *)&a, &(socklen_t){sizeof a}));
	show("getsockname with a NULL length", getsockname(s, (struct sockaddr *)&a, NULL));
	len = 4;
	show("getsockname into 4 bytes", getsockname(s, (struct sockaddr *)&a, &len));
	printf("  reports the full length: %u\n", (unsigned)len);

	show("connect with a length of 1", connect(s, (struct sockaddr *)&server, 1));
	show("connect to an AF_INET6 address",
	     connect(s, (struct sockaddr *)&six, sizeof six));
	show("sendto port 0", sendto(s, "x", 1, 0, (struct sockaddr *)&(struct sockaddr_in){
	                                                   .sin_family = AF_INET,
	                                                   .sin_addr = server.sin_addr},
	                                     sizeof server));
	show("sendto with an address of 8 bytes",
	     sendto(s, "x", 1, 0, (struct sockaddr *)&server, 8));
	show("send on an unconnected socket", send(s, "x", 1, 0));
	static char big[70000];
	show("sendto 70000 bytes", sendto(s, big, sizeof big, 0, (struct sockaddr *)&server,
	                                  sizeof server));
	long sent = sendto(s, big, 1473, 0, (struct sockaddr *)&server, sizeof server);
	printf("~ sendto 1473 bytes: %s\n", sent < 0 ? errname(errno) : "sent");
	if (sent > 0) {
		char back[2000];
		recv(s, back, sizeof back, 0);
	}
	struct sockaddr_in loop = at("127.0.0.1", 9);
	r = connect(s, (struct sockaddr *)&loop, sizeof loop);
	printf("~ connect to 127.0.0.1: %s\n", r < 0 ? errname(errno) : "ok");
	show("listen", listen(s, 1));
	show("accept", accept(s, NULL, NULL));
	close(s);
}
