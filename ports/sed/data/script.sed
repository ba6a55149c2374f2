# Number the lines that mention a capability, drop the rest.
/capabilit/!d
s/^/> /
=
