echo "b: start"
sh /nest/c.sh
echo "b: c exited $?"
exit 5
