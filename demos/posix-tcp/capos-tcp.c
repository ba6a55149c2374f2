/* libcapos's TCP calls (<capos/capos.h>, capos_tcp_*) from C, beside
 * POSIX: the program prints with stdio, and reaches the host's peers
 * (tools/net/tcp-peer.py) through a NetworkManager it takes by name as
 * "tcp-net" (libcapos-posix holds "network" for its sockets). Every line
 * says what was tried and the code or bytes that came back, for
 * tools/smoke/posix-tcp.expect.
 *
 *   capos-tcp PEER-BASE */
#include <capos/capos.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static capos_udp_endpoint peer(int port)
{
	return (capos_udp_endpoint){.addr = 0x0a000202, .port = (uint16_t)port};
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s PEER-BASE\n", argv[0]);
		return 2;
	}
	int base = atoi(argv[1]);
	uint32_t net;
	uint64_t iface;
	int32_t rc = capos_capset_get("tcp-net", &net, &iface);
	if (rc != 0) {
		printf("capos-tcp: FAIL: no \"tcp-net\": %s\n", capos_error_name(rc));
		return 1;
	}

	/* The echo peer: bytes there and back, then an orderly end. */
	capos_udp_endpoint to = peer(base), local, remote;
	uint32_t c;
	rc = capos_tcp_connect(net, &to, 0, &c);
	capos_tcp_addresses(c, &local, &remote);
	const char msg[] = "through capos_tcp_send";
	size_t sent = 0, got = 0, n;
	capos_tcp_send(c, msg, sizeof msg - 1, 0, 0, &sent);
	char buf[64];
	while (got < sent && capos_tcp_recv(c, buf + got, sizeof buf - got, 0, 0, &n) == 0 && n > 0)
		got += n;
	buf[got] = '\0';
	int32_t shut = capos_tcp_shutdown(c, CAPOS_TCP_SHUT_WRITE);
	int32_t end = capos_tcp_recv(c, buf + got, sizeof buf - got, 0, 0, &n);
	size_t after = n;
	uint32_t finished = 0;
	int32_t closed = capos_tcp_close_linger(c, 0, 5000000000ULL, &finished);
	printf("capos-tcp: echo: connect %s, local port %s, peer port %u; sent %zu, read \"%s\"; shutdown %s, "
	       "then %s with %zu bytes (the end); lingering close %s, finished %u\n",
	       capos_error_name(rc), local.port ? "set" : "0", remote.port, sent, buf,
	       capos_error_name(shut), capos_error_name(end), after, capos_error_name(closed), finished);
	capos_release(c);

	/* Nothing listens there. */
	to = peer(base + 5);
	rc = capos_tcp_connect(net, &to, 0, &c);
	printf("capos-tcp: a closed port: %s\n", capos_error_name(rc));

	/* The silent peer: a receive with a timeout, then a peek without
	 * waiting, then a reset instead of a close. */
	to = peer(base + 2);
	capos_tcp_connect(net, &to, 0, &c);
	int32_t timed = capos_tcp_recv(c, buf, sizeof buf, 0, 300000000ULL, &n);
	int32_t peeked = capos_tcp_recv(c, buf, sizeof buf, CAPOS_TCP_NOWAIT | CAPOS_TCP_PEEK, 0, &n);
	uint32_t state = 0;
	capos_tcp_ready(c, CAPOS_TCP_WRITABLE, &state);
	int32_t aborted = capos_tcp_close_linger(c, 1, 0, &finished);
	int32_t later = capos_tcp_send(c, "x", 1, 0, 0, &sent);
	printf("capos-tcp: silent peer: receive for 300 ms %s, peek %s, ready %s%s; reset %s, then a send %s\n",
	       capos_error_name(timed), capos_error_name(peeked),
	       state & CAPOS_TCP_WRITABLE ? "writable" : "not writable",
	       state & CAPOS_TCP_ESTABLISHED ? " established" : "", capos_error_name(aborted),
	       capos_error_name(later));
	capos_release(c);

	/* A listener nobody connects to. */
	uint32_t l;
	rc = capos_tcp_listen(net, 0, 2, &l);
	capos_udp_endpoint at;
	capos_tcp_listener_address(l, &at);
	int32_t none = capos_tcp_accept(l, CAPOS_TCP_NOWAIT, &c);
	capos_tcp_listener_close(l);
	int32_t gone = capos_tcp_accept(l, 0, &c);
	printf("capos-tcp: listener: %s on port %s; accept now %s; after its close %s\n",
	       capos_error_name(rc), at.port ? "set" : "0", capos_error_name(none), capos_error_name(gone));
	capos_release(l);
	printf("capos-tcp: done\n");
	return 0;
}
