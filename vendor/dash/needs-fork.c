/*
 * Linked into dash for capOS (vendor/dash/build.sh), never into dash's
 * own sources: dash's fork() children run shell code (subshells, $(...),
 * pipeline parts) and change its job table and globals, so the
 * fork-for-exec shim, whose branch shares the parent's memory, cannot
 * serve them. Declared before main, a fork without the "fork" capability
 * fails at once (dash: "Cannot fork") instead of corrupting the parent;
 * dash's vfork() for simple commands still uses the shim.
 * docs/porting/dash-and-toybox.md, "Without the fork capability".
 */
#include <capos/posix/capos-posix.h>

__attribute__((constructor)) static void declare_fork_needs_copy(void)
{
    capos_fork_needs_copy();
}
