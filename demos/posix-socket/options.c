/* Socket options: what can be set and read back, and what is refused. */
#include <errno.h>
#include <stdio.h>
#include <sys/time.h>
#include <unistd.h>

#include "demo.h"

static void int_option(int s, const char *what, int name)
{
	int v = -1;
	socklen_t len = sizeof v;
	if (getsockopt(s, SOL_SOCKET, name, &v, &len) != 0)
		show(what, -1);
	else
		printf("%s: %d (length %u)\n", what, v, (unsigned)len);
}

static void timeval_option(int s, const char *what, int name)
{
	struct timeval tv = {-1, -1};
	socklen_t len = sizeof tv;
	if (getsockopt(s, SOL_SOCKET, name, &tv, &len) != 0)
		show(what, -1);
	else
		printf("%s: %ld s %ld us (length %u)\n", what, (long)tv.tv_sec, (long)tv.tv_usec,
		       (unsigned)len);
}

void check_options(void)
{
	int s = udp_socket(0), on = 1;
	int_option(s, "SO_TYPE", SO_TYPE);
	int_option(s, "SO_ERROR", SO_ERROR);
	int_option(s, "SO_DOMAIN", SO_DOMAIN);
	int_option(s, "SO_PROTOCOL", SO_PROTOCOL);
	int_option(s, "SO_ACCEPTCONN", SO_ACCEPTCONN);
	int_option(s, "SO_REUSEADDR", SO_REUSEADDR);
	show("set SO_REUSEADDR", setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on));
	int_option(s, "SO_REUSEADDR", SO_REUSEADDR);
	timeval_option(s, "SO_RCVTIMEO", SO_RCVTIMEO);
	/* Whole milliseconds of 4: Linux keeps them in jiffies. */
	struct timeval tv = {1, 500000};
	show("set SO_RCVTIMEO to 1.5 s", setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
	timeval_option(s, "SO_RCVTIMEO", SO_RCVTIMEO);
	tv = (struct timeval){2, 0};
	show("set SO_SNDTIMEO to 2 s", setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv));
	timeval_option(s, "SO_SNDTIMEO", SO_SNDTIMEO);
	tv = (struct timeval){1, 1000000};
	show("set SO_RCVTIMEO with 1000000 us", setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
	show("set SO_RCVTIMEO from 4 bytes", setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &on, sizeof on));
	show("set SO_REUSEADDR from 2 bytes", setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &on, 2));
	show("set SO_REUSEADDR from NULL", setsockopt(s, SOL_SOCKET, SO_REUSEADDR, NULL, sizeof on));
	show("set SO_TYPE", setsockopt(s, SOL_SOCKET, SO_TYPE, &on, sizeof on));
	show("get option 9999", getsockopt(s, SOL_SOCKET, 9999, &on, &(socklen_t){sizeof on}));
	show("get SO_TYPE with a NULL length", getsockopt(s, SOL_SOCKET, SO_TYPE, &on, NULL));
	short two = 0;
	socklen_t len = sizeof two;
	show("get SO_TYPE into 2 bytes", getsockopt(s, SOL_SOCKET, SO_TYPE, &two, &len));
	printf("  gives %d, length %u\n", two, (unsigned)len);

	int r = setsockopt(s, SOL_SOCKET, SO_BROADCAST, &on, sizeof on);
	printf("~ set SO_BROADCAST: %s\n", r < 0 ? errname(errno) : "ok");
	r = setsockopt(s, SOL_SOCKET, SO_RCVBUF, &(int){65536}, sizeof(int));
	printf("~ set SO_RCVBUF: %s\n", r < 0 ? errname(errno) : "ok");
	int v = 0;
	r = getsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, &(socklen_t){sizeof v});
	printf("~ SO_RCVBUF: %d\n", r < 0 ? -errno : v);
	r = setsockopt(s, IPPROTO_IP, IP_TTL, &(int){16}, sizeof(int));
	printf("~ set IP_TTL: %s\n", r < 0 ? errname(errno) : "ok");
	close(s);
}
