#!/usr/bin/env python3
"""The host's side of demos/posix-tcp/netcat-run.c's exchanges with nc.

  netcat-peer.py sink --port P --bytes N --seed S
      Listens on 127.0.0.1:P for one connection, reads it to its end,
      checks every byte against the seeded sequence, answers one line
      ("received N bytes, sha256 H, as expected" or "..., NOT as
      expected") and closes. Exits 0 only if the bytes matched. With
      --ready-file F, writes F once it listens.
  netcat-peer.py source --port P --bytes N --seed S
      Connects to 127.0.0.1:P (QEMU's forwarding to the guest's nc -l, or
      a Linux nc -l), retrying until the listener answers "ready", then
      sends N bytes of the seeded sequence, shuts its sending side and
      waits for the close. Exits 0 once everything went.

The sequence is netcat-run.c's xorshift32: each byte the low 8 bits of
the next state.
"""
import argparse
import hashlib
import socket
import sys
import time


def sequence(seed, length):
    out = bytearray(length)
    x = seed
    for i in range(length):
        x ^= (x << 13) & 0xFFFFFFFF
        x ^= x >> 17
        x ^= (x << 5) & 0xFFFFFFFF
        out[i] = x & 0xFF
    return bytes(out)


def say(mode, text):
    print(f"netcat-peer {mode}: {text}", flush=True)


def sink(port, expected, deadline, ready_file):
    with socket.socket() as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", port))
        listener.listen(1)
        if ready_file:
            with open(ready_file, "w") as f:
                f.write("listening\n")
        listener.settimeout(max(1, deadline - time.monotonic()))
        conn, peer = listener.accept()
    with conn:
        conn.settimeout(max(1, deadline - time.monotonic()))
        got = bytearray()
        while chunk := conn.recv(65536):
            got += chunk
        ok = bytes(got) == expected
        verdict = "as expected" if ok else "NOT as expected"
        line = f"received {len(got)} bytes, sha256 {hashlib.sha256(got).hexdigest()[:16]}, {verdict}"
        conn.sendall(line.encode() + b"\n")
        conn.shutdown(socket.SHUT_WR)
    say("sink", f"{line} (from {peer[0]})")
    return ok


def source(port, payload, deadline, _ready_file):
    while time.monotonic() < deadline:
        try:
            conn = socket.create_connection(("127.0.0.1", port), timeout=5)
        except OSError:
            time.sleep(0.2)
            continue
        with conn:
            # Through QEMU's forwarding the connect succeeds before the
            # guest listens; "ready" says nc has the connection.
            greeting = b""
            try:
                while not greeting.endswith(b"\n") and len(greeting) < 64:
                    chunk = conn.recv(64)
                    if not chunk:
                        break
                    greeting += chunk
            except OSError:
                pass
            if greeting != b"ready\n":
                time.sleep(0.2)
                continue
            conn.settimeout(max(1, deadline - time.monotonic()))
            conn.sendall(payload)
            conn.shutdown(socket.SHUT_WR)
            while conn.recv(65536):
                pass
        say("source", f"sent {len(payload)} bytes")
        return True
    say("source", "no listener answered before the deadline")
    return False


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["sink", "source"])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--bytes", type=int, required=True)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--lifetime", type=float, default=120)
    parser.add_argument("--ready-file")
    args = parser.parse_args()
    deadline = time.monotonic() + args.lifetime
    payload = sequence(args.seed, args.bytes)
    try:
        ok = (sink if args.mode == "sink" else source)(args.port, payload, deadline, args.ready_file)
    except OSError as e:
        say(args.mode, f"FAIL: {e}")
        ok = False
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
