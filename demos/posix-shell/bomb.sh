# A fork bomb inside the quota of the service running it
# (system-posix-shell-bomb.cue): a tree of pipelines 7 deep, each side of
# each a fork, all alive at once, far more than the quota holds. Forks
# past it fail (dash: "Cannot fork", into /tmp/bomb.err, this service's
# descriptor 2, where the complaints of many shells at once cannot cut
# each other's lines), those shells end, and this one, which runs the
# bomb in a subshell, lives on. (Pipelines, not `&`: a background job
# reads /dev/null, which capOS's tree does not have.)
b() { [ "$1" -gt 0 ] || return 0; b $(($1 - 1)) | b $(($1 - 1)); }
( b 7 )
refused=0
while read -r line; do
    case $line in
    *": Cannot fork") refused=$((refused + 1)) ;;
    esac
done </tmp/bomb.err
[ "$refused" -gt 0 ] && echo "bomb: forks refused inside the quota"
echo "bomb: the shell is alive after the fork bomb"
