#!/usr/bin/env bash
# Runs a host program the way capOS starts a program: exactly the given
# environment and argv (argv[0] included) and nothing else, no stdin, no
# descriptor above 2, at most 64 descriptors. For the differential checks
# (tools/smoke/*.diff.sh), which compare its output with the capOS run's.
#
#   bash tools/smoke/run-exact.sh [NAME=VALUE ...] -- PROGRAM ARGV0 [ARGS...]
#
# The environment is exactly the NAME=VALUE words: a shell running the
# program would add PWD, SHLVL and _ (and a shell-like program, dash for
# one, behaves differently with PWD set), so the last step is perl's exec
# with %ENV set, which adds nothing.
set -euo pipefail
env=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do
    env+=("$1")
    shift
done
if [ $# -lt 3 ]; then
    echo "usage: run-exact.sh [NAME=VALUE ...] -- PROGRAM ARGV0 [ARGS...]" >&2
    exit 2
fi
shift
# Descriptors this shell inherited (above 2) are closed first.
for fd in /proc/$$/fd/*; do
    fd=${fd##*/}
    [ "$fd" -gt 2 ] && eval "exec $fd>&-"
done
ulimit -n 64
# perl opens /dev/null on a closed stdin; it closes it again itself.
# shellcheck disable=SC2016
exec perl -MPOSIX=close -e '
    my ($program, $count) = splice(@ARGV, 0, 2);
    %ENV = map { split /=/, $_, 2 } splice(@ARGV, 0, $count);
    close(0);
    exec { $program } @ARGV or die "run-exact.sh: cannot run $program: $!\n";
' "$1" "${#env[@]}" ${env[@]+"${env[@]}"} "${@:2}"
