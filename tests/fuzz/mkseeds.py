#!/usr/bin/env python3
"""mkseeds.py OUTDIR CAPTURE... : fuzz seeds from classic-pcap Ethernet/IPv4
captures (as tlsdiag lab writes them): OUTDIR/pcap (the files), OUTDIR/tls (each
connection's bytes in fuzz_tls's chunk format), OUTDIR/hello (handshake message
bodies)."""
import os
import struct
import sys


def packets(path):
    data = open(path, "rb").read()
    off = 24
    while off + 16 <= len(data):
        incl = struct.unpack("<I", data[off + 8:off + 12])[0]
        yield data[off + 16:off + 16 + incl]
        off += 16 + incl


def main():
    out, caps = sys.argv[1], sys.argv[2:]
    for sub in ("pcap", "tls", "hello"):
        os.makedirs(os.path.join(out, sub), exist_ok=True)
    n = 0
    for cap in caps:
        name = os.path.basename(cap).rsplit(".", 1)[0]
        with open(cap, "rb") as f, open(os.path.join(out, "pcap", name), "wb") as g:
            g.write(f.read())
        conns = {}
        for p in packets(cap):
            if len(p) < 54 or p[12:14] != b"\x08\x00" or p[23] != 6:
                continue
            ihl = (p[14] & 15) * 4
            t = 14 + ihl
            sport, dport = struct.unpack(">HH", p[t:t + 4])
            thl = (p[t + 12] >> 4) * 4
            payload = p[t + thl:]
            key = tuple(sorted([sport, dport]))
            conns.setdefault(key, []).append((dport == 443 or dport == key[1] and sport > dport, payload,
                                              bool(p[t + 13] & 1)))
        for key, segs in conns.items():
            chunks = b""
            for to_server, payload, fin in segs:
                if payload or fin:
                    h = (0 if to_server else 0x80) | (0x40 if fin else 0)
                    chunks += bytes([h]) + struct.pack(">H", len(payload)) + payload
            with open(os.path.join(out, "tls", "%s-%d" % (name, key[1])), "wb") as g:
                g.write(chunks)
            for to_server, payload, fin in segs:
                off = 0
                while off + 9 <= len(payload) and payload[off] == 22:
                    rlen = struct.unpack(">H", payload[off + 3:off + 5])[0]
                    body = payload[off + 9:off + 5 + rlen]
                    n += 1
                    with open(os.path.join(out, "hello", "%s-%d" % (name, n)), "wb") as g:
                        g.write(body)
                    off += 5 + rlen
    print("seeds from %d captures" % len(caps))


if __name__ == "__main__":
    main()
