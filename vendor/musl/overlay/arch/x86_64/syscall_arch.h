/*
 * capOS replacement for musl's arch/x86_64/syscall_arch.h.
 *
 * musl issues every system call through __syscall0 .. __syscall6 (and
 * __syscall_cp, vendor/musl/patches/). On Linux these execute the
 * `syscall` instruction; on capOS they call libcapos-posix, which
 * implements the Linux-numbered operation over the capabilities the
 * process holds and returns a result or a negative errno exactly as the
 * Linux kernel would. Unused argument slots are passed as 0.
 *
 * Where the call's number is a constant, as at almost every call site in
 * musl, the switch of capos_calls.h (generated from libcapos-posix's list
 * of calls) folds to a direct call of that call's own entry,
 * __capos_sys_NAME, so a program links only the calls it makes. A number
 * known only at run time (syscall(), or a build where the compiler does
 * not see the constant) goes to __capos_syscall, which dispatches every
 * implemented call.
 *
 * No vDSO: VDSO_USEFUL is not defined, so clock_gettime goes straight to
 * the adapter.
 */

#define __SYSCALL_LL_E(x) (x)
#define __SYSCALL_LL_O(x) (x)

#include "capos_calls.h"

long __capos_syscall(long, long, long, long, long, long, long);

static __inline __attribute__((__always_inline__))
long __capos_call(long n, long a1, long a2, long a3, long a4, long a5, long a6)
{
	if (__builtin_constant_p(n))
		return __capos_call_fixed(n, a1, a2, a3, a4, a5, a6);
	return __capos_syscall(n, a1, a2, a3, a4, a5, a6);
}

/*
 * Cancellation points (__syscall_cp): a program that links
 * pthread_cancel also links syscall_cp.s, which defines
 * __capos_cancellation; its calls then take musl's cancellation path
 * (__syscall_cp_asm, which checks for a pending cancellation first). A
 * program without it can never be cancelled, and its constant-numbered
 * cancellation points call their entries directly too.
 */
extern const char __capos_cancellation[] __attribute__((__weak__, __visibility__("hidden")));

#define __capos_call_cp(n, a1, a2, a3, a4, a5, a6) \
	((__builtin_constant_p(n) && !__capos_cancellation) \
		? __capos_call_fixed(n, a1, a2, a3, a4, a5, a6) \
		: (__syscall_cp)(n, a1, a2, a3, a4, a5, a6))

static __inline __attribute__((__always_inline__)) long __syscall0(long n)
{
	return __capos_call(n, 0, 0, 0, 0, 0, 0);
}

static __inline __attribute__((__always_inline__)) long __syscall1(long n, long a1)
{
	return __capos_call(n, a1, 0, 0, 0, 0, 0);
}

static __inline __attribute__((__always_inline__)) long __syscall2(long n, long a1, long a2)
{
	return __capos_call(n, a1, a2, 0, 0, 0, 0);
}

static __inline __attribute__((__always_inline__)) long __syscall3(long n, long a1, long a2, long a3)
{
	return __capos_call(n, a1, a2, a3, 0, 0, 0);
}

static __inline __attribute__((__always_inline__)) long __syscall4(long n, long a1, long a2, long a3, long a4)
{
	return __capos_call(n, a1, a2, a3, a4, 0, 0);
}

static __inline __attribute__((__always_inline__)) long __syscall5(long n, long a1, long a2, long a3, long a4, long a5)
{
	return __capos_call(n, a1, a2, a3, a4, a5, 0);
}

static __inline __attribute__((__always_inline__)) long __syscall6(long n, long a1, long a2, long a3, long a4, long a5, long a6)
{
	return __capos_call(n, a1, a2, a3, a4, a5, a6);
}

#define IPC_64 0
