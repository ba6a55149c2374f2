#!/usr/bin/env python3
"""The host side of the network smoke and bench: a UDP echo server.

Runs inside the smoke's private network namespace (tools/net/run.sh), on
127.0.0.1 only; QEMU's user networking lets the guest reach it as
10.0.2.2. Every datagram is sent back to its sender, except two requests:

  flood N   N datagrams to --flood-port on 127.0.0.1 (QEMU forwards that
            port to a guest port nobody binds), then "flooded N" back.
  burst N   N datagrams back to the sender at once (more than a socket's
            queue holds).
  sink ...  (any datagram starting so) counted, not answered: the one-way
            bench figure (demos/bench).
  sunk?     "sunk N" back: how many sink datagrams arrived so far.

It stops after --lifetime seconds at most, so a lost run never leaves it
behind; the script that started it also stops it by its pid.
"""
import argparse
import socket
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--flood-port", type=int, required=True)
    ap.add_argument("--lifetime", type=float, default=600)
    ap.add_argument("--ready-file", help="written once the socket is bound")
    args = ap.parse_args()
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", args.port))
    if args.ready_file:
        with open(args.ready_file, "w") as f:
            f.write("ready\n")
    deadline = time.monotonic() + args.lifetime
    echoed = 0
    sunk = 0
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        sock.settimeout(left)
        try:
            data, peer = sock.recvfrom(65535)
        except socket.timeout:
            break
        if data.startswith(b"sink "):
            sunk += 1
            continue
        if data == b"sunk?":
            sock.sendto(b"sunk %d" % sunk, peer)
            continue
        words = data.split()
        if len(words) == 2 and words[0] in (b"flood", b"burst") and words[1].isdigit():
            count = min(int(words[1]), 10000)
            target = ("127.0.0.1", args.flood_port) if words[0] == b"flood" else peer
            for i in range(count):
                sock.sendto(b"%s %d" % (words[0], i), target)
            if words[0] == b"flood":
                sock.sendto(b"flooded %d" % count, peer)
            print(f"udp-echo: {words[0].decode()} {count} sent", flush=True)
        else:
            sock.sendto(data, peer)
            echoed += 1
    print(f"udp-echo: {echoed} datagrams echoed, {sunk} sunk", flush=True)


if __name__ == "__main__":
    sys.exit(main())
