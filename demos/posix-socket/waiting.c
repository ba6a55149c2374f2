/* Waiting: O_NONBLOCK set by fcntl, MSG_DONTWAIT, SO_RCVTIMEO, and poll and
 * select over a socket, a pipe and standard output together. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <sys/select.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "demo.h"

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void revents(const char *what, short r)
{
	printf("%s:%s%s%s%s%s\n", what, r & POLLIN ? " POLLIN" : "", r & POLLOUT ? " POLLOUT" : "",
	       r & POLLHUP ? " POLLHUP" : "", r & POLLERR ? " POLLERR" : "",
	       r ? "" : " none");
}

void check_waiting(void)
{
	int s = udp_socket(0), p[2];
	char buf[64];
	connect(s, (struct sockaddr *)&server, sizeof server);

	show("set O_NONBLOCK", fcntl(s, F_SETFL, fcntl(s, F_GETFL) | O_NONBLOCK));
	show("recv with nothing queued", recv(s, buf, sizeof buf, 0));
	show("clear O_NONBLOCK", fcntl(s, F_SETFL, fcntl(s, F_GETFL) & ~O_NONBLOCK));
	show("recv with MSG_DONTWAIT", recv(s, buf, sizeof buf, MSG_DONTWAIT));
	struct timeval tv = {0, 200000};
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	long t0 = now_ms();
	show("recv with SO_RCVTIMEO of 200 ms", recv(s, buf, sizeof buf, 0));
	yes("  waited at least 150 ms", now_ms() - t0 >= 150);
	tv = (struct timeval){0, 0};
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);

	if (pipe(p) != 0) {
		show("FAIL: pipe", -1);
		return;
	}
	write(p[1], "x", 1);
	struct pollfd fds[] = {
		{.fd = s, .events = POLLIN | POLLOUT},
		{.fd = p[0], .events = POLLIN},
		{.fd = 1, .events = POLLOUT},
	};
	show("poll of a socket, a pipe and stdout", poll(fds, 3, 0));
	revents("  socket", fds[0].revents);
	revents("  pipe", fds[1].revents);
	revents("  stdout", fds[2].revents);
	struct pollfd one = {.fd = s, .events = POLLIN};
	show("poll of the socket alone for 100 ms", poll(&one, 1, 100));
	send(s, "poll me", 7, 0);
	show("poll after the echo server was sent a datagram", poll(&one, 1, 5000));
	revents("  socket", one.revents);
	show("  and poll again", poll(&one, 1, 0));
	show("recv", recv(s, buf, sizeof buf, 0));

	fd_set rd;
	FD_ZERO(&rd);
	FD_SET(s, &rd);
	FD_SET(p[0], &rd);
	struct timeval zero = {0, 0};
	show("select for reading, socket and pipe", select((s > p[0] ? s : p[0]) + 1, &rd, NULL, NULL, &zero));
	yes("  the socket", FD_ISSET(s, &rd));
	yes("  the pipe", FD_ISSET(p[0], &rd));
	send(s, "select me", 9, 0);
	FD_ZERO(&rd);
	FD_SET(s, &rd);
	struct timeval five = {5, 0};
	show("select after the echo server was sent a datagram", select(s + 1, &rd, NULL, NULL, &five));
	yes("  the socket", FD_ISSET(s, &rd));
	show("recv", recv(s, buf, sizeof buf, 0));
	close(p[0]);
	close(p[1]);
	close(s);
}
