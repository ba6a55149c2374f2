/*
 * capOS replacement for musl's src/process/posix_spawn.c, which clones a
 * child that runs the file actions and execs. capOS cannot clone: a
 * program starts through ProcessSpawner. So posix_spawn collects the
 * file actions (oldest first) and the attributes into one request for
 * libcapos-posix (__capos_spawn), which applies the actions to a copy of
 * the descriptor table (an open runs there, through this process's
 * namespace) and spawns the manifest binary the path names (searched
 * for in PATH for posix_spawnp).
 * Nothing runs in this address space on the child's behalf.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include "capos_spawn.h"
#include "fdop.h"

int __capos_posix_spawn(pid_t *restrict res, const char *restrict path,
	const posix_spawn_file_actions_t *fa, const posix_spawnattr_t *restrict attr,
	char *const argv[restrict], char *const envp[restrict], int search)
{
	struct fdop *op, *oldest = 0;
	size_t n = 0, i = 0;
	struct capos_spawn_action *actions = 0;
	struct capos_spawn_request req = {
		.path = path,
		.search = search,
		.argv = argv,
		.envp = envp,
	};
	int ec;

	if (attr) {
		req.flags = attr->__flags;
		req.pgroup = attr->__pgrp;
		/* Signals 1..64: the first 8 bytes of musl's sigset_t. */
		memcpy(&req.sigdefault, &attr->__def, sizeof req.sigdefault);
		memcpy(&req.sigmask, &attr->__mask, sizeof req.sigmask);
	}
	/* The list is newest first; the actions apply oldest first. */
	if (fa)
		for (op = fa->__actions; op; op = op->next, n++)
			oldest = op;
	if (n) {
		actions = malloc(n * sizeof *actions);
		if (!actions) return ENOMEM;
		for (op = oldest; op; op = op->prev, i++) {
			actions[i].cmd = op->cmd;
			actions[i].fd = op->fd;
			actions[i].srcfd = op->srcfd;
			actions[i].oflag = op->oflag;
			actions[i].mode = op->mode;
			actions[i].path = op->cmd == FDOP_OPEN || op->cmd == FDOP_CHDIR ? op->path : 0;
		}
	}
	if (search) req.pathvar = getenv("PATH");
	req.actions = actions;
	req.nactions = n;
	ec = __capos_spawn(res, &req);
	free(actions);
	return ec;
}

int posix_spawn(pid_t *restrict res, const char *restrict path,
	const posix_spawn_file_actions_t *fa,
	const posix_spawnattr_t *restrict attr,
	char *const argv[restrict], char *const envp[restrict])
{
	return __capos_posix_spawn(res, path, fa, attr, argv, envp, 0);
}
