#!/usr/bin/env python3
"""split_reset_proxy.py LISTEN_PORT UPSTREAM_PORT

A middlebox for tests/integration/t2050-probe-2026.sh that does not reassemble:
it reads once from each client, and when that first read does not hold the
whole first TLS record (a ClientHello split across TCP segments, sent apart)
it resets the connection (SO_LINGER 0); else it forwards both ways to
127.0.0.1:UPSTREAM_PORT. The kernel's packet filter (nft) cannot compare a
segment's length with the record length it carries, so this is a proxy."""
import socket
import struct
import sys
import threading

from tcp_serve import serve_forever

LISTEN, UPSTREAM = int(sys.argv[1]), int(sys.argv[2])
RESET = struct.pack("ii", 1, 0)


def pipe(a, b):
    try:
        while True:
            d = a.recv(65536)
            if not d:
                break
            b.sendall(d)
    except OSError:
        pass
    finally:
        for x in (a, b):
            try:
                x.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def serve(c):
    try:
        d = c.recv(65536)
    except OSError:
        c.close()
        return
    need = 5 + int.from_bytes(d[3:5], "big") if len(d) >= 5 else 1 << 20
    if len(d) < need:
        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, RESET)
        c.close()
        return
    u = socket.create_connection(("127.0.0.1", UPSTREAM))
    u.sendall(d)
    threading.Thread(target=pipe, args=(u, c), daemon=True).start()
    pipe(c, u)


serve_forever(LISTEN, serve)
