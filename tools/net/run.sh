#!/usr/bin/env bash
# Runs a command inside a private network namespace, beside a UDP echo
# server of ours (tools/net/udp-echo.py) and the TCP peers
# (tools/net/tcp-peer.py, ports 5600..5609) on 127.0.0.1.
#
#   bash tools/net/run.sh COMMAND [ARGS...]
#
# The namespace (unshare --net) has only a loopback interface and no
# routes, so QEMU's user networking, started by COMMAND, can reach
# nothing but this machine's 127.0.0.1 inside it, whatever the guest
# sends: the guest reaches the echo server as 10.0.2.2:5555. QEMU's DNS
# forwarder (10.0.2.3) is never used, and could reach nothing here.
# Needs root, or unprivileged user namespaces. The server is stopped by
# its pid when COMMAND ends; COMMAND's status is this script's.
set -uo pipefail
cd "$(dirname "$0")/../.."

ECHO_PORT=5555
# QEMU forwards this host port to the guest's unbound port 7777
# (demos/net/src/lib.rs), for datagrams the kernel must drop and count.
FLOOD_PORT=7778
# The first of tools/net/tcp-peer.py's ports (demos/net/src/lib.rs).
TCP_PEER_BASE=5600

if [ -z "${CAPOS_IN_NETNS:-}" ]; then
    if ! command -v unshare >/dev/null; then
        echo "net: unshare (util-linux) is missing; run tools/setup.sh" >&2
        exit 1
    fi
    export CAPOS_IN_NETNS=1
    if [ "$(id -u)" -eq 0 ]; then
        exec unshare --net bash "$0" "$@"
    fi
    exec unshare --user --map-root-user --net bash "$0" "$@"
fi

if ! ip link set lo up; then
    echo "net: cannot bring up the namespace's loopback interface" >&2
    exit 1
fi
ready=$(mktemp)
rm -f "$ready"
python3 tools/net/udp-echo.py --port "$ECHO_PORT" --flood-port "$FLOOD_PORT" \
    --lifetime 900 --ready-file "$ready" >target/net-echo.log 2>&1 &
server=$!
for _ in $(seq 100); do
    [ -s "$ready" ] && break
    sleep 0.05
done
rm -f "$ready"
if ! kill -0 "$server" 2>/dev/null; then
    echo "net: the echo server did not start:" >&2
    cat target/net-echo.log >&2
    exit 1
fi
python3 tools/net/tcp-peer.py --base "$TCP_PEER_BASE" --lifetime 900 --ready-file "$ready" \
    >target/net-tcp-peer.log 2>&1 &
peer=$!
for _ in $(seq 100); do
    [ -s "$ready" ] && break
    sleep 0.05
done
rm -f "$ready"
if ! kill -0 "$peer" 2>/dev/null; then
    echo "net: the TCP peer did not start:" >&2
    cat target/net-tcp-peer.log >&2
    kill "$server" 2>/dev/null
    exit 1
fi
"$@"
status=$?
kill "$server" "$peer" 2>/dev/null
wait "$server" "$peer" 2>/dev/null
exit $status
