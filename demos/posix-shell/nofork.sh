# dash without the "fork" capability (system-posix-shell-nofork.cue):
# simple commands run through vfork and the fork-for-exec shim; the
# command substitution below needs a real fork, which is refused at once
# ("Cannot fork", status 2), never a fault.
echo "nofork: simple commands run"
seq 2
x=$(echo hi)
echo "nofork: not reached"
