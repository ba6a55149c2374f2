/*
 * capOS replacement for musl's src/thread/x86_64/clone.s. capOS has no
 * call that creates a thread or duplicates a process, so __clone
 * (pthread_create, and posix_spawn until it maps onto ProcessSpawner)
 * asks libcapos-posix for SYS_clone, which refuses with -ENOSYS and logs
 * the first refusal, instead of executing `syscall`.
 */
#include <errno.h>
#include "pthread_impl.h"

int __clone(int (*func)(void *), void *stack, int flags, void *arg, ...)
{
	(void)func;
	(void)arg;
	return __syscall(SYS_clone, flags, stack, 0, 0, 0);
}
