#!/usr/bin/env python3
"""pq_intolerant_server.py PORT

A raw TLS 1.3 server for tests/integration/t2050-probe-2026.sh with the defect
no OpenSSL server can be configured to have: it answers a ClientHello that
offers TLS 1.3 and x25519 with a HelloRetryRequest for x25519 (TLS_AES_128_GCM_SHA256),
but one whose supported_groups lists X25519MLKEM768 (0x11EC) or
X25519Kyber768Draft00 (0x6399) with handshake_failure, as a stack that aborts on
code points it does not know. Anything else: protocol_version. It reads only
what it needs of the hello, bounds-checked by struct.unpack_from."""
import socket
import struct
import sys

from tcp_serve import serve_forever

PORT = int(sys.argv[1])
# RFC 8446 4.1.3: the random of a HelloRetryRequest.
HRR_RANDOM = bytes.fromhex("cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c")
PQ = (0x11EC, 0x6399)


def extensions(body):
    sid = body[34]
    off = 35 + sid
    (n,) = struct.unpack_from("!H", body, off)
    off += 2 + n
    off += 1 + body[off]
    (total,) = struct.unpack_from("!H", body, off)
    off += 2
    end = off + total
    exts = {}
    while off + 4 <= end:
        t, ln = struct.unpack_from("!HH", body, off)
        exts[t] = body[off + 4 : off + 4 + ln]
        off += 4 + ln
    return body[35 : 35 + sid], exts


def u16s(data, prefix):
    n = data[0] if prefix == 1 else struct.unpack_from("!H", data, 0)[0]
    return struct.unpack_from("!%dH" % (n // 2), data, prefix)


def alert(c, desc):
    c.sendall(bytes([21, 3, 3, 0, 2, 2, desc]))


def answer(c):
    try:
        hdr = c.recv(5, socket.MSG_WAITALL)
        rec = c.recv(struct.unpack("!H", hdr[3:5])[0], socket.MSG_WAITALL)
        sid, exts = extensions(rec[4:])
        versions = u16s(exts.get(43, b"\x00"), 1)
        groups = u16s(exts.get(10, b"\x00\x00"), 2)
        if 0x0304 not in versions or 29 not in groups:
            alert(c, 70)
            return
        if any(g in PQ for g in groups):
            alert(c, 40)
            return
        ext = struct.pack("!HHH", 43, 2, 0x0304) + struct.pack("!HHH", 51, 2, 29)
        sh = struct.pack("!H", 0x0303) + HRR_RANDOM + bytes([len(sid)]) + sid + struct.pack("!HB", 0x1301, 0)
        sh += struct.pack("!H", len(ext)) + ext
        msg = b"\x02" + struct.pack("!I", len(sh))[1:] + sh
        c.sendall(b"\x16\x03\x03" + struct.pack("!H", len(msg)) + msg)
        c.recv(100)
    except (OSError, IndexError, struct.error):
        pass
    finally:
        c.close()


serve_forever(PORT, answer)
