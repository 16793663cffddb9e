#!/usr/bin/env python3
"""preamble_server.py MODE PORT CERT KEY [UPSTREAM_PORT]

A small server for tests/integration/t1460-preamble.sh that speaks the plain-text
part of a protocol, then hands the socket to Python's ssl (the TLS server):
  smtp, smtp-refuse (454), imap, pop3, ftp, postgres, postgres-refuse (N), mysql, proxyv1, ldap, xmpp
or a proxy in front of an upstream TLS server on 127.0.0.1:UPSTREAM_PORT that relays bytes:
  connect (HTTP CONNECT), socks5
or plain TLS on a socket that accepts TCP Fast Open (data in the SYN):
  tfo
Serves connections until killed. Loopback only. With PS_CIPHERS set, the TLS server
takes TLS 1.2 with those suites only (OpenSSL names).
"""
import os
import socket
import ssl
import struct
import sys
import threading


def lines_until(f, stop):
    while True:
        line = f.readline()
        if not line or stop(line):
            return line


def tls_echo(sock, ctx):
    try:
        t = ctx.wrap_socket(sock, server_side=True)
        t.settimeout(5)
        try:
            t.recv(1024)
        except (OSError, ssl.SSLError):
            pass
        t.close()
    except (OSError, ssl.SSLError):
        sock.close()


def recv_exact(sock, n):
    """Unbuffered: the ClientHello may follow without waiting for an answer."""
    b = b""
    while len(b) < n:
        d = sock.recv(n - len(b))
        if not d:
            break
        b += d
    return b


def relay(a, b):
    def pump(src, dst):
        try:
            while True:
                d = src.recv(65536)
                if not d:
                    break
                dst.sendall(d)
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
    t = threading.Thread(target=pump, args=(b, a), daemon=True)
    t.start()
    pump(a, b)
    t.join(5)
    a.close()
    b.close()


def handle(mode, sock, ctx, upstream):
    sock.settimeout(10)
    f = sock.makefile("rb")
    w = sock.sendall
    if mode in ("smtp", "smtp-refuse"):
        w(b"220 mail.server.test ESMTP tlsdiag-test\r\n")
        while True:
            line = f.readline()
            if not line:
                return sock.close()
            cmd = line.strip().upper()
            if cmd.startswith(b"EHLO") or cmd.startswith(b"HELO"):
                w(b"250-mail.server.test\r\n250-PIPELINING\r\n250 STARTTLS\r\n")
            elif cmd == b"STARTTLS":
                if mode == "smtp-refuse":
                    w(b"454 4.7.0 TLS not available due to local problem\r\n")
                    f.readline()
                    return sock.close()
                w(b"220 2.0.0 Ready to start TLS\r\n")
                return tls_echo(sock, ctx)
            elif cmd == b"QUIT":
                w(b"221 bye\r\n")
                return sock.close()
            else:
                w(b"250 ok\r\n")
    if mode == "imap":
        w(b"* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n")
        while True:
            line = f.readline()
            if not line:
                return sock.close()
            tag, _, cmd = line.strip().partition(b" ")
            if cmd.upper() == b"CAPABILITY":
                w(b"* CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED\r\n" + tag + b" OK done\r\n")
            elif cmd.upper() == b"STARTTLS":
                w(tag + b" OK Begin TLS negotiation now\r\n")
                return tls_echo(sock, ctx)
            else:
                w(tag + b" BAD\r\n")
    if mode == "pop3":
        w(b"+OK POP3 ready\r\n")
        while True:
            line = f.readline()
            if not line:
                return sock.close()
            if line.strip().upper() == b"STLS":
                w(b"+OK Begin TLS negotiation\r\n")
                return tls_echo(sock, ctx)
            if line.strip().upper() == b"CAPA":
                w(b"+OK\r\nSTLS\r\n.\r\n")
            else:
                w(b"-ERR\r\n")
    if mode == "ftp":
        w(b"220 FTP server ready\r\n")
        while True:
            line = f.readline()
            if not line:
                return sock.close()
            if line.strip().upper() in (b"AUTH TLS", b"AUTH SSL"):
                w(b"234 AUTH TLS successful\r\n")
                return tls_echo(sock, ctx)
            w(b"500 ?\r\n")
    if mode in ("postgres", "postgres-refuse"):
        req = recv_exact(sock, 8)
        if req != struct.pack("!II", 8, 80877103):
            return sock.close()
        if mode == "postgres-refuse":
            w(b"N")
            return sock.close()
        w(b"S")
        return tls_echo(sock, ctx)
    if mode == "mysql":
        # Protocol::HandshakeV10 with CLIENT_SSL (0x0800) in the capability flags
        body = (b"\x0a" + b"8.0.36-test\x00" + struct.pack("<I", 7) + b"abcdefgh\x00" +
                struct.pack("<H", 0xffff) + b"\x21" + struct.pack("<H", 0x0002) + struct.pack("<H", 0x00ff) +
                b"\x15" + b"\x00" * 10 + b"ijklmnopqrst\x00" + b"mysql_native_password\x00")
        w(struct.pack("<I", len(body))[:3] + b"\x00" + body)
        hdr = recv_exact(sock, 4)
        if len(hdr) < 4:
            return sock.close()
        recv_exact(sock, hdr[0] | hdr[1] << 8 | hdr[2] << 16)
        return tls_echo(sock, ctx)
    if mode == "ldap":
        hdr = recv_exact(sock, 2)
        n = hdr[1] if len(hdr) == 2 and hdr[1] < 0x80 else 0
        req = recv_exact(sock, n)
        msgid = req[2] if len(req) > 2 else 1
        # ExtendedResponse: resultCode success, matchedDN "", diagnosticMessage "", responseName the StartTLS OID
        oid = b"1.3.6.1.4.1.1466.20037"
        body = b"\x0a\x01\x00\x04\x00\x04\x00\x8a" + bytes([len(oid)]) + oid
        op = b"\x78" + bytes([len(body)]) + body
        msg = b"\x02\x01" + bytes([msgid]) + op
        w(b"\x30" + bytes([len(msg)]) + msg)
        return tls_echo(sock, ctx)
    if mode == "xmpp":
        buf = b""
        while b">" not in buf:
            d = sock.recv(1)
            if not d:
                return sock.close()
            buf += d
        w(b"<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'"
          b" id='1' from='server.test' version='1.0'><stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'>"
          b"<required/></starttls></stream:features>")
        buf = b""
        while b"/>" not in buf and b"</starttls>" not in buf:
            d = sock.recv(1)
            if not d:
                return sock.close()
            buf += d
        w(b"<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
        return tls_echo(sock, ctx)
    if mode == "tfo":
        return tls_echo(sock, ctx)
    if mode == "proxyv1":
        # byte by byte: the ClientHello follows the header without waiting for an answer
        line = b""
        while not line.endswith(b"\n") and len(line) < 108:
            b = sock.recv(1)
            if not b:
                break
            line += b
        if not line.startswith(b"PROXY "):
            return sock.close()
        return tls_echo(sock, ctx)
    if mode == "connect":
        req = f.readline()
        lines_until(f, lambda l: l in (b"\r\n", b"\n"))
        if not req.startswith(b"CONNECT "):
            w(b"HTTP/1.1 405 Method Not Allowed\r\n\r\n")
            return sock.close()
        if b"forbidden" in req:
            w(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
            return sock.close()
        up = socket.create_connection(("127.0.0.1", upstream))
        w(b"HTTP/1.1 200 Connection established\r\n\r\n")
        return relay(sock, up)
    if mode == "socks5":
        ver, n = f.read(2)
        f.read(n)
        w(b"\x05\x00")
        ver, cmd, _, atyp = f.read(4)
        if atyp == 1:
            f.read(4)
        elif atyp == 3:
            f.read(f.read(1)[0])
        elif atyp == 4:
            f.read(16)
        f.read(2)
        up = socket.create_connection(("127.0.0.1", upstream))
        w(b"\x05\x00\x00\x01\x7f\x00\x00\x01" + struct.pack("!H", upstream))
        return relay(sock, up)
    sock.close()


def main():
    mode, port, cert, key = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    upstream = int(sys.argv[5]) if len(sys.argv) > 5 else 0
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    if os.environ.get("PS_CIPHERS"):
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
        ctx.set_ciphers(os.environ["PS_CIPHERS"])
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if mode == "tfo":
        ls.setsockopt(socket.IPPROTO_TCP, getattr(socket, "TCP_FASTOPEN", 23), 16)
    ls.bind(("127.0.0.1", port))
    ls.listen(8)
    while True:
        s, _ = ls.accept()
        threading.Thread(target=handle, args=(mode, s, ctx, upstream), daemon=True).start()


if __name__ == "__main__":
    main()
