#!/usr/bin/env python3
"""Types into a program's terminal: runs COMMAND (QEMU with -serial
stdio) with pipes, copies everything it prints to our stdout, and follows
SCRIPT, a file of lines

    expect REGEX     wait until the output since the last match matches
    send TEXT        write TEXT (Python string escapes: \\r, \\x03, ...)
    flood N CHAR     write CHAR N times in one go
    range A B        write the bytes A to B (decimal), in order

Blank lines and lines starting with # are skipped. Waiting is bounded
only by the caller's timeout (smoke.sh's): a missing prompt fails the
smoke as a timeout, and the last output shows where. When the script
ends, the rest of the output is copied until COMMAND exits; our status
is COMMAND's.

    python3 tools/smoke/type.py SCRIPT COMMAND [ARGS...]
"""

import codecs
import os
import re
import signal
import subprocess
import sys


def steps(path):
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            verb, _, arg = line.partition(" ")
            if verb == "expect":
                yield verb, re.compile(arg.encode())
            elif verb == "send":
                yield verb, codecs.decode(arg, "unicode_escape").encode("latin-1")
            elif verb == "range":
                first, last = (int(x) for x in arg.split())
                yield verb, bytes(range(first, last + 1))
            elif verb == "flood":
                count, char = arg.split(" ", 1)
                yield verb, codecs.decode(char, "unicode_escape").encode("latin-1") * int(count)
            else:
                sys.exit(f"{path}:{number}: unknown step {verb!r}")


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    script, command = sys.argv[1], sys.argv[2:]
    child = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    # smoke.sh's timeout ends us: QEMU goes too.
    signal.signal(signal.SIGTERM, lambda *_: (child.kill(), sys.exit(124)))
    out = sys.stdout.buffer
    seen = b""

    def pump():
        nonlocal seen
        chunk = os.read(child.stdout.fileno(), 4096)
        if chunk:
            out.write(chunk)
            out.flush()
            seen += chunk
        return bool(chunk)

    for verb, arg in steps(script):
        if verb == "expect":
            while True:
                m = arg.search(seen)
                if m:
                    seen = seen[m.end():]
                    break
                if not pump():
                    print(f"\ntype.py: output ended before {arg.pattern!r}", flush=True)
                    return child.wait() or 1
        else:
            try:
                child.stdin.write(arg)
                child.stdin.flush()
            except BrokenPipeError:
                break
    while pump():
        pass
    return child.wait()


if __name__ == "__main__":
    sys.exit(main())
