#!/usr/bin/env bash
# `make run-posix-tcp-smoke`'s host side, run inside tools/net/run.sh's
# private network namespace (which already has the TCP peers of
# tools/net/tcp-peer.py on 127.0.0.1:5600..5609): Python's http.server on
# 127.0.0.1:5620 serving a generated file and its FNV-1a hash, and the
# echo client (tools/tcp/echo-client.py) against the guest's echo server
# through QEMU's forwarding of 127.0.0.1:7790; and the peers of the
# guest's nc (demos/posix-tcp/netcat-run.c, tools/tcp/netcat-peer.py): a
# listener on 127.0.0.1:5630 that checks what nc sends, and a sender to
# nc's listener through QEMU's forwarding of 127.0.0.1:7791. Then the QEMU
# smoke (tools/smoke.sh posix-tcp); it passes only if the echo client
# also reports every byte back unchanged, both netcat peers saw their
# exchange complete, and the Linux build of the same nc, driven by the
# same netcat-run against the same peers on 127.0.0.1, prints the same
# lines as the guest's.
#
#   bash tools/tcp/smoke.sh KERNEL MANIFEST [QEMU-ARGS...]
set -uo pipefail
cd "$(dirname "$0")/../.."
kernel=$1 manifest=$2
shift 2

www=$(mktemp -d)
trap 'rm -rf "$www"' EXIT
# 3 MiB of seeded pseudo-random bytes, and their hash as the guest
# computes it (demos/posix-tcp/checks.c).
python3 - "$www" <<'PY'
import random, sys
data = random.Random(15).randbytes(3 * 1024 * 1024)
h = 0xcbf29ce484222325
for b in data:
    h = ((h ^ b) * 0x100000001b3) & 0xffffffffffffffff
open(sys.argv[1] + "/blob", "wb").write(data)
open(sys.argv[1] + "/blob.fnv", "w").write("%016x\n" % h)
PY
python3 -m http.server --bind 127.0.0.1 --directory "$www" 5620 >target/tcp-http.log 2>&1 &
http=$!
# Ready once it answers (the guest fetches early).
for _ in $(seq 100); do
    python3 -c 'import socket; socket.create_connection(("127.0.0.1", 5620), timeout=1).close()' \
        2>/dev/null && break
    sleep 0.1
done
python3 tools/tcp/echo-client.py --port 7790 --connections 24 --bytes $((512 * 1024)) \
    >target/tcp-echo-client.log 2>&1 &
client=$!

# netcat-run.c's sizes and seeds.
netcat_peers() { # SINK-PORT SOURCE-PORT LOG-PREFIX
    rm -f "$3.ready"
    python3 tools/tcp/netcat-peer.py sink --port "$1" --bytes 200000 --seed 1 --lifetime 300 \
        --ready-file "$3.ready" >"$3-sink.log" 2>&1 &
    nc_sink=$!
    python3 tools/tcp/netcat-peer.py source --port "$2" --bytes 300000 --seed 2 --lifetime 300 \
        >"$3-source.log" 2>&1 &
    nc_source=$!
    for _ in $(seq 100); do
        [ -s "$3.ready" ] && break
        sleep 0.05
    done
    rm -f "$3.ready"
}
# Each peer ends by itself once its exchange is done; a guest that never
# came leaves them to their lifetime, so they are stopped by pid.
netcat_verdict() { # NAME LOG-PREFIX
    local ok=0 pid
    for pid in "$nc_sink" "$nc_source"; do
        for _ in $(seq 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill "$pid" 2>/dev/null
        wait "$pid" || ok=1
    done
    cat "$2-sink.log" "$2-source.log"
    [ $ok -eq 0 ] || echo "posix-tcp: FAIL: $1's netcat exchange did not complete on the host's side"
    return $ok
}
netcat_peers 5630 7791 target/tcp-netcat

# QEMU's capture of the guest's frames (headers only): how the guest
# ended its connections to the sink (tools/tcp/resets.py).
pcap=target/posix-tcp.pcap
rm -f "$pcap"
bash tools/smoke.sh posix-tcp "$kernel" "$manifest" "$@" \
    -object filter-dump,id=capture,netdev=n0,file="$pcap",maxlen=128
status=$?
# checks.c closes one connection to the sink with SO_LINGER 10 s and one
# with SO_LINGER 0, and makes no other.
resets=$(python3 tools/tcp/resets.py "$pcap" 5606)
if [ "$resets" = "5606: 1 closed in order (FIN, no RST), 1 reset (RST)" ]; then
    echo "posix-tcp: the capture shows the SO_LINGER 0 close reset its connection, and the lingering one closed in order ($resets)"
else
    echo "posix-tcp: FAIL: the capture shows $resets; expected one orderly close and one reset"
    status=1
fi
netcat_verdict capOS target/tcp-netcat || status=1

# The same nc on Linux, against the same peers at 127.0.0.1: the lines
# must be the guest's.
netcat_peers 5631 7792 target/tcp-netcat-linux
host=target/capos-posix/netcat-host
"$host/netcat-run" "$host/nc" 127.0.0.1 5631 7792 5605 5608 >target/tcp-netcat-linux.txt 2>&1
linux_status=$?
netcat_verdict Linux target/tcp-netcat-linux || status=1
grep '^netcat-run: ' target/smoke/posix-tcp.log >target/tcp-netcat-capos.txt
if [ $linux_status -ne 0 ] || ! diff -u target/tcp-netcat-linux.txt target/tcp-netcat-capos.txt; then
    echo "posix-tcp: FAIL: nc on Linux (status $linux_status) and on capOS differ (above)"
    status=1
else
    echo "posix-tcp: nc on Linux and on capOS print the same $(wc -l <target/tcp-netcat-capos.txt) lines"
fi
# The guest is gone: a client still trying has nothing left to reach.
for _ in $(seq 100); do
    kill -0 "$client" 2>/dev/null || break
    sleep 0.2
done
kill "$client" 2>/dev/null
wait "$client"
client_status=$?
kill "$http" 2>/dev/null
wait "$http" 2>/dev/null
cat target/tcp-echo-client.log
if [ $client_status -ne 0 ]; then
    echo "posix-tcp: FAIL: the host's echo client did not get every byte back (target/tcp-echo-client.log)"
    exit 1
fi
exit $status
