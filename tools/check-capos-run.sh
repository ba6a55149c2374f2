#!/usr/bin/env bash
# tools/capos-run checked against Linux (make capos-run-check, part of
# make test): a small program built twice, with capos-cc and with the
# host's musl-gcc, prints its argv and environment and a last line without
# a newline, and exits with a status from its argv. Run by capos-run on
# capOS and by tools/smoke/run-exact.sh on the host with the same argv and
# environment, its stdout and exit status must be identical. A program
# reading standard input gets capos-run's, and its stderr is apart. Then a
# program that faults must give 128 + SIGSEGV and say where, a refused
# call's report line must reach stderr, and what capos-run cannot do
# (--file, a file that is not an ELF program) must be refused. With
# --dir, a program reads the directory's files and what it makes, changes
# and removes there is done on the host; under tools/capos-env, executing
# a capos-cc program runs it on capOS (binfmt_misc).
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
    /* Refused on capOS, where capos-run grants no NetworkManager: a report line. */
    if (argc > 3) socket(AF_INET, SOCK_DGRAM, 0);
    printf("no newline at the end");
    return argc > 2 ? atoi(argv[2]) : 0;
}
EOF
cat >"$out/fault.c" <<'EOF'
#include <stdio.h>
int main(void) { printf("before the fault\n"); fflush(stdout); return *(volatile int *)16; }
EOF
cat >"$out/dir.c" <<'EOF'
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
int main(void)
{
    char line[64];
    FILE *in = fopen("in.txt", "r");
    if (!in || !fgets(line, sizeof line, in)) return 3;
    printf("read %s", line);
    FILE *out = fopen("out.txt", "w");
    if (!out || fprintf(out, "wrote after %s", line) < 0 || fclose(out)) return 4;
    if (unlink("gone.txt") || mkdir("sub", 0750)) return 5;
    FILE *deep = fopen("sub/deep.txt", "w");
    if (!deep || fputs("deep\n", deep) < 0 || fclose(deep)) return 6;
    FILE *nested = fopen("lib/data/nested.txt", "r+");
    if (!nested || !fgets(line, sizeof line, nested)) return 7;
    printf("nested %s", line);
    if (fputs("and more\n", nested) < 0 || fclose(nested)) return 8;
    return 0;
}
EOF
cat >"$out/upper.c" <<'EOF'
#include <ctype.h>
#include <stdio.h>
int main(void)
{
    int c, n = 0;
    while ((c = getchar()) != EOF) { putchar(toupper(c)); n++; }
    fprintf(stderr, "%d bytes in\n", n);
    return 0;
}
EOF
tools/capos-cc -O2 -o "$out/args" "$out/args.c"
tools/capos-cc -O2 -o "$out/upper" "$out/upper.c"
tools/capos-cc -O2 -g -o "$out/fault" "$out/fault.c"
tools/capos-cc -O2 -o "$out/dir" "$out/dir.c"
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
if [ "$status" -eq 0 ] && grep -qx 'libcapos-posix: socket (Linux syscall 41) fails with EACCES: no "network" capability.*' "$out/report.err" &&
    ! grep -q '^libcapos-posix: ' "$out/report.out"; then
    pass "a refused call's report line goes to stderr, not stdout"
else
    fail "report line: status $status, stderr: $(cat "$out/report.err")"
fi

status=0
tools/capos-run "$out/fault" >"$out/fault.out" 2>"$out/fault.err" || status=$?
if [ "$status" -eq 139 ] && [ "$(cat "$out/fault.out")" = "before the fault" ] &&
    grep -q '^capos-run: fault faulted: page fault at rip=0x[0-9a-f]* addr=0x10, in main at .*/fault.c:2$' "$out/fault.err"; then
    pass "a page fault exits 139 (128 + SIGSEGV) and says where: $(grep -o 'in main at .*' "$out/fault.err")"
else
    fail "fault: status $status, stdout $(cat "$out/fault.out"), stderr $(cat "$out/fault.err")"
fi

status=0
tools/capos-run --file x "$out/args" 2>"$out/file.err" || status=$?
if [ "$status" -eq 2 ] && grep -q 'gives files through --dir' "$out/file.err"; then
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

status=0
printf 'one\ntwo' | tools/capos-run "$out/upper" >"$out/upper.out" 2>"$out/upper.err" || status=$?
if [ "$status" -eq 0 ] && [ "$(cat "$out/upper.out")" = "$(printf 'ONE\nTWO')" ] &&
    [ "$(cat "$out/upper.err")" = "7 bytes in" ]; then
    pass "standard input from a pipe; stdout and stderr apart"
else
    fail "stdin: status $status, stdout $(cat "$out/upper.out"), stderr $(cat "$out/upper.err")"
fi

status=0
tools/capos-run --caps console "$out/args" x 5 >"$out/caps.out" 2>"$out/caps.err" || status=$?
if [ "$status" -eq 5 ] && grep -qx 'argv\[1\]="x"' "$out/caps.out"; then
    pass "--caps console alone: the program still runs, its output relayed (status 5)"
else
    fail "--caps console: status $status, stdout $(cat "$out/caps.out"), stderr $(cat "$out/caps.err")"
fi

work=$out/work
mkdir -p "$work"
echo one >"$work/in.txt"
echo old >"$work/out.txt"
echo bye >"$work/gone.txt"
mkdir -p "$work/lib/data"
echo inner >"$work/lib/data/nested.txt"
status=0
tools/capos-run --dir "$work" "$out/dir" >"$out/dir.out" 2>"$out/dir.err" || status=$?
if [ "$status" -eq 0 ] && [ "$(cat "$out/dir.out")" = "$(printf 'read one\nnested inner')" ] &&
    [ "$(cat "$work/out.txt")" = "wrote after one" ] && [ ! -e "$work/gone.txt" ] &&
    [ "$(cat "$work/sub/deep.txt")" = deep ] && [ "$(stat -c %a "$work/sub")" = 750 ] &&
    [ "$(cat "$work/lib/data/nested.txt")" = "$(printf 'inner\nand more')" ]; then
    pass "--dir: files read and changed in subdirectories, and the file written, the file removed and the directory made are on the host"
else
    fail "--dir: status $status, stdout $(cat "$out/dir.out"), stderr $(cat "$out/dir.err"), $(ls -R "$work")"
fi

big=$out/big
mkdir -p "$big/in"
truncate -s 17M "$big/in/huge"
status=0
tools/capos-run --dir "$big" "$out/dir" >/dev/null 2>"$out/big.err" || status=$?
if [ "$status" -eq 2 ] && grep -q 'huge: larger than 16 MiB' "$out/big.err"; then
    pass "--dir: a tree past its limits is refused, naming the file"
else
    fail "--dir over the limits: status $status, stderr $(cat "$out/big.err")"
fi

status=0
(cd "$out" && ../../tools/capos-env sh -c './args "via binfmt" 9') >"$out/env.out" 2>"$out/env.err" || status=$?
if [ "$status" -eq 9 ] && grep -qx 'argv\[1\]="via binfmt"' "$out/env.out"; then
    pass "under capos-env, executing a capos-cc program runs it on capOS (status 9)"
elif grep -q '^capos-env: cannot ' "$out/env.err"; then
    echo "capos-run-check: skipped: $(cat "$out/env.err")"
else
    fail "capos-env: status $status, stdout $(cat "$out/env.out"), stderr $(cat "$out/env.err")"
fi

if [ "$fails" -ne 0 ]; then
    echo "capos-run-check: $fails failed"
    exit 1
fi
echo "capos-run-check: PASS"
