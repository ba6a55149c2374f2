# Sourced by tools/bench.sh and tools/bench-linux.sh: whether QEMU can be
# given a network device inside a private network namespace
# (tools/net/run.sh). Sets net_wrap (the command to run QEMU under, empty
# when there is none) and net_missing (why not, empty when there is one).
# unshare's own complaint says why the namespace cannot be made.
net_wrap=() net_missing=
if [ "$(id -u)" -eq 0 ]; then
    net_probe=(unshare --net true)
else
    net_probe=(unshare --user --map-root-user --net true)
fi
if ! command -v unshare >/dev/null; then
    net_missing="unshare (util-linux) is missing; run tools/setup.sh"
elif ! net_why=$("${net_probe[@]}" 2>&1); then
    net_missing="no private network namespace (${net_probe[*]}: ${net_why:-failed}); run as root"
else
    net_wrap=(bash tools/net/run.sh)
fi
