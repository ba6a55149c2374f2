#!/usr/bin/env bash
# Runs one QEMU smoke test and judges it.
#
#   bash tools/smoke.sh NAME KERNEL MANIFEST [QEMU-ARGS...]
#
# Pass = QEMU exits with status 33 (the kernel's success exit) within the
# time limit AND every line of tools/smoke/NAME.expect (extended regexes)
# matches some serial line AND no line of tools/smoke/NAME.reject matches.
# The serial log is kept at target/smoke/NAME.log. SMOKE_STATUS=35 makes
# the kernel's failure exit the expected one (a test that must fail).
# QEMU-ARGS are added to QEMU's (tools/qemu.sh), e.g. -icount for a run
# that must replay exactly. SMOKE_TYPE=SCRIPT types into the console
# (tools/smoke/type.py); with SMOKE_PTY=1 QEMU's stdio is a pseudo-terminal,
# as make run's is a person's.
set -uo pipefail
name=$1 kernel=$2 manifest=$3
shift 3
cd "$(dirname "$0")/.."
expect=tools/smoke/$name.expect
reject=tools/smoke/$name.reject
log=target/smoke/$name.log
want_status=${SMOKE_STATUS:-33}
mkdir -p target/smoke
timeout_s=${SMOKE_TIMEOUT:-120}

# SMOKE_TYPE=SCRIPT types into the serial console as SCRIPT says
# (tools/smoke/type.py); otherwise the console gets no input.
if [ -n "${SMOKE_TYPE:-}" ]; then
    timeout "$timeout_s" python3 tools/smoke/type.py ${SMOKE_PTY:+--pty} "$SMOKE_TYPE" \
        bash tools/qemu.sh "$kernel" "$manifest" "$@" </dev/null >"$log.raw" 2>&1
else
    timeout "$timeout_s" bash tools/qemu.sh "$kernel" "$manifest" "$@" </dev/null >"$log.raw" 2>&1
fi
status=$?
tr -d '\r' <"$log.raw" >"$log"
rm -f "$log.raw"

fail=0
if [ ! -f "$expect" ]; then
    echo "smoke $name: FAIL: no marker file $expect"
    exit 1
fi
case $status in
    "$want_status") ;;
    124) echo "smoke $name: FAIL: timed out after ${timeout_s}s"; fail=1 ;;
    0) echo "smoke $name: FAIL: QEMU exited 0 (triple fault or reset)"; fail=1 ;;
    35) echo "smoke $name: FAIL: the kernel reported failure (status 35)"; fail=1 ;;
    *) echo "smoke $name: FAIL: QEMU exit status $status"; fail=1 ;;
esac
while IFS= read -r pattern; do
    [[ -z $pattern || $pattern == \#* ]] && continue
    if ! grep -Eq -- "$pattern" "$log"; then
        echo "smoke $name: FAIL: missing marker: $pattern"
        fail=1
    fi
done <"$expect"
if [ -f "$reject" ]; then
    while IFS= read -r pattern; do
        [[ -z $pattern || $pattern == \#* ]] && continue
        if grep -Eq -- "$pattern" "$log"; then
            echo "smoke $name: FAIL: forbidden output: $(grep -E -m1 -- "$pattern" "$log")"
            fail=1
        fi
    done <"$reject"
fi
if [ $fail -ne 0 ]; then
    echo "smoke $name: serial log kept at $log; its last lines (faults and panics located by tools/symbolize.sh):"
    tail -n 25 "$log" | bash "$(dirname "$0")/symbolize.sh" --kernel "$kernel" | sed 's/^/    /'
    exit 1
fi
echo "smoke $name: PASS ($(grep -Ec '^[^#]' "$expect") markers, QEMU status $status; log: $log)"
