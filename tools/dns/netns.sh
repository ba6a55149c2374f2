#!/usr/bin/env bash
# Runs a command inside a private network namespace that holds nothing but
# loopback, beside servers on 127.0.0.1: dnsmasq serving fixed records and
# nothing else (no upstream, no resolv.conf, no hosts file, no DHCP), a
# silent server that never answers (for timeouts), the UDP echo server
# (tools/net/udp-echo.py, for demos/posix-socket) and, with --hostile, the
# hostile responder (tools/dns/hostile-dns.py). QEMU run as the command,
# with user networking, reaches them from the guest at 10.0.2.2. Nothing
# leaves the machine: the namespace has no other interface.
#
#   bash tools/dns/netns.sh [--hostile] -- COMMAND [ARGS...]
#
# Needs root (unshare --net). dnsmasq is Debian's dnsmasq-base (the binary
# without the system service), installed by tools/setup.sh. Records:
#   capos.test  A 192.0.2.53, AAAA 2001:db8::53
#   big.capos.test  A 192.0.2.1 .. 192.0.2.40 (too large for a UDP reply)
#   any other name under .test: NXDOMAIN; names elsewhere: REFUSED.
#
# Environment: DNS_PORT (dnsmasq's port, default 53), SILENT_PORT (5354),
# ECHO_PORT (5555), HOSTILE_PORT (5353), HOSTILE_SEED (1), HOSTILE_ARGS
# (more options for the responder, e.g. "--burst 24"), HOSTILE_MIN (fail
# unless the responder sent at least this many replies), DNS_NETNS_LOGS
# (where the servers' logs go, default target/dns-netns). The command sees
# the four ports. The exit status is the command's, or 1 if it succeeded
# but HOSTILE_MIN was not reached.
#
# Each server is started in the background and stopped by its PID when the
# command ends; if the script is interrupted (INT, TERM), the command is
# stopped by its PID first. The hostile responder's count of replies is
# printed then, and kept in its log and as JSON
# ($DNS_NETNS_LOGS/hostile.json).
set -euo pipefail
cd "$(dirname "$0")/../.."

hostile=0
while [ $# -gt 0 ]; do
    case $1 in
        --hostile) hostile=1; shift ;;
        --) shift; break ;;
        *) echo "usage: $0 [--hostile] -- COMMAND [ARGS...]" >&2; exit 2 ;;
    esac
done
[ $# -ge 1 ] || { echo "usage: $0 [--hostile] -- COMMAND [ARGS...]" >&2; exit 2; }
say() { echo "dns-netns: $*" >&2; }

# The outer call re-runs this script in a new network namespace; the
# marker tells the inner one where it is.
if [ -z "${CAPOS_DNS_NETNS_INNER:-}" ]; then
    if [ "$(id -u)" -ne 0 ]; then
        say "needs root to make a network namespace (unshare --net)"
        exit 1
    fi
    args=()
    [ $hostile -eq 1 ] && args+=(--hostile)
    exec unshare --net -- env CAPOS_DNS_NETNS_INNER=1 bash "$0" "${args[@]}" -- "$@"
fi

# Not passed on: a command that runs this script again gets its own.
unset CAPOS_DNS_NETNS_INNER
export DNS_PORT=${DNS_PORT:-53} SILENT_PORT=${SILENT_PORT:-5354} ECHO_PORT=${ECHO_PORT:-5555}
export HOSTILE_PORT=${HOSTILE_PORT:-5353}
logs=${DNS_NETNS_LOGS:-target/dns-netns}
mkdir -p "$logs"
logs=$(cd "$logs" && pwd)

ip link set lo up
# Only loopback may exist here; anything else would be a way out.
others=$(ip -o link show | awk -F': ' '$2 != "lo" {print $2}')
if [ -n "$others" ]; then
    say "the namespace has interfaces besides lo: $others"
    exit 1
fi

pids=()
cleanup() {
    # Stopped by PID, newest first; each is waited for so its last words
    # (the hostile responder's count) are in its log before we read it.
    local i
    [ ${#pids[@]} -gt 0 ] || return 0
    for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
        kill -TERM "${pids[i]}" 2>/dev/null || true
        wait "${pids[i]}" 2>/dev/null || true
    done
    pids=()
    if [ $hostile -eq 1 ] && [ -f "$logs/hostile.log" ]; then
        grep '^hostile-dns: sent' "$logs/hostile.log" >&2 || say "the hostile responder reported nothing"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# dnsmasq: -C /dev/null reads no configuration file; --no-resolv and no
# --server: no upstream at all; --no-hosts: no /etc/hosts; --local=/test/:
# names under .test that it does not hold are NXDOMAIN, not forwarded;
# no dhcp-range: no DHCP. --keep-in-foreground keeps its PID ours.
rm -f "$logs/dnsmasq.log"
# big.capos.test has 40 A records: with --edns-packet-max=512 the UDP
# reply is truncated (TC) and a resolver must ask again over TCP, which
# dnsmasq also serves on the same port.
big=()
for i in $(seq 1 40); do big+=(--host-record="big.capos.test,192.0.2.$i"); done
dnsmasq --keep-in-foreground -C /dev/null --no-resolv --no-hosts --no-poll \
    --pid-file= --listen-address=127.0.0.1 --bind-interfaces --port="$DNS_PORT" \
    --host-record=capos.test,192.0.2.53,2001:db8::53 "${big[@]}" --edns-packet-max=512 \
    --local=/test/ --log-queries --log-facility="$logs/dnsmasq.log" &
pids+=($!)

python3 -u tools/dns/hostile-dns.py --silent --port "$SILENT_PORT" >"$logs/silent.log" 2>&1 &
pids+=($!)
# Its flood port is unused here (nothing asks it to flood).
rm -f "$logs/echo.ready"
python3 -u tools/net/udp-echo.py --port "$ECHO_PORT" --flood-port 7778 --lifetime 900 \
    --ready-file "$logs/echo.ready" >"$logs/echo.log" 2>&1 &
pids+=($!)

if [ $hostile -eq 1 ]; then
    rm -f "$logs/hostile.json"
    # shellcheck disable=SC2086 # HOSTILE_ARGS is a list of options.
    python3 -u tools/dns/hostile-dns.py --port "$HOSTILE_PORT" --seed "${HOSTILE_SEED:-1}" \
        --report "$logs/hostile.json" ${HOSTILE_ARGS:-} >"$logs/hostile.log" 2>&1 &
    pids+=($!)
fi

# Ready when dnsmasq answers (and the responder listens).
ready=0
for _ in $(seq 50); do
    if dig +short +time=1 +tries=1 @127.0.0.1 -p "$DNS_PORT" capos.test A 2>/dev/null |
        grep -qx 192.0.2.53; then
        if grep -q '^hostile-dns: listening' "$logs/silent.log" 2>/dev/null && [ -s "$logs/echo.ready" ] &&
            { [ $hostile -eq 0 ] || grep -q '^hostile-dns: listening' "$logs/hostile.log" 2>/dev/null; }; then
            ready=1
            break
        fi
    fi
    sleep 0.1
done
if [ $ready -ne 1 ]; then
    say "the DNS servers did not come up; logs in $logs"
    exit 1
fi
say "dnsmasq on 127.0.0.1:$DNS_PORT (pid ${pids[0]}), silent server on :$SILENT_PORT (pid ${pids[1]}), echo server on :$ECHO_PORT (pid ${pids[2]})$(
    [ $hostile -eq 1 ] && echo ", hostile responder on :$HOSTILE_PORT (pid ${pids[3]})"); logs in $logs"

# The command runs in the background so that a signal to this script is
# acted on at once (bash runs traps only between foreground commands, but
# interrupts `wait`); its stdin is kept. The trap stops it like the servers.
"$@" <&0 &
pids+=($!)
status=0
wait "${pids[-1]}" || status=$?
if [ $hostile -eq 1 ] && [ -n "${HOSTILE_MIN:-}" ]; then
    # The responder writes its count when stopped.
    cleanup
    sent=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["sent"])' \
        "$logs/hostile.json" 2>/dev/null || echo 0)
    if [ "$sent" -lt "$HOSTILE_MIN" ]; then
        say "FAIL: the hostile responder sent $sent replies, fewer than $HOSTILE_MIN"
        [ $status -ne 0 ] || status=1
    else
        say "the hostile responder sent $sent replies (at least $HOSTILE_MIN wanted)"
    fi
fi
exit $status
