#!/usr/bin/env bash
# Proves the DNS test rig on Linux before capOS uses it: the resolver demo
# (demos/posix-dns-resolver, with the pinned dns.c) built with the host's
# musl-gcc, run inside tools/dns/netns.sh's private network namespace:
#
#  1. against dnsmasq: the output must be tools/dns/resolver.expected,
#     byte for byte (A and AAAA of capos.test, NXDOMAIN of a missing name);
#  2. against the silent server: one timeout line per query type, exit 2;
#  3. against the hostile responder: the resolver must run to its end
#     within two minutes (exit 0 with -k, the summary line printed) while
#     the responder sends at least HOSTILE_MIN (10000) replies, which it
#     counts itself. (The unpatched dns.c hangs here: see
#     vendor/dns-c-wahern/patches/.)
#
#   bash tools/dns/host-check.sh        (make posix-dns-host-check)
#
# Needs root (network namespaces), dnsmasq, dig and musl-gcc
# (tools/setup.sh installs them).
set -euo pipefail
cd "$(dirname "$0")/../.."
say() { echo "posix-dns host check: $*"; }

out=target/capos-posix/dns-host
mkdir -p "$out"
bash vendor/dns-c-wahern/build.sh "$out/dns.o" musl-gcc
src=$(bash vendor/dns-c-wahern/fetch.sh)
musl-gcc -static -std=c11 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE -I "$src" \
    -o "$out/posix-dns-resolver" demos/posix-dns-resolver/*.c "$out/dns.o"
demo=$out/posix-dns-resolver

fail=0
# shellcheck disable=SC2016
bash tools/dns/netns.sh -- bash -c '"$0" -s "127.0.0.1:$DNS_PORT" capos.test missing.capos.test' \
    "$demo" >"$out/dnsmasq.txt" || true
if diff -u tools/dns/resolver.expected "$out/dnsmasq.txt"; then
    say "dnsmasq: PASS (output as tools/dns/resolver.expected)"
else
    say "dnsmasq: FAIL (expected vs got above)"
    fail=1
fi

status=0
# shellcheck disable=SC2016
bash tools/dns/netns.sh -- bash -c '"$0" -s "127.0.0.1:$SILENT_PORT" -t 1 -a 2 capos.test' \
    "$demo" >"$out/silent.txt" || status=$?
if [ $status -eq 2 ] && [ "$(grep -c '^timeout capos.test ' "$out/silent.txt")" -eq 2 ]; then
    say "silent server: PASS (two timeout lines, exit 2)"
else
    say "silent server: FAIL (exit $status):"
    sed 's/^/    /' "$out/silent.txt"
    fail=1
fi

status=0
# shellcheck disable=SC2016
HOSTILE_MIN=${HOSTILE_MIN:-10000} bash tools/dns/netns.sh --hostile -- bash -c \
    'timeout 120 "$0" -s "127.0.0.1:$HOSTILE_PORT" -t 1 -a 2 -r 40 -k -q capos.test other.test' \
    "$demo" >"$out/hostile.txt" || status=$?
if [ $status -eq 0 ] && grep -q '^done: ' "$out/hostile.txt"; then
    say "hostile responder: PASS (the resolver said: $(grep '^done: ' "$out/hostile.txt"))"
else
    say "hostile responder: FAIL (exit $status):"
    sed 's/^/    /' "$out/hostile.txt"
    fail=1
fi
exit $fail
