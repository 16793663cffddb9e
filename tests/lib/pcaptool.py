#!/usr/bin/env python3
"""Rewrite a classic-pcap Ethernet capture for the tests.

usage: pcaptool.py OP IN OUT [ARG]
  link TYPE      re-encapsulate: raw, null, loop, sll, vlan, qinq, ipv4 (DLT 228)
  reorder        swap each pair of adjacent data segments of a direction
  duplicate      send every data segment twice (retransmissions)
  split N [O]    cut every data segment into N-byte pieces, each piece
                 overlapping the previous one by O bytes (default 0)
  nosyn          drop SYN and SYN/ACK packets
  drop K         drop the K-th data segment sent by a server (source port < 10000)
  flip SEED N    flip N random bits (seeded) after the file header
  fragment N     cut every IPv4 packet into fragments of N payload bytes (N a
                 multiple of 8), sent last fragment first
  tunnel KIND    carry each IP packet in a tunnel between 192.0.2.1 and 192.0.2.2
                 (the same way for both directions): ipip, gre, gre-eth, erspan2,
                 erspan3, vxlan, geneve, gtpu, mpls, pppoe, ipip6 (in an IPv6 outer header)
  flips FIRST LAST N   OUT is a directory: one file per seed FIRST..LAST,
                 each op flip SEED N (the same bytes as flip gives)
  cuts STEP [LIMIT]    OUT is a directory: the file cut at every STEP bytes
                 below LIMIT (default: its size), one file per cut named
                 BASENAME@OFFSET; prints "PATH OFFSET MID" per cut, MID 1 when
                 the cut falls inside the file header or a frame (pcap) /
                 block (pcapng): tlsdiag must name the file on stderr
Only IPv4 over Ethernet input is rewritten by the TCP operations; other
frames pass through unchanged. Checksums are not recomputed (Wireshark does
not check them by default, nor does tlsdiag).
"""
import random
import struct
import sys


def read_pcap(path):
    data = open(path, "rb").read()
    magic = struct.unpack("<I", data[:4])[0]
    if magic not in (0xA1B2C3D4, 0xA1B23C4D):
        sys.exit("not a little-endian classic pcap: %s" % path)
    hdr = data[:24]
    linktype = struct.unpack("<I", data[20:24])[0]
    pkts, off = [], 24
    while off + 16 <= len(data):
        sec, frac, incl, orig = struct.unpack("<IIII", data[off:off + 16])
        pkts.append([sec, frac, data[off + 16:off + 16 + incl], orig])
        off += 16 + incl
    return hdr, linktype, pkts


def write_pcap(path, hdr, linktype, pkts):
    with open(path, "wb") as f:
        f.write(hdr[:20] + struct.pack("<I", linktype))
        for sec, frac, data, orig in pkts:
            f.write(struct.pack("<IIII", sec, frac, len(data), max(orig, len(data))))
            f.write(data)


def tcp_info(frame):
    """(ip_off, ihl, tcp_off, thl, payload) for IPv4/TCP over Ethernet, else None."""
    if len(frame) < 54 or frame[12:14] != b"\x08\x00" or frame[23] != 6:
        return None
    ihl = (frame[14] & 15) * 4
    total = struct.unpack(">H", frame[16:18])[0]
    t = 14 + ihl
    thl = (frame[t + 12] >> 4) * 4
    return 14, ihl, t, thl, frame[t + thl:14 + total]


def with_payload(frame, seq, payload):
    ip, ihl, t, thl, _ = tcp_info(frame)
    head = bytearray(frame[:t + thl])
    struct.pack_into(">H", head, ip + 2, ihl + thl + len(payload))
    struct.pack_into(">I", head, t + 4, seq & 0xFFFFFFFF)
    return bytes(head) + payload


def seq_of(frame):
    _, _, t, _, _ = tcp_info(frame)
    return struct.unpack(">I", frame[t + 4:t + 8])[0]


def flags_of(frame):
    _, _, t, _, _ = tcp_info(frame)
    return frame[t + 13]


def sport_of(frame):
    _, _, t, _, _ = tcp_info(frame)
    return struct.unpack(">H", frame[t:t + 2])[0]


def is_data(p):
    i = tcp_info(p[2])
    return i is not None and len(i[4]) > 0


def op_link(pkts, kind):
    out = []
    types = {"raw": 101, "null": 0, "loop": 108, "sll": 113, "vlan": 1, "qinq": 1, "ipv4": 228}
    for sec, frac, d, orig in pkts:
        et, ip = d[12:14], d[14:]
        v6 = et == b"\x86\xdd"
        if kind in ("raw", "ipv4"):
            nd = ip
        elif kind == "null":
            nd = struct.pack("<I", 30 if v6 else 2) + ip
        elif kind == "loop":
            nd = struct.pack(">I", 30 if v6 else 2) + ip
        elif kind == "sll":
            nd = struct.pack(">HHH", 0 if d[0] & 0 else 4, 1, 6) + d[6:12] + b"\0\0" + et + ip
        elif kind == "vlan":
            nd = d[:12] + b"\x81\x00\x00\x64" + d[12:]
        elif kind == "qinq":
            nd = d[:12] + b"\x88\xa8\x00\x0a\x81\x00\x00\x64" + d[12:]
        out.append([sec, frac, nd, orig + len(nd) - len(d)])
    return types[kind], out


def outer_ipv4(proto, payload):
    return struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1, 0, 64, proto, 0,
                       bytes([192, 0, 2, 1]), bytes([192, 0, 2, 2])) + payload


def outer_udp(dport, payload):
    return struct.pack(">HHHH", 50000, dport, 8 + len(payload), 0) + payload


def op_tunnel(pkts, kind):
    out = []
    mac = b"\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02"
    for sec, frac, d, orig in pkts:
        et, ip = d[12:14], d[14:]
        v6 = et == b"\x86\xdd"
        inner_eth = mac + et + ip
        if kind == "ipip":
            nd = mac + b"\x08\x00" + outer_ipv4(41 if v6 else 4, ip)
        elif kind == "ipip6":
            o = struct.pack(">IHBB16s16s", 6 << 28, len(ip), 41 if v6 else 4, 64,
                            b"\x20\x01\x0d\xb8" + b"\0" * 11 + b"\x01", b"\x20\x01\x0d\xb8" + b"\0" * 11 + b"\x02")
            nd = mac + b"\x86\xdd" + o + ip
        elif kind == "gre":
            nd = mac + b"\x08\x00" + outer_ipv4(47, b"\x00\x00" + et + ip)
        elif kind == "gre-eth":
            nd = mac + b"\x08\x00" + outer_ipv4(47, b"\x20\x00\x65\x58" + b"\0\0\0\x07" + inner_eth)
        elif kind == "erspan2":
            nd = mac + b"\x08\x00" + outer_ipv4(47, b"\x10\x00\x88\xbe\0\0\0\x01" + b"\x10\x01\0\x01\0\0\0\0" + inner_eth)
        elif kind == "erspan3":
            nd = mac + b"\x08\x00" + outer_ipv4(47, b"\x10\x00\x22\xeb\0\0\0\x01" + b"\x20\x01\0\x01" + b"\0" * 8 + inner_eth)
        elif kind == "vxlan":
            nd = mac + b"\x08\x00" + outer_ipv4(17, outer_udp(4789, b"\x08\0\0\0\0\0\x2a\0" + inner_eth))
        elif kind == "geneve":
            nd = mac + b"\x08\x00" + outer_ipv4(17, outer_udp(6081, b"\x00\x00\x65\x58\0\0\x2a\0" + inner_eth))
        elif kind == "gtpu":
            nd = mac + b"\x08\x00" + outer_ipv4(17, outer_udp(2152, struct.pack(">BBHI", 0x30, 255, len(ip), 1) + ip))
        elif kind == "mpls":
            nd = mac + b"\x88\x47" + b"\x00\x01\x00\x40" + b"\x00\x02\x01\x40" + ip
        elif kind == "pppoe":
            nd = mac + b"\x88\x64" + struct.pack(">BBHH", 0x11, 0, 1, len(ip) + 2) + (b"\x00\x57" if v6 else b"\x00\x21") + ip
        else:
            sys.exit("unknown tunnel " + kind)
        out.append([sec, frac, nd, orig + len(nd) - len(d)])
    return out


def op_fragment(pkts, n):
    out = []
    for sec, frac, d, orig in pkts:
        ip = d[14:]
        if d[12:14] != b"\x08\x00" or len(ip) < 20:
            out.append([sec, frac, d, orig])
            continue
        ihl = (ip[0] & 15) * 4
        total = struct.unpack(">H", ip[2:4])[0]
        body = ip[ihl:total]
        if len(body) <= n:
            out.append([sec, frac, d, orig])
            continue
        frags = []
        for off in range(0, len(body), n):
            part = body[off:off + n]
            more = 0x2000 if off + n < len(body) else 0
            h = bytearray(ip[:ihl])
            h[2:4] = struct.pack(">H", ihl + len(part))
            h[6:8] = struct.pack(">H", more | (off // 8))
            nd = d[:14] + bytes(h) + part
            frags.append([sec, frac, nd, len(nd)])
        out.extend(reversed(frags))
    return out


def op_reorder(pkts):
    out, i = list(pkts), 0
    while i + 1 < len(out):
        a, b = out[i], out[i + 1]
        if is_data(a) and is_data(b) and sport_of(a[2]) == sport_of(b[2]):
            # keep timestamps in file order, swap the contents
            out[i], out[i + 1] = [a[0], a[1], b[2], b[3]], [b[0], b[1], a[2], a[3]]
            i += 2
        else:
            i += 1
    return out


def op_duplicate(pkts):
    out = []
    for p in pkts:
        out.append(p)
        if is_data(p):
            out.append(list(p))
    return out


def op_split(pkts, n, overlap):
    out = []
    for p in pkts:
        if not is_data(p) or flags_of(p[2]) & 0x07:  # keep SYN/FIN/RST segments whole
            out.append(p)
            continue
        payload, seq = tcp_info(p[2])[4], seq_of(p[2])
        start = 0
        while start < len(payload):
            s = max(0, start - overlap)
            piece = payload[s:start + n]
            nd = with_payload(p[2], seq + s, piece)
            out.append([p[0], p[1], nd, len(nd)])
            start += n
    return out


def op_nosyn(pkts):
    return [p for p in pkts if tcp_info(p[2]) is None or not flags_of(p[2]) & 0x02]


def op_drop(pkts, k):
    out, seen = [], 0
    for p in pkts:
        if is_data(p) and sport_of(p[2]) < 10000:
            seen += 1
            if seen == k:
                continue
        out.append(p)
    return out


def op_flip(data, seed, n):
    rnd = random.Random(seed)
    b = bytearray(data)
    for _ in range(n):
        pos = rnd.randrange(24, len(b))
        b[pos] ^= 1 << rnd.randrange(8)
    return bytes(b)


def boundaries(data):
    """Offsets where a prefix of a pcap or pcapng file is itself whole (0, the
    empty file, is not a capture)."""
    out = set()
    if data[:4] == b"\x0a\x0d\x0d\x0a":  # pcapng: walk the blocks
        off, bo = 0, "<"
        while off + 12 <= len(data):
            if data[off:off + 4] == b"\x0a\x0d\x0d\x0a":  # a section header sets the byte order
                bo = ">" if data[off + 8:off + 12] == b"\x1a\x2b\x3c\x4d" else "<"
            n = struct.unpack(bo + "I", data[off + 4:off + 8])[0]
            if n < 12:
                break
            off += n
            out.add(off)
        return out
    bo = ">" if data[:4] in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d") else "<"
    off = 24
    while off <= len(data):
        out.add(off)
        if off + 16 > len(data):
            break
        off += 16 + struct.unpack(bo + "I", data[off + 8:off + 12])[0]
    return out


def op_cuts(src, outdir, step, limit=None):
    data = open(src, "rb").read()
    whole = boundaries(data)
    base = src.rsplit("/", 1)[-1]
    end = len(data) if limit is None else min(limit, len(data))
    for off in range(0, end, step):
        path = "%s/%s@%d" % (outdir, base, off)
        open(path, "wb").write(data[:off])
        print(path, off, 0 if off in whole else 1)


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    op, src, dst = sys.argv[1:4]
    args = sys.argv[4:]
    if op == "flip":
        open(dst, "wb").write(op_flip(open(src, "rb").read(), int(args[0]), int(args[1])))
        return
    if op == "flips":
        data, base = open(src, "rb").read(), src.rsplit("/", 1)[-1]
        for seed in range(int(args[0]), int(args[1]) + 1):
            open("%s/%s~flip%d" % (dst, base, seed), "wb").write(op_flip(data, seed, int(args[2])))
        return
    if op == "cuts":
        op_cuts(src, dst, int(args[0]), int(args[1]) if len(args) > 1 else None)
        return
    hdr, lt, pkts = read_pcap(src)
    if lt != 1:
        sys.exit("input must be Ethernet (link type 1)")
    if op == "link":
        lt, pkts = op_link(pkts, args[0])
    elif op == "fragment":
        pkts = op_fragment(pkts, int(args[0]))
    elif op == "tunnel":
        pkts = op_tunnel(pkts, args[0])
    elif op == "reorder":
        pkts = op_reorder(pkts)
    elif op == "duplicate":
        pkts = op_duplicate(pkts)
    elif op == "split":
        pkts = op_split(pkts, int(args[0]), int(args[1]) if len(args) > 1 else 0)
    elif op == "nosyn":
        pkts = op_nosyn(pkts)
    elif op == "drop":
        pkts = op_drop(pkts, int(args[0]))
    else:
        sys.exit("unknown operation " + op)
    write_pcap(dst, hdr, lt, pkts)


if __name__ == "__main__":
    main()
