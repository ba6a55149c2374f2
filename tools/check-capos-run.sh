#!/usr/bin/env bash
# tools/capos-run checked against Linux (make capos-run-check, part of
# make test): a small program built twice, with capos-cc and with the
# host's musl-gcc, prints its argv and environment and a last line without
# a newline, and exits with a status from its argv. Run by capos-run on
# capOS and by tools/smoke/run-exact.sh on the host with the same argv and
# environment, its stdout and exit status must be identical. Then a
# program that faults must give 128 + SIGSEGV and say where, a refused
# call's report line must reach stderr, and what capos-run cannot do
# (--file, a file that is not an ELF program) must be refused.
#
#   bash tools/check-capos-run.sh   (after make kernel user posix-build
#                                    and cargo build -p mkmanifest)
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/capos-run-check
rm -rf "$out"
mkdir -p "$out"
fails=0
pass() { echo "capos-run-check: ok: $*"; }
fail() {
    echo "capos-run-check: FAIL: $*"
    fails=$((fails + 1))
}

cat >"$out/args.c" <<'EOF'
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
extern char **environ;
int main(int argc, char **argv)
{
    for (int i = 0; i < argc; i++) printf("argv[%d]=\"%s\"\n", i, argv[i]);
    for (char **e = environ; *e; e++) printf("env %s\n", *e);
    if (argc > 3) socket(AF_INET, SOCK_DGRAM, 0); /* refused on capOS: a report line */
    printf("no newline at the end");
    return argc > 2 ? atoi(argv[2]) : 0;
}
EOF
cat >"$out/fault.c" <<'EOF'
#include <stdio.h>
int main(void) { printf("before the fault\n"); fflush(stdout); return *(volatile int *)16; }
EOF
tools/capos-cc -O2 -o "$out/args" "$out/args.c"
tools/capos-cc -O2 -o "$out/fault" "$out/fault.c"
musl-gcc -static -O2 -o "$out/args-host" "$out/args.c"

env=(A=1 "B=two words" "C=")
args=("one two" 42)
status=0
start=$(date +%s%N)
tools/capos-run "${env[@]/#/--env=}" "$out/args" "${args[@]}" >"$out/capos.out" 2>"$out/capos.err" ||
    status=$?
elapsed=$((($(date +%s%N) - start) / 1000000))
host_status=0
bash tools/smoke/run-exact.sh "${env[@]}" -- "$out/args-host" args "${args[@]}" >"$out/host.out" ||
    host_status=$?
if cmp -s "$out/capos.out" "$out/host.out" && [ "$status" -eq 42 ] && [ "$host_status" -eq 42 ]; then
    pass "argv, exactly the environment, output without a final newline and exit status 42" \
        "as on Linux ($elapsed ms, boot included)"
else
    fail "capos-run's stdout or status ($status) differ from Linux's ($host_status):"
    diff "$out/host.out" "$out/capos.out" || true
    cat "$out/capos.err"
fi

status=0
tools/capos-run --env=A=1 "$out/args" "one two" 0 report >"$out/report.out" 2>"$out/report.err" ||
    status=$?
if [ "$status" -eq 0 ] && grep -qx 'libcapos-posix: socket (Linux syscall 41) fails with EACCES: .*' "$out/report.err" &&
    ! grep -q '^libcapos-posix: ' "$out/report.out"; then
    pass "a refused call's report line goes to stderr, not stdout"
else
    fail "report line: status $status, stderr: $(cat "$out/report.err")"
fi

status=0
tools/capos-run "$out/fault" >"$out/fault.out" 2>"$out/fault.err" || status=$?
if [ "$status" -eq 139 ] && [ "$(cat "$out/fault.out")" = "before the fault" ] &&
    grep -q '^capos-run: fault faulted: page fault at rip=0x[0-9a-f]* addr=0x10$' "$out/fault.err"; then
    pass "a page fault exits 139 (128 + SIGSEGV) and says where"
else
    fail "fault: status $status, stdout $(cat "$out/fault.out"), stderr $(cat "$out/fault.err")"
fi

status=0
tools/capos-run --file x "$out/args" 2>"$out/file.err" || status=$?
if [ "$status" -eq 2 ] && grep -q 'no file system' "$out/file.err"; then
    pass "--file refused: $(cat "$out/file.err")"
else
    fail "--file: status $status: $(cat "$out/file.err")"
fi
status=0
tools/capos-run "$out/args.c" 2>"$out/notelf.err" || status=$?
if [ "$status" -eq 126 ] && grep -q 'not an ELF program' "$out/notelf.err"; then
    pass "a file that is not an ELF program: status 126"
else
    fail "not an ELF: status $status: $(cat "$out/notelf.err")"
fi

if [ "$fails" -ne 0 ]; then
    echo "capos-run-check: $fails failed"
    exit 1
fi
echo "capos-run-check: PASS"
