#!/usr/bin/env python3
"""Hostile strings from the wire, for t1530-wire-strings.sh.

  wire_strings.py cert SRC.pem OUT.pem    SRC's placeholders replaced by hostile bytes
                                          (same lengths; the signature no longer
                                          verifies, which s_server does not check)
  wire_strings.py gateway PORT BACKEND    an HTTP server answering each request 503
                                          with a hostile reason, after a failed TLS
                                          connection of its own to BACKEND (a port)
  wire_strings.py text FILE               FILE has no control byte but \\n, no DEL,
                                          no C1 control, no raw invalid UTF-8 (colours
                                          of tlsdiag's own, ESC [ N m, are allowed)
  wire_strings.py json FILE KEY=HEX...    every line of FILE parses; for each KEY (a
                                          dotted path, * for each list item), some
                                          record's decoded value equals the bytes HEX
Decoding a JSON string as man/tlsdiag.1 says: every \\xNN is the byte NN.
"""
import base64
import json
import re
import socket
import ssl
import sys

CN = b"CNPLACEHOLDERXXXXXXXXXX"
SAN = b"SANPLACEHOLDERXXXXXXXX"
ORG = b"ORGPLACEHOLDERXXXX"
HOSTILE = {
    CN: b"cn\x1b[2J\x07\xff\xfe\x1b]0;t\x07\x7f",
    SAN: b"san\x1b[8m\xff\xfe\x07\xc2\x9b",
    ORG: b"o\\x41\xe2\x80\xae",
}
REASON = b"Service\x1b[2J\x1b]0;owned\x07 Unavailable\xff"


def fit(a, b):
    return b + b"Z" * (len(a) - len(b))


def cert(src, out):
    pem = open(src).read()
    der = base64.b64decode("".join(l for l in pem.splitlines() if not l.startswith("-----")))
    for a, b in HOSTILE.items():
        assert a in der, a
        der = der.replace(a, fit(a, b))
    b64 = base64.b64encode(der).decode()
    lines = [b64[i:i + 64] for i in range(0, len(b64), 64)]
    open(out, "w").write("-----BEGIN CERTIFICATE-----\n" + "\n".join(lines) + "\n-----END CERTIFICATE-----\n")


def gateway(port, backend):
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", int(port)))
    srv.listen(4)
    ctx = ssl.create_default_context()  # the system store: the test's self-made leaf is unknown
    while True:
        c, _ = srv.accept()
        c.recv(4096)
        try:
            with socket.create_connection(("127.0.0.1", int(backend))) as raw:
                with ctx.wrap_socket(raw, server_hostname="backend.test"):
                    pass
        except (ssl.SSLError, OSError):
            pass
        c.sendall(b"HTTP/1.1 503 " + REASON + b"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        c.close()


OURS = re.compile(rb"\x1b\[[0-9;]*m")


def text(path):
    data = OURS.sub(b"", open(path, "rb").read())
    for i, b in enumerate(data):
        if (b < 0x20 and b != 0x0A) or b == 0x7F:
            sys.exit("%s: raw byte 0x%02x at %d: %r" % (path, b, i, data[max(0, i - 40):i + 20]))
    try:
        s = data.decode("utf-8")
    except UnicodeDecodeError as e:
        sys.exit("%s: invalid UTF-8: %s" % (path, e))
    for i, ch in enumerate(s):
        if 0x80 <= ord(ch) < 0xA0 or ch in "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069":
            sys.exit("%s: terminal control U+%04X at %d" % (path, ord(ch), i))


def decode(s):
    """The bytes a JSON string stands for (man/tlsdiag.1)."""
    return re.sub(rb"\\x([0-9a-fA-F]{2})", lambda m: bytes([int(m.group(1), 16)]), s.encode("utf-8"))


def values(obj, path):
    if not path:
        yield obj
        return
    head, rest = path[0], path[1:]
    if head == "*" and isinstance(obj, list):
        for x in obj:
            yield from values(x, rest)
    elif isinstance(obj, dict) and head in obj:
        yield from values(obj[head], rest)


def check_json(path, wants):
    recs = [json.loads(l) for l in open(path, encoding="utf-8")]
    assert recs, "no JSON record"
    for w in wants:
        key, hexval = w.split("=", 1)
        want = bytes.fromhex(hexval)
        got = [decode(v) for r in recs for v in values(r, key.split(".")) if isinstance(v, str)]
        if want not in got:
            sys.exit("%s: no %s equal to %r; seen %r" % (path, key, want, got[:6]))


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "cert":
        cert(sys.argv[2], sys.argv[3])
    elif cmd == "gateway":
        gateway(sys.argv[2], sys.argv[3])
    elif cmd == "text":
        text(sys.argv[2])
    elif cmd == "json":
        check_json(sys.argv[2], sys.argv[3:])
    else:
        sys.exit(__doc__)
