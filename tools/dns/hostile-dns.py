#!/usr/bin/env python3
"""A hostile DNS responder for resolver tests: every query it receives is
answered with a burst of malformed, mutated and misdirected replies, among
them (usually) one final reply that passes the resolver's checks. Python
standard library only; it listens on one UDP address (loopback inside the
test's private network namespace, tools/dns/netns.sh) and sends nothing to
anyone but the query's sender.

    python3 tools/dns/hostile-dns.py --port 5353 [--burst 60] [--seed 1]

Replies are what a resolver and the network stack under it must survive:
wrong ids, truncations at every length, compression loops and pointers out
of the packet, record lengths past the end, counts that lie, names longer
than DNS allows, oversized datagrams, random bytes, bit flips, the TC bit,
replies from another port, and floods. Somewhere in the burst is the
final reply: a correct answer (A 192.0.2.66 / AAAA 2001:db8::66, so a
test can tell it from the real server's), a mutated one that keeps the id
and question (so it gets past the transaction checks into the record
parser), or nothing at all.

With --silent it answers nothing at all: a server that never replies,
for testing timeouts (a closed port would not do: the host's stack
answers with ICMP port unreachable, which a connected socket sees as
ECONNREFUSED).

On SIGTERM or SIGINT it prints how many replies it sent, per kind, and
exits 0; `--report FILE` writes the same counts there, as JSON.
"""

import argparse
import json
import random
import signal
import socket
import struct
import sys

A_ADDR = bytes([192, 0, 2, 66])
AAAA_ADDR = bytes.fromhex("20010db8000000000000000000000066")
T_A, T_AAAA, T_CNAME, T_TXT = 1, 28, 5, 16


class Query:
    """The parts of a query a reply is built from; None if it is not one."""

    def __init__(self, data):
        if len(data) < 12:
            raise ValueError("short")
        self.id, flags, qdcount = struct.unpack(">HHH", data[:6])
        if flags & 0x8000 or qdcount != 1:
            raise ValueError("not a query")
        end = 12
        while True:
            if end >= len(data):
                raise ValueError("name runs off")
            n = data[end]
            if n == 0:
                end += 1
                break
            if n > 63:
                raise ValueError("label")
            end += 1 + n
        if end + 4 > len(data):
            raise ValueError("no type")
        self.qtype, self.qclass = struct.unpack(">HH", data[end:end + 4])
        self.question = data[12:end + 4]
        self.rd = flags & 0x0100


def header(qid, flags, qd=1, an=0, ns=0, ar=0):
    return struct.pack(">HHHHHH", qid, flags, qd, an, ns, ar)


def rr(name, rtype, rdata, ttl=60, rclass=1, rdlength=None):
    if rdlength is None:
        rdlength = len(rdata)
    return name + struct.pack(">HHIH", rtype, rclass, ttl, rdlength) + rdata


def answer_rdata(q):
    return (T_AAAA, AAAA_ADDR) if q.qtype == T_AAAA else (T_A, A_ADDR)


def valid(q, rng):
    """A correct answer: the question, one record, name by pointer."""
    rtype, rdata = answer_rdata(q)
    return header(q.id, 0x8180 | q.rd, an=1) + q.question + rr(b"\xc0\x0c", rtype, rdata)


# Each mutation returns the datagram to send. Those named keep_* keep the
# id and question intact, so they reach the resolver's record parser.

def wrong_id(q, rng):
    good = valid(q, rng)
    return struct.pack(">H", q.id ^ rng.randrange(1, 0x10000)) + good[2:]


def truncated(q, rng):
    good = valid(q, rng)
    return good[:rng.randrange(0, len(good))]


def empty(q, rng):
    return b""


def garbage(q, rng):
    return bytes(rng.randrange(256) for _ in range(rng.randrange(1, 700)))


def garbage_same_id(q, rng):
    return struct.pack(">H", q.id) + garbage(q, rng)


def bit_flips(q, rng):
    data = bytearray(valid(q, rng))
    for _ in range(rng.randrange(1, 9)):
        i = rng.randrange(len(data) * 8)
        data[i // 8] ^= 1 << (i % 8)
    return bytes(data)


def keep_compression_loop(q, rng):
    """The answer's name is a pointer to itself."""
    at = 12 + len(q.question)
    ptr = struct.pack(">H", 0xC000 | at)
    rtype, rdata = answer_rdata(q)
    return header(q.id, 0x8180, an=1) + q.question + rr(ptr, rtype, rdata)


def keep_pointer_pair_loop(q, rng):
    """Two names pointing at each other: the record's, and a CNAME's rdata."""
    at = 12 + len(q.question)
    first = struct.pack(">H", 0xC000 | (at + 2 + 10))
    second = struct.pack(">H", 0xC000 | at)
    return (header(q.id, 0x8180, an=1) + q.question
            + rr(first, T_CNAME, second))


def keep_label_pointer_loop(q, rng):
    """The question's name is a label and then a pointer back to it: a
    cycle through a label (dns.c 20200726 expanded it for ever; see
    vendor/dns-c-wahern/patches/). The type and class still match."""
    loop = b"\x01a" + struct.pack(">H", 0xC000 | 12)
    question = loop + q.question[-4:]
    return header(q.id, 0x8180, an=0) + question


def keep_pointer_out_of_packet(q, rng):
    ptr = struct.pack(">H", 0xC000 | rng.randrange(0x200, 0x4000))
    rtype, rdata = answer_rdata(q)
    return header(q.id, 0x8180, an=1) + q.question + rr(ptr, rtype, rdata)


def keep_rdlength_past_end(q, rng):
    rtype, rdata = answer_rdata(q)
    return (header(q.id, 0x8180, an=1) + q.question
            + rr(b"\xc0\x0c", rtype, rdata, rdlength=rng.choice([0xFFFF, len(rdata) + 1, 300])))


def keep_rdlength_short(q, rng):
    """An A record of 3 bytes, an AAAA of 15."""
    rtype, rdata = answer_rdata(q)
    return header(q.id, 0x8180, an=1) + q.question + rr(b"\xc0\x0c", rtype, rdata[:-1])


def keep_counts_lie(q, rng):
    rtype, rdata = answer_rdata(q)
    return (header(q.id, 0x8180, an=0xFFFF, ns=rng.randrange(0x10000), ar=0xFFFF)
            + q.question + rr(b"\xc0\x0c", rtype, rdata))


def keep_long_name(q, rng):
    """Labels of 63 bytes until the name passes 255 bytes, then a record."""
    name = b"".join(b"\x3f" + bytes([rng.randrange(97, 123)]) * 63 for _ in range(5)) + b"\x00"
    rtype, rdata = answer_rdata(q)
    return header(q.id, 0x8180, an=1) + q.question + rr(name, rtype, rdata)


def keep_bad_label(q, rng):
    """A label length byte of 0x40..0xBF: neither a label nor a pointer."""
    name = bytes([rng.randrange(0x40, 0xC0)]) + b"abc\x00"
    rtype, rdata = answer_rdata(q)
    return header(q.id, 0x8180, an=1) + q.question + rr(name, rtype, rdata)


def keep_oversized(q, rng):
    """More records than the resolver's buffer holds (768 bytes for dns.c)
    or than one Ethernet frame carries, up to a 16 KiB datagram."""
    rtype, rdata = answer_rdata(q)
    count = rng.choice([60, 200, 700])
    body = b"".join(rr(b"\xc0\x0c", rtype, rdata) for _ in range(count))
    return header(q.id, 0x8180, an=count) + q.question + body


def keep_huge_txt(q, rng):
    """One TXT record of 60 KB, in a near-maximal datagram."""
    strings = b"".join(b"\xff" + b"x" * 255 for _ in range(234))
    return header(q.id, 0x8180, an=1) + q.question + rr(b"\xc0\x0c", T_TXT, strings)


def keep_cname_self(q, rng):
    """The name is a CNAME for itself."""
    return header(q.id, 0x8180, an=1) + q.question + rr(b"\xc0\x0c", T_CNAME, b"\xc0\x0c")


def keep_truncated_bit(q, rng):
    """TC set: a resolver may retry over TCP (nothing listens there)."""
    return header(q.id, 0x8380, an=0) + q.question


def keep_odd_rcode(q, rng):
    flags = 0x8000 | (rng.randrange(16) << 11) | rng.randrange(16)
    return header(q.id, flags, an=0) + q.question


def keep_wrong_question(q, rng):
    """The right id, another question (type or name changed)."""
    question = bytearray(q.question)
    if rng.randrange(2):
        question[-3] ^= 0x01  # the type's low byte
    else:
        question[1] ^= 0x20  # a letter's case, or a byte of it
    return valid(q, rng)[:12] + bytes(question) + valid(q, rng)[12 + len(q.question):]


def keep_trailing_junk(q, rng):
    return valid(q, rng) + garbage(q, rng)


BURST = [wrong_id, truncated, empty, garbage, garbage_same_id, bit_flips,
         keep_compression_loop, keep_pointer_pair_loop, keep_label_pointer_loop,
         keep_pointer_out_of_packet, keep_rdlength_past_end, keep_rdlength_short,
         keep_counts_lie, keep_long_name, keep_bad_label, keep_oversized, keep_huge_txt,
         keep_cname_self, keep_truncated_bit, keep_odd_rcode, keep_wrong_question,
         keep_trailing_junk]


class Responder:
    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((args.address, args.port))
        # Replies "from" another port: a connected resolver must ignore them.
        self.other = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.other.bind((args.address, 0))
        self.sent = {}
        self.failed = 0
        self.queries = 0
        self.not_queries = 0

    def send(self, kind, data, to, sock=None):
        try:
            (sock or self.sock).sendto(data, to)
        except OSError:
            # ENOBUFS and the like: counted apart, never as sent.
            self.failed += 1
            return
        self.sent[kind] = self.sent.get(kind, 0) + 1

    def answer(self, q, to):
        rng = self.rng
        # The final reply goes at a random place in the burst: early, the
        # rest of the burst lands on the resolver's next query.
        final_at = rng.randrange(self.args.burst + 1)
        for i in range(self.args.burst + 1):
            if i == final_at:
                self.final(q, to)
                continue
            mutate = rng.choice(BURST)
            self.send(mutate.__name__, mutate(q, rng), to)
        if rng.randrange(8) == 0:
            self.send("from_other_port", valid(q, rng), to, self.other)
        if rng.randrange(16) == 0:
            # A flood: the same stale reply, many times over.
            stale = wrong_id(q, rng)
            for _ in range(self.args.flood):
                self.send("flood", stale, to)

    def final(self, q, to):
        rng = self.rng
        final = rng.randrange(10)
        if final < 6:
            self.send("final_valid", valid(q, rng), to)
        elif final < 9:
            mutate = rng.choice([m for m in BURST if m.__name__.startswith("keep_")])
            self.send("final_" + mutate.__name__, mutate(q, rng), to)
        # else: no final reply; the resolver's attempt times out.

    def serve(self):
        while True:
            data, peer = self.sock.recvfrom(65535)
            try:
                q = Query(data)
            except ValueError:
                self.not_queries += 1
                continue
            self.queries += 1
            if not self.args.silent:
                self.answer(q, peer)

    def total(self):
        return sum(self.sent.values())

    def report(self):
        kinds = ", ".join(f"{k}={v}" for k, v in sorted(self.sent.items()))
        print(f"hostile-dns: sent {self.total()} replies to {self.queries} queries "
              f"({self.failed} sends failed, {self.not_queries} datagrams not queries)")
        print(f"hostile-dns: kinds: {kinds}")
        sys.stdout.flush()
        if self.args.report:
            with open(self.args.report, "w") as f:
                json.dump({"sent": self.total(), "queries": self.queries,
                           "failed": self.failed, "kinds": self.sent}, f, indent=1)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--address", default="127.0.0.1")
    p.add_argument("--port", type=int, default=5353)
    p.add_argument("--burst", type=int, default=60, help="mutated replies per query")
    p.add_argument("--flood", type=int, default=300, help="copies in one flood")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--silent", action="store_true", help="receive queries, answer none")
    p.add_argument("--report", help="write the counts here as JSON at exit")
    args = p.parse_args()

    responder = Responder(args)

    def stop(signum, frame):
        responder.report()
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    what = "no replies" if args.silent else f"seed {args.seed}, {args.burst} replies per query"
    print(f"hostile-dns: listening on {args.address}:{args.port} ({what})", flush=True)
    responder.serve()


if __name__ == "__main__":
    main()
