#!/usr/bin/env bash
# The differential check of demos/posix-console: builds the same program
# for the host with Debian's musl-gcc, runs it on a Linux pseudo-terminal
# (24x80, its controlling terminal, the program a session leader, as on
# capOS) typed into by the same script (tools/smoke/type.py --pty
# tools/smoke/console.type), and compares the whole transcript (echo
# included, carriage returns removed) with the smoke's serial log from
# init's start to the program's exit. Lines marked "~ " by the program,
# the adapter's report lines and the kernel's and init's are left out.
#
#   bash tools/smoke/console.diff.sh   (after make run-console-smoke)
set -euo pipefail
cd "$(dirname "$0")/../.."
log=target/smoke/console.log
host=target/capos-posix/posix-console-host
out=target/capos-posix/diff
mkdir -p "$out"

musl-gcc -static -std=c11 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE -o "$host" demos/posix-console/*.c
status=0
timeout 60 python3 tools/smoke/type.py --pty tools/smoke/console.type "$host" \
    >"$out/console-host.pty" 2>&1 || status=$?
tr -d '\r' <"$out/console-host.pty" >"$out/console-host.raw"
# An adapter report line or a kernel line can start after echo on the
# same line (^C, then the child's "SIGINT ends the process", or the
# kernel's "killed by signal 2" for a child ended by the kernel): the
# echo is carried over to the program's next line, where Linux has it,
# and the report is dropped.
awk '{
    if (match($0, /(libcapos-posix|kernel): /) && RSTART > 1) { carry = carry substr($0, 1, RSTART - 1); next }
    if (carry != "" && $0 !~ /^(kernel|init): /) { $0 = carry $0; carry = "" }
    print
}' "$log" >"$out/console-capos.log"
# shellcheck source=tools/smoke/differential.sh
. tools/smoke/differential.sh
compare console "$status" "$out/console-host.raw" "$out/console-capos.log" \
    '^kernel: pid [0-9]* (posix-console) exited with code 0'
