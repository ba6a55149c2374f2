#!/usr/bin/env python3
"""How the guest ended its connections to one port, from QEMU's capture.

    resets.py PCAP PORT

Reads the pcap file QEMU's filter-dump wrote (Ethernet frames; only the
headers are needed) and, for each connection from the guest (10.0.2.15)
to PORT, notes whether the guest sent a FIN and whether it sent an RST.
Prints one line: "PORT: N closed in order (FIN, no RST), M reset (RST)".
tools/tcp/smoke.sh compares it with what demos/posix-tcp/checks.c did.
QEMU's user networking ends the host's side of both the same way (it
closes its socket), so only the capture tells them apart.
"""
import struct
import sys

GUEST = bytes([10, 0, 2, 15])
FIN, RST = 0x01, 0x04


def main():
    path, port = sys.argv[1], int(sys.argv[2])
    seen = {}
    with open(path, "rb") as f:
        f.read(24)
        while True:
            header = f.read(16)
            if len(header) < 16:
                break
            _, _, stored, _ = struct.unpack("<IIII", header)
            frame = f.read(stored)
            if frame[12:14] != b"\x08\x00":
                continue
            ip = frame[14:]
            if len(ip) < 20 or ip[9] != 6 or ip[12:16] != GUEST:
                continue
            tcp = ip[(ip[0] & 15) * 4 :]
            if len(tcp) < 14:
                continue
            src, dst = struct.unpack(">HH", tcp[:4])
            if dst != port:
                continue
            flags = seen.setdefault(src, set())
            if tcp[13] & FIN:
                flags.add("fin")
            if tcp[13] & RST:
                flags.add("rst")
    orderly = sum(1 for f in seen.values() if f == {"fin"})
    reset = sum(1 for f in seen.values() if "rst" in f)
    print(f"{port}: {orderly} closed in order (FIN, no RST), {reset} reset (RST)")


if __name__ == "__main__":
    main()
