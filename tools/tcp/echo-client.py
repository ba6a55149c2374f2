#!/usr/bin/env python3
"""The host side of the TCP echo check (`make run-posix-tcp-smoke`).

Opens --connections connections at once to the guest's echo server
(demos/posix-tcp/echo-server.c), which QEMU's forwarding makes reachable
at 127.0.0.1:--port inside the smoke's private network namespace. Each
connection sends --bytes bytes of its own seeded pseudo-random data while
reading the echo, half-closes, reads to the end and compares. Connection
attempts the guest turns away (it is not listening yet, or its backlog
is full) are tried again until --deadline seconds have passed.

Prints one line per failure and a summary; exits 0 only if every byte of
every connection came back unchanged.
"""
import argparse
import random
import socket
import sys
import threading
import time


def one(i, args, results):
    data = random.Random(i).randbytes(args.bytes)
    deadline = time.monotonic() + args.deadline
    while True:
        try:
            s = socket.create_connection(("127.0.0.1", args.port), timeout=60)
            back = bytearray()

            def reader():
                # A reset (the guest turned the attempt away) ends it too.
                try:
                    while True:
                        chunk = s.recv(65536)
                        if not chunk:
                            break
                        back.extend(chunk)
                except OSError:
                    pass

            t = threading.Thread(target=reader)
            t.start()
            try:
                s.sendall(data)
                s.shutdown(socket.SHUT_WR)
            except OSError:
                pass
            t.join()
            s.close()
            if not back and time.monotonic() < deadline:
                # Turned away before anything was echoed: again.
                time.sleep(0.2)
                continue
            results[i] = back == data
            if not results[i]:
                print(f"echo-client: connection {i}: sent {len(data)}, got {len(back)} back"
                      f"{' (changed)' if len(back) == len(data) else ''}", flush=True)
            return
        except OSError as e:
            if time.monotonic() >= deadline:
                print(f"echo-client: connection {i}: {e}", flush=True)
                results[i] = False
                return
            time.sleep(0.2)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--connections", type=int, default=24)
    ap.add_argument("--bytes", type=int, default=512 * 1024)
    ap.add_argument("--deadline", type=float, default=240)
    args = ap.parse_args()
    results = [False] * args.connections
    start = time.monotonic()
    threads = [threading.Thread(target=one, args=(i, args, results)) for i in range(args.connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    took = time.monotonic() - start
    ok = sum(results)
    total = ok * args.bytes
    print(f"echo-client: {ok} of {args.connections} connections echoed {args.bytes} bytes each "
          f"unchanged: {total} bytes ({total / 2**20:.1f} MiB) each way in {took:.1f} s", flush=True)
    return 0 if ok == args.connections else 1


if __name__ == "__main__":
    sys.exit(main())
