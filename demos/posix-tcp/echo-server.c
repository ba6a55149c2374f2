/* A TCP echo server in one process: poll over a listener and every
 * connection, non-blocking sockets, bytes echoed as they come, a
 * connection closed once its peer has finished and everything went
 * back. It serves the number of connections its argument says, then
 * prints what it moved and exits (tools/tcp/echo-client.py checks the
 * bytes from the host).
 *
 *   tcp-echo-server PORT CONNECTIONS */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_CONNS 40
#define CHUNK 16384

struct conn {
	int fd;
	/* Received, not yet echoed. */
	char buf[CHUNK];
	size_t len;
	int peer_done;
};

static struct conn conns[MAX_CONNS];
static int nconns;
static unsigned long long moved;

static void drop(int i)
{
	close(conns[i].fd);
	conns[i] = conns[--nconns];
}

/* Reads what it can hold, writes what the socket takes; 0 when the
 * connection is over. */
static int serve(struct conn *c, short revents)
{
	if ((revents & (POLLIN | POLLHUP | POLLERR)) && c->len == 0 && !c->peer_done) {
		long n = recv(c->fd, c->buf, sizeof c->buf, MSG_DONTWAIT);
		if (n > 0)
			c->len = (size_t)n;
		else if (n == 0)
			c->peer_done = 1;
		else if (errno != EAGAIN)
			return 0;
	}
	while (c->len > 0) {
		long n = send(c->fd, c->buf, c->len, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0)
			return errno == EAGAIN;
		memmove(c->buf, c->buf + n, c->len - (size_t)n);
		c->len -= (size_t)n;
		moved += (unsigned long long)n;
	}
	return !c->peer_done;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s PORT CONNECTIONS\n", argv[0]);
		return 2;
	}
	int port = atoi(argv[1]), want = atoi(argv[2]);
	int l = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	int one = 1;
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof a) != 0 || listen(l, 16) != 0) {
		printf("tcp-echo: FAIL listen: %s\n", strerror(errno));
		return 1;
	}
	printf("tcp-echo: listening on port %d for %d connections\n", port, want);
	fflush(stdout);
	int served = 0, most = 0;
	while (served < want || nconns > 0) {
		struct pollfd p[MAX_CONNS + 1];
		p[0] = (struct pollfd){.fd = l, .events = served + nconns < want ? POLLIN : 0};
		for (int i = 0; i < nconns; i++) {
			short ev = conns[i].len ? POLLOUT : POLLIN;
			p[i + 1] = (struct pollfd){.fd = conns[i].fd, .events = ev};
		}
		if (poll(p, (nfds_t)nconns + 1, 60000) <= 0) {
			printf("tcp-echo: FAIL poll: %s\n", errno ? strerror(errno) : "timed out");
			return 1;
		}
		/* Connections first: accepting moves entries. */
		for (int i = nconns - 1; i >= 0; i--) {
			if (p[i + 1].revents && !serve(&conns[i], p[i + 1].revents)) {
				drop(i);
				served++;
			}
		}
		if (p[0].revents & POLLIN) {
			for (;;) {
				int c = accept4(l, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
				if (c < 0)
					break;
				if (nconns == MAX_CONNS) {
					close(c);
					continue;
				}
				setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
				conns[nconns++] = (struct conn){.fd = c};
				if (nconns > most)
					most = nconns;
			}
		}
	}
	close(l);
	printf("tcp-echo: served %d connections, at most %d at once, %llu bytes echoed\n", served,
	       most, moved);
	return 0;
}
