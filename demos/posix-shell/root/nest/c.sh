echo "c: three deep"
exit 7
