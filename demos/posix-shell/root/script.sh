# Read by dash on descriptor 0 (make run-posix-shell-smoke), on capOS and
# on Linux in a scratch root holding the same files; the two outputs must
# be identical.
cd /home
ls; echo done
cat foo | grep bar
echo a b c | wc -w
x=$(echo hi); echo "$x"
for i in $(seq 1 3); do echo "item $i"; done
seq 2 | while read n; do echo "read $n"; done
echo one > /tmp/out
echo two >> /tmp/out
cat < /tmp/out
wc -l < /tmp/out
ls /nowhere 2>&1
ls /nowhere > /tmp/err 2>&1; echo "ls: $?"; cat /tmp/err
( cd /tmp && pwd )
pwd
false; echo "false: $?"
nosuchcommand; echo "missing: $?"
cat <<END
here $x
  document
END
sort fruit | uniq -c | sort -rn | head -1
printf '%s=%d\n' answer 42
echo "a:b:c" | cut -d: -f2 | tr b B
echo hello world | sed 's/world/capOS/'
seq 5 | tail -2 | head -1
mkdir /tmp/d && touch /tmp/d/f && cp /tmp/d/f /tmp/d/g && mv /tmp/d/g /tmp/d/h && ls /tmp/d
rm /tmp/d/f /tmp/d/h && ls /tmp/d | wc -l
env -i A=1 B=2
test -d /tmp && echo "test -d: yes"
[ -f /tmp/nothing ] || echo "[ -f ]: no"
sleep 0 && true && echo slept
seq 1 100000 | head -1
segv; echo "segv: $?"
# dash says "Terminated" if `wait` is what reaps the job, and nothing if
# it was reaped before (a race on Linux too): the status is what counts.
sleep 10 & sleep 1; kill $!; wait $! 2>/dev/null; echo "kill: $?"
env -i A=1 env
sh -c 'sh -c "echo deep"'
echo x y | xargs echo got
sh /nest/a.sh
# A background job (its stdin is /dev/null); dash's `wait` builtin needs
# a SIGCHLD handler to run, which capOS cannot yet, so the shell polls
# for the job's file instead.
(echo "from the background" > /tmp/bg) &
until [ -s /tmp/bg ]; do :; done; cat /tmp/bg
cat /dev/null; head -c 4 /dev/zero | wc -c
wc -c < /dev/null
test -c /dev/null && echo "test -c: yes"
echo gone > /dev/null; echo "null: $?"
(echo x > /dev/full) 2>/dev/null; echo "full: $?"
echo "$(cat /dev/zero | head -c 3 | tr '\0' z)"
head -c 16 /dev/urandom | wc -c
echo end
exit 3
echo "not reached"
