/*
 * capOS: the request posix_spawn and posix_spawnp hand to libcapos-posix
 * (libcapos-posix/src/process/posix_spawn.rs, whose #[repr(C)] structs
 * mirror these field for field).
 */
#ifndef CAPOS_SPAWN_H
#define CAPOS_SPAWN_H

#include <spawn.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct capos_spawn_action {
	int cmd, fd, srcfd, oflag;
	mode_t mode;
	/* addopen's path; NULL for the other commands. */
	const char *path;
};

struct capos_spawn_request {
	const char *path;
	int search;
	int flags;
	int pgroup;
	uint64_t sigdefault, sigmask;
	const struct capos_spawn_action *actions;
	size_t nactions;
	char *const *argv, *const *envp;
	/* posix_spawnp: the caller's PATH (getenv), or NULL. */
	const char *pathvar;
};

/* 0 with the child's pid in *pid, or an errno. */
int __capos_spawn(pid_t *, const struct capos_spawn_request *);

hidden int __capos_posix_spawn(pid_t *restrict, const char *restrict,
	const posix_spawn_file_actions_t *, const posix_spawnattr_t *restrict,
	char *const *restrict, char *const *restrict, int search);

#endif
