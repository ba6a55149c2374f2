#!/usr/bin/env bash
# The ^C's timing in make run-interactive-check's log, by the guest's
# clock (stamp's lines; tools/smoke/interactive.type):
#
#   bash tools/smoke/interactive-timing.sh LOG
#
# The log holds seven stamps: A before `sleep 100`, B once the prompt is
# back after ^C, then C and D with nothing between, E before `spin` (busy
# without calls) and F once the prompt is back after ^C ended it, and G
# before dash's own loop (whose ^C waits for a pause: not timed). B - A
# is the sleep's fork and execve, the ^C's end of it, dash's new prompt
# and one fork and execve of stamp (plus the moments the host took to
# answer the guest's output); D - C is that last part alone; F - E is
# B - A for a program that never calls the kernel. Reported, and B - A
# and F - E must stay under LIMIT_US (default 1000000): the prompt is
# back within a second of the keystroke even counting everything around
# it.
set -euo pipefail
log=$1
limit=${LIMIT_US:-1000000}
mapfile -t us < <(grep -E '^stamp [0-9]+ us$' "$log" | awk '{print $2}')
if [ "${#us[@]}" -ne 7 ]; then
    echo "interactive timing: FAIL: ${#us[@]} stamp lines in $log, 7 expected"
    exit 1
fi
around=$((us[1] - us[0]))
stamp=$((us[3] - us[2]))
busy=$((us[5] - us[4]))
echo "interactive timing: sleep, ^C, prompt and one stamp: $around us of guest time;" \
    "a stamp alone: $stamp us; spin, ^C, prompt and one stamp: $busy us (limit $limit us)"
for took in "$around" "$busy"; do
    if [ "$took" -ge "$limit" ]; then
        echo "interactive timing: FAIL: the prompt took $took us to come back (limit $limit us)"
        exit 1
    fi
done
