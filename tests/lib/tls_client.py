#!/usr/bin/env python3
"""A Python (ssl module) client for the tests:
tls_client.py HOST PORT NAME CAFILE [min13] [cert CERT KEY]
min13: TLS 1.3 only (minimum_version). cert: present that client certificate."""
import socket
import ssl
import sys

host, port, name, ca = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
opts = sys.argv[5:]
ctx = ssl.create_default_context(cafile=ca)
if "min13" in opts:
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
if "cert" in opts:
    i = opts.index("cert")
    ctx.load_cert_chain(opts[i + 1], opts[i + 2])
try:
    with socket.create_connection((host, port), timeout=5) as s:
        with ctx.wrap_socket(s, server_hostname=name) as t:
            t.sendall(b"GET / HTTP/1.0\r\n\r\n")
            t.recv(100)
    print("ok")
except (ssl.SSLError, OSError) as e:
    print("failed:", e)
    sys.exit(1)
