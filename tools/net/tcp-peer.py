#!/usr/bin/env python3
"""The host side of the TCP smokes: peers with known behaviour.

Runs inside the smoke's private network namespace, on 127.0.0.1 only;
QEMU's user networking lets the guest reach these ports as 10.0.2.2:PORT.
Each listens on --base + offset:

  +0 echo     every byte is sent back, until the guest shuts its writing
  +1 reset    reads a line, answers "bye\\n", then resets the connection
              (SO_LINGER 0) while the guest still expects more
  +2 silent   accepts and sends nothing (receive timeouts)
  +3 slow     reads nothing for --slow seconds (the guest's sends fill the
              window and must wait), then reads to the end and answers
              "got N\\n" with the byte count
  +4 control  "flood PORT N\\n": N connections to 127.0.0.1:PORT (QEMU
              forwards it to a guest listener) opened at once, each
              sending "hello\\n" and waiting for a line; answers
              "served K\\n" with how many got one
  +5          nothing listens (connection refused)
  +6 sink     reads and discards everything (the bench's guest-to-host
              figure)
  +7 source   sends bytes until the guest closes (the bench's
              host-to-guest figure)
  +8 stall    reads nothing, ever, and holds the connection for
              --stall seconds (SO_SNDTIMEO and SO_LINGER's wait)

It stops after --lifetime seconds at most; the script that started it
also stops it by its pid.
"""
import argparse
import socket
import struct
import threading
import time


def echo(conn):
    while True:
        data = conn.recv(65536)
        if not data:
            break
        conn.sendall(data)
    conn.shutdown(socket.SHUT_WR)


def reset(conn):
    f = conn.makefile("rb")
    f.readline()
    conn.sendall(b"bye\n")
    time.sleep(0.2)
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def silent(conn):
    conn.recv(1)


def slow(conn, pause):
    time.sleep(pause)
    total = 0
    while True:
        data = conn.recv(65536)
        if not data:
            break
        total += len(data)
    conn.sendall(b"got %d\n" % total)


def stall(pause):
    time.sleep(pause)


def sink(conn):
    while conn.recv(65536):
        pass


def source(conn):
    block = b"s" * 65536
    while True:
        conn.sendall(block)


def flood_one(port, results, i):
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        s.sendall(b"hello\n")
        line = s.makefile("rb").readline()
        results[i] = line == b"ok\n"
        s.close()
    except OSError:
        results[i] = False


def control(conn):
    f = conn.makefile("rb")
    line = f.readline().split()
    if len(line) == 3 and line[0] == b"flood":
        port, n = int(line[1]), int(line[2])
        results = [False] * n
        threads = [threading.Thread(target=flood_one, args=(port, results, i)) for i in range(n)]
        for t in threads:
            t.start()
        conn.sendall(b"started\n")
        for t in threads:
            t.join()
        conn.sendall(b"served %d\n" % sum(results))


def serve(port, handler, rcvbuf=None):
    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if rcvbuf:
        # Small, so the guest's window closes soon after the peer stops
        # reading (accepted sockets inherit it).
        lsock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    lsock.bind(("127.0.0.1", port))
    lsock.listen(64)

    def one(conn):
        try:
            handler(conn)
        except OSError:
            pass
        finally:
            conn.close()

    def loop():
        while True:
            conn, _ = lsock.accept()
            threading.Thread(target=one, args=(conn,), daemon=True).start()

    threading.Thread(target=loop, daemon=True).start()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", type=int, default=5600)
    ap.add_argument("--slow", type=float, default=4.0)
    ap.add_argument("--stall", type=float, default=60.0)
    ap.add_argument("--lifetime", type=float, default=900)
    ap.add_argument("--ready-file", help="written once every port listens")
    args = ap.parse_args()
    serve(args.base + 0, echo)
    serve(args.base + 1, reset)
    serve(args.base + 2, silent)
    serve(args.base + 3, lambda c: slow(c, args.slow), rcvbuf=4096)
    serve(args.base + 4, control)
    serve(args.base + 6, sink)
    serve(args.base + 7, source)
    serve(args.base + 8, lambda c: stall(args.stall), rcvbuf=4096)
    if args.ready_file:
        with open(args.ready_file, "w") as f:
            f.write("ready\n")
    time.sleep(args.lifetime)


if __name__ == "__main__":
    main()
