#!/usr/bin/env python3
"""Hostile captures for the limits tests (classic pcap, Ethernet/IPv4/TCP).

usage: hostile.py KIND OUT [ARG]
  halfopen N     N connections, each a handshake and a ClientHello, never closed
  ooo N          one connection: a ClientHello, then N bytes of records sent as
                 1-byte segments, each window of 32 in reverse order
  wrap IN        IN (a lab capture) with every sequence number moved so that
                 both directions wrap around 2^32 during the handshake
  lengths        one connection per pathology: a handshake message claiming
                 2^24-1 bytes, a record over 2^14+2048, zero-length records, a
                 ClientHello with 10,000 suites, one with 10,000 extensions, a
                 Certificate with 100 certificates, a certificate of 10,000
                 nested ASN.1 SEQUENCEs
"""
import struct
import sys

CLIENT, SERVER = b"\xc0\x00\x02\x0a", b"\xc6\x33\x64\x14"


def frame(src, dst, sport, dport, seq, ack, flags, payload=b""):
    ip_len = 20 + 20 + len(payload)
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, ip_len, 0, 0x4000, 64, 6, 0, src, dst)
    tcp = struct.pack(">HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 5 << 4, flags, 65535, 0, 0)
    return b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00" + ip + tcp + payload


class Writer:
    def __init__(self, path):
        self.f = open(path, "wb")
        self.f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        self.t = 1767225600.0

    def add(self, data):
        self.t += 0.000001
        sec = int(self.t)
        usec = int((self.t - sec) * 1e6)
        self.f.write(struct.pack("<IIII", sec, usec, len(data), len(data)) + data)

    def close(self):
        self.f.close()


def record(ctype, body, version=0x0303):
    return struct.pack(">BHH", ctype, version, len(body)) + body


def handshake(htype, body):
    return struct.pack(">B", htype) + len(body).to_bytes(3, "big") + body


def client_hello(suites=(0x1301, 0xC02F), exts=b""):
    body = struct.pack(">H", 0x0303) + b"\x11" * 32 + b"\x00"
    body += struct.pack(">H", 2 * len(suites)) + b"".join(struct.pack(">H", s) for s in suites)
    body += b"\x01\x00" + struct.pack(">H", len(exts)) + exts
    return handshake(1, body)


def records_of(ctype, data, version=0x0303):
    return b"".join(record(ctype, data[i:i + 16384], version) for i in range(0, len(data), 16384))


class Conn:
    """A TCP connection whose client is CLIENT:port and server SERVER:443."""

    def __init__(self, w, port, isn_c=1000, isn_s=5000):
        self.w, self.port = w, port
        self.seq = {0: isn_c, 1: isn_s}

    def open(self):
        self.w.add(frame(CLIENT, SERVER, self.port, 443, self.seq[0], 0, 0x02))
        self.w.add(frame(SERVER, CLIENT, 443, self.port, self.seq[1], self.seq[0] + 1, 0x12))
        self.seq[0] += 1
        self.seq[1] += 1
        self.w.add(frame(CLIENT, SERVER, self.port, 443, self.seq[0], self.seq[1], 0x10))

    def send(self, side, data, mss=1460):
        for i in range(0, len(data), mss):
            self.segment(side, self.seq[side], data[i:i + mss])
            self.seq[side] += len(data[i:i + mss])

    def segment(self, side, seq, data, flags=0x18):
        src, dst, sp, dp = (CLIENT, SERVER, self.port, 443) if side == 0 else (SERVER, CLIENT, 443, self.port)
        self.w.add(frame(src, dst, sp, dp, seq, self.seq[1 - side], flags, data))

    def close(self):
        for side in (0, 1):
            self.segment(side, self.seq[side], b"", 0x11)
            self.seq[side] += 1


def halfopen(out, n):
    w = Writer(out)
    ch = record(22, client_hello())
    for i in range(n):
        c = Conn(w, 1024 + i % 60000, isn_c=i * 7919)
        if i >= 60000:  # another client address once the ports run out
            c.port = 1024 + i % 60000
        c.open()
        c.send(0, ch)
    w.close()


def ooo(out, n):
    w = Writer(out)
    c = Conn(w, 40000)
    c.open()
    c.send(0, record(22, client_hello()))
    data = records_of(23, b"\xab" * n)
    base = c.seq[0]
    win = 32
    for start in range(0, len(data), win):
        for i in reversed(range(start, min(start + win, len(data)))):
            c.segment(0, base + i, data[i:i + 1])
    c.seq[0] = base + len(data)
    c.close()
    w.close()


def wrap(src, out):
    sys.path.insert(0, __file__.rsplit("/", 1)[0])
    import pcaptool
    hdr, linktype, pkts = pcaptool.read_pcap(src)
    first = {}
    for p in pkts:
        if pcaptool.tcp_info(p[2]):
            first.setdefault(pcaptool.sport_of(p[2]), pcaptool.seq_of(p[2]))
    # each side's first sequence number 40 below 2^32: both wrap in the handshake
    shift = {port: (0x100000000 - 40 - s) & 0xFFFFFFFF for port, s in first.items()}
    for p in pkts:
        info = pcaptool.tcp_info(p[2])
        if not info:
            continue
        t = info[2]
        d = bytearray(p[2])
        sport, dport = struct.unpack(">HH", d[t:t + 4])
        seq, ack = struct.unpack(">II", d[t + 4:t + 12])
        seq = (seq + shift[sport]) & 0xFFFFFFFF
        if d[t + 13] & 0x10:
            ack = (ack + shift.get(dport, 0)) & 0xFFFFFFFF
        d[t + 4:t + 12] = struct.pack(">II", seq, ack)
        p[2] = bytes(d)
    pcaptool.write_pcap(out, hdr, linktype, pkts)


def lengths(out, leaf_der):
    w = Writer(out)
    cases = [
        # a handshake header claiming 2^24 - 1 bytes, then the connection ends
        record(22, b"\x01\xff\xff\xff" + b"\x00" * 100),
        # a record over 2^14 + 2048
        record(22, b"\x00" * (16384 + 2048 + 1)),
        # zero-length handshake and alert records, then a ClientHello
        record(22, b"") + record(21, b"") + record(22, client_hello()),
        # 10,000 suites
        records_of(22, client_hello(suites=[0x0A0A + i for i in range(10000)])),
        # 10,000 extensions
        records_of(22, client_hello(exts=b"".join(struct.pack(">HH", 0xFF00 + (i % 200), 0) for i in range(10000)))),
    ]
    port = 41000
    for data in cases:
        c = Conn(w, port)
        port += 1
        c.open()
        c.send(0, data)
        c.close()
    # a server Certificate with 100 certificates, and one with a nested ASN.1 bomb
    nested = b""
    for _ in range(10000):
        nested = b"\x30\x84" + len(nested).to_bytes(4, "big") + nested
    sh = handshake(2, struct.pack(">H", 0x0303) + b"\x22" * 32 + b"\x00" + b"\xc0\x2f\x00\x00\x00")
    for certs in ([leaf_der] * 100, [nested]):
        body = b"".join(len(x).to_bytes(3, "big") + x for x in certs)
        cert = handshake(11, len(body).to_bytes(3, "big") + body)
        c = Conn(w, port)
        port += 1
        c.open()
        c.send(0, record(22, client_hello()))
        c.send(1, records_of(22, sh + cert))
        c.send(0, record(21, b"\x02\x2a"))
        c.close()
    w.close()


def main():
    kind, out = sys.argv[1], sys.argv[2]
    if kind == "halfopen":
        halfopen(out, int(sys.argv[3]))
    elif kind == "ooo":
        ooo(out, int(sys.argv[3]))
    elif kind == "wrap":
        wrap(sys.argv[3], out)
    elif kind == "lengths":
        lengths(out, open(sys.argv[3], "rb").read())
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
