/* shutdown, close, and socket calls on descriptors that are not sockets. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <unistd.h>

#include "demo.h"

void check_shutdown(void)
{
	int s = udp_socket(0), p[2];
	char buf[16];

	show("shutdown of an unconnected socket (SHUT_WR)", shutdown(s, SHUT_WR));
	show("sendto after (no SIGPIPE)", sendto(s, "x", 1, 0, (struct sockaddr *)&server,
	                                         sizeof server));
	show("shutdown with how 99", shutdown(s, 99));
	close(s);

	s = udp_socket(0);
	connect(s, (struct sockaddr *)&server, sizeof server);
	show("shutdown of a connected socket (SHUT_RD)", shutdown(s, SHUT_RD));
	show("recv after", recv(s, buf, sizeof buf, 0));
	show("recv with MSG_DONTWAIT after", recv(s, buf, sizeof buf, MSG_DONTWAIT));
	struct pollfd one = {.fd = s, .events = POLLIN | POLLRDHUP};
	poll(&one, 1, 0);
	printf("  poll: POLLIN %s, POLLRDHUP %s, POLLHUP %s\n", one.revents & POLLIN ? "yes" : "no",
	       one.revents & POLLRDHUP ? "yes" : "no", one.revents & POLLHUP ? "yes" : "no");
	show("send after", send(s, "x", 1, 0));
	char back[4];
	recv(s, back, sizeof back, MSG_DONTWAIT);
	show("shutdown SHUT_RDWR", shutdown(s, SHUT_RDWR));
	poll(&one, 1, 0);
	printf("  poll: POLLHUP %s\n", one.revents & POLLHUP ? "yes" : "no");
	show("send after", send(s, "x", 1, 0));
	show("close", close(s));
	show("close again", close(s));
	show("send on a closed descriptor", send(s, "x", 1, 0));

	pipe(p);
	show("send on a pipe", send(p[1], "x", 1, 0));
	show("getsockopt on a pipe", getsockopt(p[0], SOL_SOCKET, SO_TYPE, buf, &(socklen_t){4}));
	show("shutdown of a pipe", shutdown(p[0], SHUT_RD));
	close(p[0]);
	close(p[1]);
}
