#!/usr/bin/env python3
"""Writes a large capture from small ones: COUNT copies of one-connection
captures (Ethernet, IPv4), each copy a new connection (its client address and
port changed), started SPACING_US apart, every EVERY-th copy taken from the
second capture. Output: a nanosecond pcap on stdout.

    pcap_repeat.py COUNT SPACING_US FIRST.pcap [SECOND.pcap EVERY]
"""
import struct
import sys


def read_pcap(path):
    d = open(path, "rb").read()
    magic = struct.unpack("<I", d[:4])[0]
    if magic not in (0xA1B23C4D, 0xA1B2C3D4):
        sys.exit("%s: not a little-endian pcap" % path)
    scale = 1 if magic == 0xA1B23C4D else 1000
    linktype = struct.unpack("<I", d[20:24])[0]
    if linktype != 1:
        sys.exit("%s: Ethernet only" % path)
    pkts, off = [], 24
    while off + 16 <= len(d):
        sec, frac, cap, _ = struct.unpack("<IIII", d[off:off + 16])
        pkts.append([sec * 1_000_000_000 + frac * scale, bytearray(d[off + 16:off + 16 + cap])])
        off += 16 + cap
    t0 = pkts[0][0]
    client = bytes(pkts[0][1][26:30]) + bytes(pkts[0][1][34:36])  # the first sender: address, port
    return [(t - t0, p) for t, p in pkts], client


def copy(pkts, client, i, start_ns, out):
    ip = bytes([10, (i >> 16) & 0xFF, (i >> 8) & 0xFF, i & 0xFF])
    port = struct.pack(">H", 1024 + i % 60000)
    for dt, p in pkts:
        q = bytearray(p)
        if q[12:14] == b"\x08\x00":
            if bytes(q[26:30]) + bytes(q[34:36]) == client:
                q[26:30], q[34:36] = ip, port
            elif bytes(q[30:34]) + bytes(q[36:38]) == client:
                q[30:34], q[36:38] = ip, port
        t = start_ns + dt
        out.write(struct.pack("<IIII", t // 1_000_000_000, t % 1_000_000_000, len(q), len(q)))
        out.write(q)


def main():
    count, spacing_us = int(sys.argv[1]), int(sys.argv[2])
    first = read_pcap(sys.argv[3])
    second = read_pcap(sys.argv[4]) if len(sys.argv) > 5 else None
    every = int(sys.argv[5]) if second else 0
    out = sys.stdout.buffer
    out.write(struct.pack("<IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, 262144, 1))
    base = 1_767_225_600 * 1_000_000_000  # 2026-01-01, the lab's clock
    for i in range(count):
        pkts, client = second if second and i % every == 0 else first
        copy(pkts, client, i, base + i * spacing_us * 1000, out)


if __name__ == "__main__":
    main()
