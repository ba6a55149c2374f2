#!/usr/bin/env python3
"""Types into a program's terminal: runs COMMAND, copies everything it
prints to our stdout, and follows SCRIPT, a file of lines

    expect REGEX     wait until the output since the last match matches
    send TEXT        write TEXT (Python string escapes: \\r, \\x03, ...)
    flood N CHAR     write CHAR N times in one go
    range A B        write the bytes A to B (decimal), in order
    pause MS         wait MS milliseconds (the program runs on meanwhile)

Blank lines and lines starting with # are skipped. Waiting is bounded
only by the caller's timeout (smoke.sh's): a missing prompt fails the
smoke as a timeout, and the last output shows where. When the script
ends, the rest of the output is copied until COMMAND exits; our status
is COMMAND's.

COMMAND is QEMU with its serial line on stdio, talked to through pipes;
with --pty it is given a pseudo-terminal of 24x80 as its controlling
terminal and descriptors 0, 1 and 2: a Linux program (the differential
check of the console smoke, tools/smoke/console.diff.sh), whose each
write waits until the program's processes are all blocked, or QEMU as
make run starts it on a person's terminal (make run-interactive-check).

    python3 tools/smoke/type.py [--pty] SCRIPT COMMAND [ARGS...]
"""

import codecs
import fcntl
import os
import pty
import re
import signal
import struct
import subprocess
import sys
import termios
import time


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
            elif verb == "pause":
                yield verb, int(arg)
            elif verb == "flood":
                count, char = arg.split(" ", 1)
                yield verb, codecs.decode(char, "unicode_escape").encode("latin-1") * int(count)
            else:
                sys.exit(f"{path}:{number}: unknown step {verb!r}")


class Piped:
    """COMMAND with pipes for its standard streams."""

    def __init__(self, command):
        self.child = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )

    def read(self):
        return os.read(self.child.stdout.fileno(), 4096)

    def write(self, data):
        self.child.stdin.write(data)
        self.child.stdin.flush()

    def kill(self):
        self.child.kill()

    def wait(self):
        return self.child.wait()


class Pty:
    """COMMAND on a pseudo-terminal, as a session leader controlling it."""

    def __init__(self, command):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
            os.execvp(command[0], command)

    def read(self):
        try:
            return os.read(self.fd, 4096)
        except OSError:
            # EIO: the slave side is closed, the program has ended.
            return b""

    def write(self, data):
        self.settle()
        while data:
            data = data[os.write(self.fd, data):]

    def settle(self):
        """Waits until every process of the program's session sleeps (is
        blocked, in a read, a sleep or a wait), so that what is typed
        next meets the call the prompt announced, as it does on capOS,
        where a signal character typed early is kept for the call.
        Bounded by smoke.sh's timeout, like every wait here."""
        while True:
            states = []
            for entry in os.listdir("/proc"):
                if not entry.isdigit():
                    continue
                try:
                    with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as f:
                        fields = f.read().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                # After the name: state, ppid, pgrp, session.
                if int(fields[3]) == self.pid:
                    states.append(fields[0])
            if states and all(s in "SZ" for s in states):
                return
            time.sleep(0.005)

    def kill(self):
        os.kill(self.pid, signal.SIGKILL)

    def wait(self):
        _, status = os.waitpid(self.pid, 0)
        return os.waitstatus_to_exitcode(status)


def main():
    args = sys.argv[1:]
    use_pty = args[:1] == ["--pty"]
    if use_pty:
        args = args[1:]
    if len(args) < 2:
        sys.exit(__doc__)
    script, command = args[0], args[1:]
    child = Pty(command) if use_pty else Piped(command)
    # smoke.sh's timeout ends us: the program goes too.
    signal.signal(signal.SIGTERM, lambda *_: (child.kill(), os._exit(124)))
    out = sys.stdout.buffer
    seen = b""

    def pump():
        nonlocal seen
        chunk = child.read()
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
        elif verb == "pause":
            time.sleep(arg / 1000)
        else:
            try:
                child.write(arg)
            except (BrokenPipeError, OSError):
                break
    while pump():
        pass
    return child.wait()


if __name__ == "__main__":
    sys.exit(main())
