# Three scripts deep: each runs the next with sh and reports its status.
echo "a: start"
sh /nest/b.sh
echo "a: b exited $?"
