# The comparison every differential check ends with (sourced by
# tools/smoke/*.diff.sh): the host run's output against the program's
# lines in the smoke's serial log, byte for byte. Lines starting "~ " are
# system-dependent by the program's own marking and left out on both
# sides; so are the adapter's report lines and the kernel's and init's,
# which interleave with the program's on the console.
#
#   compare NAME STATUS HOST_RAW LOG END [GREP_ARGS...]
#
# NAME names the check in its verdict; STATUS is the host run's exit
# status; HOST_RAW its output (stdout and stderr together); END a regex
# for the log line after the program's last (its exit); GREP_ARGS more
# `-e PATTERN`s of lines to leave out of the log.
compare() {
    local name=$1 status=$2 raw=$3 log=$4 end=$5
    shift 5
    local dir host capos
    dir=$(dirname "$raw")
    host="$dir/$name-host.txt" capos="$dir/$name-capos.txt"
    grep -v '^~ ' "$raw" >"$host" || true
    if [ "$status" -ne 0 ]; then
        echo "$name diff: FAIL: the host build exited with status $status"
        cat "$raw"
        return 1
    fi
    sed -n "/^kernel: starting init/,/$end/p" "$log" |
        grep -v -e '^~ ' -e '^libcapos-posix: ' -e '^kernel: ' -e '^init: ' "$@" >"$capos" || true
    if ! [ -s "$capos" ]; then
        echo "$name diff: FAIL: no program output in $log"
        return 1
    fi
    if diff -u "$host" "$capos"; then
        echo "$name diff: PASS ($(wc -l <"$host") lines identical on the host and on capOS)"
    else
        echo "$name diff: FAIL (host vs capOS above)"
        return 1
    fi
}
