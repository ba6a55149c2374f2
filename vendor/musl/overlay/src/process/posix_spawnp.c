/*
 * capOS replacement for musl's src/process/posix_spawnp.c, which runs
 * posix_spawn with __execvpe's PATH search in the cloned child. On capOS
 * libcapos-posix searches (libcapos-posix/src/spawn.rs, search: the same
 * rules as __execvpe) the PATH posix_spawn passes it; each candidate is
 * resolved as posix_spawn resolves a path.
 */
#include "capos_spawn.h"

int posix_spawnp(pid_t *restrict res, const char *restrict file,
	const posix_spawn_file_actions_t *fa,
	const posix_spawnattr_t *restrict attr,
	char *const argv[restrict], char *const envp[restrict])
{
	return __capos_posix_spawn(res, file, fa, attr, argv, envp, 1);
}
