/* A socket crossing posix_spawn: the child gets the descriptor (no
 * close-on-exec), sends through it, and the echo comes back to the parent,
 * since both hold the one socket and its port. On capOS a connected
 * socket does not cross (its association stays in the process that
 * made it), which is the "~ " line. */
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "demo.h"

extern char **environ;

/* posix-socket --child FD ADDRESS:PORT: one datagram through FD. It
 * prints nothing (its lines and the parent's could come in either order);
 * its exit status says how the send went. */
int child_main(int fd)
{
	long n = sendto(fd, "sent by the child", 17, 0, (struct sockaddr *)&server, sizeof server);
	return n == 17 ? 0 : n < 0 ? 2 : 1;
}

static int spawn_child(const char *self, const char *server_text, int fd, pid_t *pid)
{
	char fdtext[16];
	snprintf(fdtext, sizeof fdtext, "%d", fd);
	char *const argv[] = {"posix-socket", "--child", fdtext, (char *)server_text, NULL};
	fflush(stdout);
	return posix_spawn(pid, self, NULL, NULL, argv, environ);
}

void check_spawn(const char *self, const char *server_text)
{
	int s = udp_socket(0), status = 0;
	char buf[64];
	pid_t pid;

	int r = spawn_child(self, server_text, s, &pid);
	show("posix_spawn with the socket open", r ? (errno = r, -1) : 0);
	if (r == 0) {
		waitpid(pid, &status, 0);
		printf("  child exited %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		long n = recv(s, buf, sizeof buf - 1, 0);
		buf[n > 0 ? n : 0] = '\0';
		printf("  the echo reached the parent: %ld bytes \"%s\"\n", n, buf);
	}

	connect(s, (struct sockaddr *)&server, sizeof server);
	r = spawn_child(self, server_text, s, &pid);
	printf("~ posix_spawn with the socket connected: %s\n", r ? errname(r) : "ok");
	if (r == 0) {
		waitpid(pid, &status, 0);
		recv(s, buf, sizeof buf, 0);
	}
	close(s);
}
