# A fork bomb inside the quota of the service running it
# (system-posix-shell-bomb.cue): a tree of pipelines 7 deep, each side of
# each a fork, all alive at once, far more than the quota holds. Forks
# or pipes past it fail (dash: "Cannot fork" or "Pipe call failed",
# into /tmp/bomb.err, this service's descriptor 2, kept off the console
# the smoke reads), those shells end, and this one, which runs the bomb
# in a subshell, lives on. (Pipelines, not `&`: a background job
# reads /dev/null, which capOS's tree does not have.)
b() { [ "$1" -gt 0 ] || return 0; b $(($1 - 1)) | b $(($1 - 1)); }
( b 7 )
# Several shells write their complaints at once, each in pieces ("dash: 9: "
# then the message), so the pieces of different shells can share a line;
# the quota shows as a fork or a pipe refused, whichever came first.
refused=0
while read -r line; do
    case $line in
    *"Cannot fork"* | *"Pipe call failed"*) refused=$((refused + 1)) ;;
    esac
done </tmp/bomb.err
[ "$refused" -gt 0 ] && echo "bomb: forks refused inside the quota"
echo "bomb: the shell is alive after the fork bomb"
