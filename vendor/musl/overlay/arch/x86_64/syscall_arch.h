/*
 * capOS replacement for musl's arch/x86_64/syscall_arch.h.
 *
 * musl issues every system call through __syscall0 .. __syscall6. On Linux
 * these execute the `syscall` instruction; on capOS they call
 * __capos_syscall in libcapos-posix, which implements the Linux-numbered
 * operation over the capabilities the process holds and returns a result
 * or a negative errno exactly as the Linux kernel would. Unused argument
 * slots are passed as 0.
 *
 * No vDSO: VDSO_USEFUL is not defined, so clock_gettime goes straight to
 * __capos_syscall.
 */

#define __SYSCALL_LL_E(x) (x)
#define __SYSCALL_LL_O(x) (x)

long __capos_syscall(long, long, long, long, long, long, long);

static __inline long __syscall0(long n)
{
	return __capos_syscall(n, 0, 0, 0, 0, 0, 0);
}

static __inline long __syscall1(long n, long a1)
{
	return __capos_syscall(n, a1, 0, 0, 0, 0, 0);
}

static __inline long __syscall2(long n, long a1, long a2)
{
	return __capos_syscall(n, a1, a2, 0, 0, 0, 0);
}

static __inline long __syscall3(long n, long a1, long a2, long a3)
{
	return __capos_syscall(n, a1, a2, a3, 0, 0, 0);
}

static __inline long __syscall4(long n, long a1, long a2, long a3, long a4)
{
	return __capos_syscall(n, a1, a2, a3, a4, 0, 0);
}

static __inline long __syscall5(long n, long a1, long a2, long a3, long a4, long a5)
{
	return __capos_syscall(n, a1, a2, a3, a4, a5, 0);
}

static __inline long __syscall6(long n, long a1, long a2, long a3, long a4, long a5, long a6)
{
	return __capos_syscall(n, a1, a2, a3, a4, a5, a6);
}

#define IPC_64 0
