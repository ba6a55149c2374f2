#!/usr/bin/env bash
# make debug-check: make debug's gdb script driven by gdb in batch mode
# (a breakpoint in a capos-cc program, a backtrace with arguments and
# source lines), then tools/symbolize.sh on the lines a user fault, a
# kernel exception and a kernel panic print, which must come out located
# by function and file:line.
#
#   bash tools/check-debug.sh   (after make kernel user posix-build and
#                                cargo build -p mkmanifest)
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/debug-check
rm -rf "$out"
mkdir -p "$out"
fails=0
pass() { echo "debug-check: ok: $*"; }
fail() {
    echo "debug-check: FAIL: $*"
    fails=$((fails + 1))
}
kernel=target/x86_64-unknown-none/release/kernel

cat >"$out/prog.c" <<'C'
#include <stdio.h>
static int square(int x) { return x * x; }
int main(int argc, char **argv) { printf("%d\n", square(argc + 6)); return *(volatile int *)argv[0] == 0; }
C
tools/capos-cc -g -O0 -o "$out/prog" "$out/prog.c"

# A free port for the stub.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# A deadline, in case gdb never connects.
(cd "$out" && CAPOS_RUN_OPTIONS="--timeout 120" exec bash ../../tools/debug.sh --port "$port" ./prog one two) \
    >"$out/run.out" 2>"$out/run.err" &
run=$!
for _ in $(seq 50); do
    grep -q 'in another terminal' "$out/run.err" 2>/dev/null && break
    sleep 0.1
done
timeout 120 gdb -batch -nx -x target/capos-debug/capos.gdb -ex 'break square' -ex continue -ex bt \
    -ex kill >"$out/gdb.out" 2>&1 || true
wait "$run" || true
if grep -q '^Breakpoint 1, square (x=.*) at .*prog.c:2$' "$out/gdb.out" &&
    grep -q '^#1  0x[0-9a-f]* in main (argc=3, argv=0x[0-9a-f]*) at .*prog.c:3$' "$out/gdb.out"; then
    pass "gdb with make debug's script stops in the program and shows its backtrace: $(grep -m1 '^#1' "$out/gdb.out")"
else
    fail "gdb session:"
    cat "$out/gdb.out" "$out/run.err"
fi

# A user fault, as the kernel and init print it.
main=$(nm "$out/prog" | sed -n 's/^\([0-9a-f]*\) T main$/\1/p')
user=$(printf 'kernel: pid 3 (prog) killed by page fault at rip=0x%x addr=0x0\n' $((0x$main + 4)) |
    bash tools/symbolize.sh --bin "prog=$out/prog")
if grep -q '^  -> prog: in main at .*prog.c:3$' <<<"$user"; then
    pass "a user fault: $(tail -1 <<<"$user")"
else
    fail "user fault: $user"
fi
# A kernel exception in a known function.
fn=$(nm -C "$kernel" | awk '$3 == "kernel::sched::schedule" && !found { print $1; found = 1 }')
exc=$(printf 'KERNEL PANIC: panicked at kernel/src/trap.rs:99:14:\nkernel exception 14 error=0x2 rip=0x%s rsp=0x0 cr2=0x0\n' "$fn" |
    bash tools/symbolize.sh --kernel "$kernel")
if grep -q '^  -> kernel: in kernel::trap::.* at kernel/src/trap.rs:99$' <<<"$exc" &&
    grep -q '^  -> kernel: in kernel::sched::schedule at .*kernel/src/sched.rs:[0-9]*$' <<<"$exc"; then
    pass "a kernel panic and a kernel exception: $(grep -- '->' <<<"$exc" | tr '\n' ';')"
else
    fail "kernel panic: $exc"
fi

if [ "$fails" -ne 0 ]; then
    echo "debug-check: $fails failed"
    exit 1
fi
echo "debug-check: PASS"
