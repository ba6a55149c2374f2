# A fork bomb inside the quota of the service running it (system-posix-
# shell.cue's "bomb"): a tree of pipelines 7 deep, each side of each a
# fork, all alive at once, far more than the quota holds. Forks past it
# fail (dash: "Cannot fork"), those shells end, and this one, which runs
# the bomb in a subshell, lives on. (Pipelines, not `&`: a background job
# reads /dev/null, which capOS's tree does not have.) Every line it prints
# starts "~ " (its argv[0] is "~ bomb"), so the shell smoke's comparison
# with Linux leaves them out: this part runs on capOS only.
b() { [ "$1" -gt 0 ] || return 0; b $(($1 - 1)) | b $(($1 - 1)); }
( b 7 )
echo "~ bomb: the shell is alive after the fork bomb"
