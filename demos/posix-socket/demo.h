/* posix-socket: every socket call libcapos-posix implements, checked
 * against a UDP echo server, one line per Linux-visible behaviour. The
 * same program built with the host's musl-gcc runs on Linux, and the two
 * outputs are compared line for line (tools/smoke/posix-socket.diff.sh);
 * lines starting "~ " say what differs by design (what capOS refuses that
 * Linux does) and are left out of the comparison.
 *
 *   posix-socket ADDRESS:PORT SELF  the echo server (tools/net/udp-echo.py),
 *                                   and this program's path, to spawn it
 *   posix-socket --child FD ADDRESS:PORT
 *                                   the spawned child: sends through FD
 *   posix-socket --no-network       capOS only: socket() without the
 *                                   "network" capability
 */
#ifndef POSIX_SOCKET_DEMO_H
#define POSIX_SOCKET_DEMO_H

#include <netinet/in.h>
#include <stddef.h>
#include <sys/socket.h>

/* The echo server. */
extern struct sockaddr_in server;

/* Prints "WHAT: RESULT": the value, or the errno's name if `r` is -1. */
void show(const char *what, long r);
/* Prints "WHAT: yes" or "WHAT: no". */
void yes(const char *what, int truth);
/* The symbolic name of an errno value (EAGAIN, ...). */
const char *errname(int e);
/* A datagram socket, or the program ends with a FAIL line. */
int udp_socket(int flags);
/* Whether `a` is the echo server's address. */
int is_server(const struct sockaddr_in *a, socklen_t len);

void check_kinds(void);     /* kinds.c: socket()'s arguments */
void check_addresses(void); /* addresses.c: bind, connect, names */
void check_echo(void);      /* echo.c: data in and out */
void check_options(void);   /* options.c: setsockopt, getsockopt */
void check_waiting(void);   /* waiting.c: O_NONBLOCK, timeouts, poll, select */
void check_shutdown(void);  /* shutdown.c: shutdown, close, other descriptors */
void check_spawn(const char *self, const char *server_text); /* spawn.c */
int child_main(int fd);     /* spawn.c: the spawned child */

#endif
