/* TCP from C against the host's peers (tools/net/tcp-peer.py, and
 * python3 -m http.server for the HTTP/1.0 fetch): every line says what
 * was tried and what came back, for tools/smoke/posix-tcp.expect.
 *
 *   tcp-checks HOST HTTP-PORT PEER-BASE SELF
 *   tcp-checks --child FD       (what SELF runs as, spawned) */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static const char *host;
static int peer_base;

static struct sockaddr_in at(int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
	inet_pton(AF_INET, host, &a.sin_addr);
	return a;
}

static int dial(int port)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = at(port);
	if (connect(s, (struct sockaddr *)&a, sizeof a) != 0) {
		int e = errno;
		close(s);
		errno = e;
		return -1;
	}
	return s;
}

static long long now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static int send_all(int s, const void *p, size_t n)
{
	const char *c = p;
	while (n > 0) {
		long k = send(s, c, n, MSG_NOSIGNAL);
		if (k < 0)
			return -1;
		c += k;
		n -= (size_t)k;
	}
	return 0;
}

static uint64_t fnv1a(uint64_t h, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

/* GET path over HTTP/1.0: the body's length and FNV-1a 64 hash; -1 on
 * a failure (printed). */
static long fetch(int port, const char *path, uint64_t *hash, char *small, size_t small_len)
{
	int s = dial(port);
	if (s < 0) {
		printf("tcp: FAIL http connect: %s\n", strerror(errno));
		return -1;
	}
	char req[200];
	int n = snprintf(req, sizeof req, "GET %s HTTP/1.0\r\nHost: %s\r\n\r\n", path, host);
	send_all(s, req, (size_t)n);
	static char buf[65536];
	size_t have = 0, body = 0;
	long got;
	int in_body = 0, status = 0;
	*hash = 0xcbf29ce484222325ULL;
	while ((got = recv(s, buf + have, sizeof buf - have, 0)) > 0) {
		have += (size_t)got;
		if (!in_body) {
			char *end = memmem(buf, have, "\r\n\r\n", 4);
			if (!end)
				continue;
			sscanf(buf, "HTTP/1.%*d %d", &status);
			size_t head = (size_t)(end + 4 - buf);
			memmove(buf, buf + head, have - head);
			have -= head;
			in_body = 1;
		}
		*hash = fnv1a(*hash, (unsigned char *)buf, have);
		if (small && body < small_len) {
			size_t k = have < small_len - body ? have : small_len - body;
			memcpy(small + body, buf, k);
		}
		body += have;
		have = 0;
	}
	close(s);
	if (got < 0 || status != 200) {
		printf("tcp: FAIL http %s: status %d, %s\n", path, status, got < 0 ? strerror(errno) : "");
		return -1;
	}
	return (long)body;
}

static void http(int port)
{
	uint64_t hash, want_hash;
	char want[64] = {0};
	long len = fetch(port, "/blob", &hash, NULL, 0);
	if (len < 0)
		return;
	if (fetch(port, "/blob.fnv", &want_hash, want, sizeof want - 1) < 0)
		return;
	char mine[32];
	snprintf(mine, sizeof mine, "%016llx", (unsigned long long)hash);
	printf("tcp: http: GET /blob: %ld bytes, FNV-1a %s the host's\n", len,
	       strncmp(mine, want, 16) == 0 ? "matches" : "DIFFERS FROM");
}

static void refused(void)
{
	long long t0 = now_ms();
	int s = dial(peer_base + 5);
	printf("tcp: connect to a closed port: %s%s\n", s < 0 ? strerror(errno) : "connected",
	       now_ms() - t0 < 5000 ? "" : " (slowly)");
}

static void nonblocking_connect(void)
{
	int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	struct sockaddr_in a = at(peer_base);
	int r = connect(s, (struct sockaddr *)&a, sizeof a);
	int e = errno;
	struct pollfd p = {.fd = s, .events = POLLOUT};
	int ready = poll(&p, 1, 10000);
	int err = -1;
	socklen_t len = sizeof err;
	getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len);
	printf("tcp: non-blocking connect: %s, then poll %d POLLOUT %s, SO_ERROR %d\n",
	       r == 0 ? "at once" : strerror(e), ready, p.revents & POLLOUT ? "yes" : "no", err);
	/* Then a non-blocking receive with nothing there. */
	char c;
	long n = recv(s, &c, 1, 0);
	printf("tcp: empty non-blocking receive: %s\n", n < 0 ? strerror(errno) : "data?");
	close(s);

	s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	a = at(peer_base + 5);
	connect(s, (struct sockaddr *)&a, sizeof a);
	p = (struct pollfd){.fd = s, .events = POLLOUT};
	poll(&p, 1, 10000);
	err = 0;
	len = sizeof err;
	getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len);
	printf("tcp: non-blocking connect to a closed port: POLLERR %s, SO_ERROR %s\n",
	       p.revents & POLLERR ? "yes" : "no", strerror(err));
	close(s);
}

static void names_and_options(void)
{
	int s = dial(peer_base);
	struct sockaddr_in me, them;
	socklen_t ml = sizeof me, tl = sizeof them;
	getsockname(s, (struct sockaddr *)&me, &ml);
	getpeername(s, (struct sockaddr *)&them, &tl);
	char mine[32], theirs[32];
	inet_ntop(AF_INET, &me.sin_addr, mine, sizeof mine);
	inet_ntop(AF_INET, &them.sin_addr, theirs, sizeof theirs);
	printf("tcp: names: local %s (port %s), peer %s:%d\n", mine, ntohs(me.sin_port) ? "set" : "0",
	       theirs, ntohs(them.sin_port));
	int one = 1, v = 0;
	socklen_t vl = sizeof v;
	setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	getsockopt(s, IPPROTO_TCP, TCP_NODELAY, &v, &vl);
	int nodelay = v;
	setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
	getsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &v, &vl);
	int keepalive = v;
	int type = 0;
	getsockopt(s, SOL_SOCKET, SO_TYPE, &type, &vl);
	struct linger lg = {1, 5}, lg2;
	socklen_t ll = sizeof lg2;
	setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
	getsockopt(s, SOL_SOCKET, SO_LINGER, &lg2, &ll);
	printf("tcp: options: TCP_NODELAY %d, SO_KEEPALIVE %d, SO_TYPE %s, SO_LINGER %d/%d\n", nodelay,
	       keepalive, type == SOCK_STREAM ? "SOCK_STREAM" : "?", lg2.l_onoff, lg2.l_linger);

	/* Half-close: the echo peer sends everything back, then its FIN. */
	send_all(s, "peek and half-close", 19);
	shutdown(s, SHUT_WR);
	char buf[64];
	struct pollfd p = {.fd = s, .events = POLLIN};
	poll(&p, 1, 10000);
	long k = recv(s, buf, 4, MSG_PEEK);
	int pending = 0;
	ioctl(s, FIONREAD, &pending);
	long total = 0, n;
	while ((n = recv(s, buf + total, sizeof buf - (size_t)total, 0)) > 0)
		total += n;
	buf[total] = '\0';
	long w = send(s, "x", 1, MSG_NOSIGNAL);
	int we = errno;
	printf("tcp: peeked %ld, FIONREAD %s, read \"%s\" then the end; a send after SHUT_WR: %s\n", k,
	       pending > 0 ? "> 0" : "0", buf, w < 0 ? strerror(we) : "sent");
	close(s);
}

static void hostile(void)
{
	/* A peer that never sends: SO_RCVTIMEO ends the wait. */
	int s = dial(peer_base + 2);
	struct timeval tv = {0, 300000};
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	char buf[64];
	long long t0 = now_ms();
	long n = recv(s, buf, sizeof buf, 0);
	long long took = now_ms() - t0;
	printf("tcp: silent peer with SO_RCVTIMEO 300 ms: %s after %s\n",
	       n < 0 ? strerror(errno) : "data?", took >= 290 && took < 5000 ? "~300 ms" : "the wrong time");
	close(s);

	/* A peer that resets mid-stream. */
	s = dial(peer_base + 1);
	send_all(s, "hi\n", 3);
	long total = 0;
	while ((n = recv(s, buf, sizeof buf, 0)) > 0)
		total += n;
	int e = errno;
	long again = recv(s, buf, sizeof buf, 0);
	printf("tcp: resetting peer: %ld bytes, then %s, then %s\n", total, n < 0 ? strerror(e) : "end",
	       again == 0 ? "end" : strerror(errno));
	close(s);
}

/* SO_SNDTIMEO and SO_LINGER. A peer that never reads (the stall peer):
 * QEMU's user networking and the host take a few MiB before the window
 * closes, so 1 MiB sends go on until one is cut short by SO_SNDTIMEO;
 * the next finds no room at all. A lingering close then waits its time
 * for the unacknowledged data. The sink reads everything: a lingering
 * close returns as soon as its FIN is acknowledged, and one with a zero
 * time resets the connection (tools/tcp/resets.py finds the RST in
 * QEMU's capture, tools/tcp/smoke.sh). */
static void lingering(void)
{
	enum { CHUNK = 1 << 20 };
	char *chunk = calloc(1, CHUNK);
	int s = dial(peer_base + 8);
	struct timeval tv = {1, 0};
	setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	long n = CHUNK;
	long long t0 = 0;
	for (int i = 0; i < 64 && n == CHUNK; i++) {
		t0 = now_ms();
		n = send(s, chunk, CHUNK, MSG_NOSIGNAL);
	}
	long long took = now_ms() - t0;
	long long t1 = now_ms();
	long again = send(s, chunk, CHUNK, MSG_NOSIGNAL);
	int e = errno;
	long long took_again = now_ms() - t1;
	printf("tcp: SO_SNDTIMEO 1 s into a peer that does not read: %s after %s, then %s after %s\n",
	       n > 0 && n < CHUNK ? "a send cut short" : "no send cut short",
	       took >= 900 && took < 5000 ? "~1 s" : "the wrong time", again < 0 ? strerror(e) : "sent",
	       took_again >= 900 && took_again < 5000 ? "~1 s" : "the wrong time");
	struct linger lg = {1, 1};
	setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
	t0 = now_ms();
	int r = close(s);
	took = now_ms() - t0;
	printf("tcp: SO_LINGER 1 s with unacknowledged data: close %d after %s\n", r,
	       took >= 900 && took < 5000 ? "~1 s" : "the wrong time");
	free(chunk);

	s = dial(peer_base + 6);
	send_all(s, "lingering close\n", 16);
	lg = (struct linger){1, 10};
	setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
	t0 = now_ms();
	r = close(s);
	took = now_ms() - t0;
	printf("tcp: SO_LINGER 10 s to a reading peer: close %d %s\n", r,
	       took < 5000 ? "at once" : "after its time");

	s = dial(peer_base + 6);
	send_all(s, "reset me\n", 9);
	lg = (struct linger){1, 0};
	setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
	printf("tcp: SO_LINGER 0: close %d\n", close(s));
}

/* epoll, level-triggered, over a listener and two connections. */
static void epoll_checks(void)
{
	int ep = epoll_create1(EPOLL_CLOEXEC);
	int l = socket(AF_INET, SOCK_STREAM, 0);
	listen(l, 4);
	int a = dial(peer_base), b = dial(peer_base);
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 1};
	epoll_ctl(ep, EPOLL_CTL_ADD, l, &ev);
	ev = (struct epoll_event){.events = EPOLLIN, .data.u64 = 2};
	epoll_ctl(ep, EPOLL_CTL_ADD, a, &ev);
	ev = (struct epoll_event){.events = EPOLLIN | EPOLLONESHOT, .data.u64 = 3};
	epoll_ctl(ep, EPOLL_CTL_ADD, b, &ev);
	int again = epoll_ctl(ep, EPOLL_CTL_ADD, a, &ev) < 0 ? errno : 0;
	ev.events = EPOLLIN | EPOLLET;
	int et = epoll_ctl(ep, EPOLL_CTL_MOD, a, &ev) < 0 ? errno : 0;
	struct epoll_event out[4];
	int idle = epoll_wait(ep, out, 4, 0);
	send_all(b, "x", 1);
	int n = epoll_wait(ep, out, 4, 10000);
	unsigned long long which = n == 1 ? out[0].data.u64 : 0;
	/* Level-triggered: still readable, but b was one-shot. */
	send_all(a, "y", 1);
	struct pollfd p = {.fd = a, .events = POLLIN};
	poll(&p, 1, 10000);
	int m = epoll_wait(ep, out, 4, 10000);
	unsigned long long seen = 0;
	for (int i = 0; i < m; i++)
		seen |= 1ULL << out[i].data.u64;
	close(a);
	int after_close = epoll_wait(ep, out, 4, 0);
	printf("tcp: epoll: idle %d; b readable: %d event, data %llu; then %d event(s) (a%s, b%s); "
	       "EEXIST %s, EPOLLET %s; after closing a: %d\n",
	       idle, n, which, m, seen & 4 ? "" : " missing", seen & 8 ? " again?" : " disarmed",
	       again == EEXIST ? "yes" : "no", et == EINVAL ? "EINVAL" : "accepted", after_close);
	close(b);
	close(l);
	close(ep);
}

/* A connected socket crossing posix_spawn: the child sends through it,
 * and the echo comes back to the parent, which holds the same
 * connection. */
static void spawned(const char *self)
{
	int s = dial(peer_base);
	char fdtext[16], buf[64];
	snprintf(fdtext, sizeof fdtext, "%d", s);
	char *const argv[] = {"tcp-checks", "--child", fdtext, NULL};
	pid_t pid;
	int status = -1;
	fflush(stdout);
	int r = posix_spawn(&pid, self, NULL, NULL, argv, environ);
	if (r == 0)
		waitpid(pid, &status, 0);
	long n = recv(s, buf, 17, MSG_WAITALL);
	buf[n > 0 ? n : 0] = '\0';
	/* The connection outlives the child's copy. */
	char more[8] = {0};
	send_all(s, "parent", 6);
	long m = recv(s, more, 6, MSG_WAITALL);
	printf("tcp: posix_spawn with a connected socket: %s, child exited %d, the parent read \"%s\", "
	       "then \"%s\" after the child's exit\n",
	       r ? strerror(r) : "ok", WIFEXITED(status) ? WEXITSTATUS(status) : -1, buf,
	       m == 6 ? more : "nothing");
	close(s);
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--child") == 0)
		return send(atoi(argv[2]), "sent by the child", 17, MSG_NOSIGNAL) == 17 ? 0 : 1;
	if (argc != 5) {
		fprintf(stderr, "usage: %s HOST HTTP-PORT PEER-BASE SELF\n", argv[0]);
		return 2;
	}
	host = argv[1];
	peer_base = atoi(argv[3]);
	http(atoi(argv[2]));
	refused();
	nonblocking_connect();
	names_and_options();
	hostile();
	lingering();
	epoll_checks();
	spawned(argv[4]);
	printf("tcp: checks done\n");
	return 0;
}
