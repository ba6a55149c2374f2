#!/usr/bin/env bash
# `make run-posix-tcp-smoke`'s host side, run inside tools/net/run.sh's
# private network namespace (which already has the TCP peers of
# tools/net/tcp-peer.py on 127.0.0.1:5600..5604): Python's http.server on
# 127.0.0.1:5620 serving a generated file and its FNV-1a hash, and the
# echo client (tools/tcp/echo-client.py) against the guest's echo server
# through QEMU's forwarding of 127.0.0.1:7790. Then the QEMU smoke
# (tools/smoke.sh posix-tcp); it passes only if the echo client also
# reports every byte back unchanged.
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

bash tools/smoke.sh posix-tcp "$kernel" "$manifest" "$@"
status=$?
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
