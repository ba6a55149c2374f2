#!/usr/bin/env bash
# The ^C's timing in make run-interactive-check's log, by the guest's
# clock (stamp's lines; tools/smoke/interactive.type):
#
#   bash tools/smoke/interactive-timing.sh LOG
#
# The log holds four stamps: A before `sleep 100`, B once the prompt is
# back after ^C, then C and D with nothing between. B - A is the sleep's
# fork and execve, the ^C's end of it, dash's new prompt and one fork
# and execve of stamp (plus the moments the host took to answer the
# guest's output); D - C is that last part alone. Reported, and B - A
# must stay under LIMIT_US (default 1000000): the prompt is back within
# a second of the keystroke even counting everything around it.
set -euo pipefail
log=$1
limit=${LIMIT_US:-1000000}
mapfile -t us < <(grep -E '^stamp [0-9]+ us$' "$log" | awk '{print $2}')
if [ "${#us[@]}" -ne 4 ]; then
    echo "interactive timing: FAIL: ${#us[@]} stamp lines in $log, 4 expected"
    exit 1
fi
around=$((us[1] - us[0]))
stamp=$((us[3] - us[2]))
echo "interactive timing: sleep, ^C, prompt and one stamp: $around us of guest time;" \
    "a stamp alone: $stamp us (limit $limit us)"
if [ "$around" -ge "$limit" ]; then
    echo "interactive timing: FAIL: the prompt took $around us to come back (limit $limit us)"
    exit 1
fi
