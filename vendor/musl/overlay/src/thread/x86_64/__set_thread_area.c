/*
 * capOS replacement for musl's src/thread/x86_64/__set_thread_area.s,
 * which asks Linux for arch_prctl(ARCH_SET_FS). The capOS kernel enables
 * CR4.FSGSBASE and saves each process's FS base on every switch, so user
 * code sets it itself.
 */
#include "pthread_impl.h"

int __set_thread_area(void *p)
{
	__asm__ __volatile__ ("wrfsbase %0" : : "r"(p) : "memory");
	return 0;
}
