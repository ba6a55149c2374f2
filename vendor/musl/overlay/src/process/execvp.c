/*
 * capOS replacement for musl's src/process/execvp.c. Until a file system
 * exists, the programs are the boot manifest's binaries, which execve
 * finds as /bin/NAME; a name without '/' is looked up there alone (PATH
 * is not consulted: no other directory holds programs), the rule
 * posix_spawnp follows too.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

extern char **__environ;

int __execvpe(const char *file, char *const argv[], char *const envp[])
{
	static const char bin[] = "/bin/";
	size_t k;

	errno = ENOENT;
	if (!*file) return -1;
	if (strchr(file, '/'))
		return execve(file, argv, envp);
	k = strnlen(file, NAME_MAX+1);
	if (k > NAME_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	char b[sizeof bin + k];
	memcpy(b, bin, sizeof bin - 1);
	memcpy(b + sizeof bin - 1, file, k+1);
	return execve(b, argv, envp);
}

int execvp(const char *file, char *const argv[])
{
	return __execvpe(file, argv, __environ);
}

weak_alias(__execvpe, execvpe);
