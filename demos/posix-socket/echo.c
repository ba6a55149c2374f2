/* Datagrams to the echo server and back: sendto/recvfrom, connect with
 * send/recv and write/read, MSG_PEEK, truncation and MSG_TRUNC, sendmsg
 * gathering and recvmsg scattering, FIONREAD, empty datagrams,
 * dissolving. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

#include "demo.h"

/* Receives one datagram and prints it. */
static void got(const char *what, int s, int flags)
{
	char buf[200];
	long n = recv(s, buf, sizeof buf - 1, flags);
	if (n < 0) {
		show(what, -1);
		return;
	}
	buf[n] = '\0';
	printf("%s: %ld bytes \"%s\"\n", what, n, buf);
}

void check_echo(void)
{
	int s = udp_socket(0);
	char buf[200];
	struct sockaddr_in from;
	socklen_t len;

	show("sendto the echo server", sendto(s, "ping 1", 6, 0, (struct sockaddr *)&server,
	                                      sizeof server));
	len = sizeof from;
	long n = recvfrom(s, buf, sizeof buf, 0, (struct sockaddr *)&from, &len);
	show("recvfrom", n);
	yes("  from the echo server", is_server(&from, len));
	yes("  the same bytes", n == 6 && memcmp(buf, "ping 1", 6) == 0);
	sendto(s, "ping 2", 6, 0, (struct sockaddr *)&server, sizeof server);
	len = 4;
	n = recvfrom(s, buf, sizeof buf, 0, (struct sockaddr *)&from, &len);
	printf("recvfrom into a 4-byte address: %ld bytes, length reported %u\n", n, (unsigned)len);

	show("connect to the echo server", connect(s, (struct sockaddr *)&server, sizeof server));
	len = sizeof from;
	show("getpeername", getpeername(s, (struct sockaddr *)&from, &len));
	yes("  is the echo server", is_server(&from, len));
	show("send", send(s, "ping 3", 6, 0));
	got("recv", s, 0);
	show("write", write(s, "ping 4", 6));
	n = read(s, buf, sizeof buf);
	printf("read: %ld bytes\n", n);

	send(s, "peek me", 7, 0);
	got("recv with MSG_PEEK", s, MSG_PEEK);
	got("recv with MSG_PEEK again", s, MSG_PEEK);
	got("recv", s, 0);
	got("recv with MSG_DONTWAIT, nothing left", s, MSG_DONTWAIT);

	static const char hundred[100] = "a datagram of 100 bytes";
	send(s, hundred, sizeof hundred, 0);
	show("recv of 100 bytes into 10", recv(s, buf, 10, 0));
	show("  the rest is gone (MSG_DONTWAIT)", recv(s, buf, sizeof buf, MSG_DONTWAIT));
	send(s, hundred, sizeof hundred, 0);
	show("recv of 100 bytes into 10 with MSG_TRUNC", recv(s, buf, 10, MSG_TRUNC));
	send(s, hundred, sizeof hundred, 0);
	struct iovec small = {buf, 10};
	struct msghdr m = {.msg_iov = &small, .msg_iovlen = 1};
	show("recvmsg of 100 bytes into 10", recvmsg(s, &m, 0));
	yes("  msg_flags has MSG_TRUNC", (m.msg_flags & MSG_TRUNC) != 0);

	char ab[] = "ab", cde[] = "cde";
	struct iovec out[] = {{ab, 2}, {NULL, 0}, {cde, 3}};
	struct msghdr sm = {.msg_iov = out, .msg_iovlen = 3};
	show("sendmsg of 2+0+3 bytes", sendmsg(s, &sm, 0));
	char first[2], second[10] = {0};
	struct iovec in[] = {{first, 2}, {second, sizeof second}};
	char control[64];
	struct msghdr rm = {.msg_name = &from, .msg_namelen = sizeof from, .msg_iov = in,
	                    .msg_iovlen = 2, .msg_control = control,
	                    .msg_controllen = sizeof control};
	show("recvmsg into 2+10 bytes", recvmsg(s, &rm, 0));
	printf("  parts \"%.2s\" \"%s\", msg_controllen %zu, msg_flags %d\n", first, second,
	       (size_t)rm.msg_controllen, rm.msg_flags);
	yes("  msg_name is the echo server", is_server(&from, rm.msg_namelen));
	struct msghdr to = {.msg_name = &server, .msg_namelen = sizeof server, .msg_iov = out,
	                    .msg_iovlen = 1};
	show("sendmsg with an address", sendmsg(s, &to, 0));
	got("recv", s, 0);

	int queued = -1;
	show("FIONREAD with nothing queued", ioctl(s, FIONREAD, &queued));
	printf("  gives %d\n", queued);
	send(s, "after a read of 0", 17, 0);
	struct pollfd in_wait = {.fd = s, .events = POLLIN};
	poll(&in_wait, 1, 5000);
	show("FIONREAD with a datagram queued", ioctl(s, FIONREAD, &queued));
	printf("  gives %d\n", queued);
	show("read of 0 bytes", read(s, buf, 0));
	got("  the datagram is still there", s, 0);
	show("send of 0 bytes", send(s, "", 0, 0));
	show("recv of the empty datagram", recv(s, buf, sizeof buf, 0));

	struct sockaddr unspec = {.sa_family = AF_UNSPEC};
	show("connect to AF_UNSPEC", connect(s, &unspec, sizeof unspec));
	show("getpeername after", getpeername(s, (struct sockaddr *)&from, &(socklen_t){sizeof from}));
	show("send after", send(s, "x", 1, 0));
	close(s);
}
