#!/usr/bin/env python3
"""tamper_relay.py LISTEN_PORT TARGET_PORT MODE [N]

A TCP relay on 127.0.0.1 that passes TLS records through and alters one, as a
broken middlebox or NIC would, so that the peer's integrity check fails:
  appdata N   flips a byte of the client's N-th application_data record (1: the first)
  ske         flips the last byte of the server's ServerKeyExchange (its signature, TLS 1.2)
Each accepted connection is relayed until either side closes.
"""
import socket
import sys
import threading


def records(buf):
    """Complete TLS records at the start of buf: (offset, length) each."""
    out, i = [], 0
    while len(buf) - i >= 5:
        n = int.from_bytes(buf[i + 3:i + 5], "big")
        if len(buf) - i < 5 + n:
            break
        out.append((i, 5 + n))
        i += 5 + n
    return out, i


def relay(src, dst, alter):
    buf = bytearray()
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            buf += data
            recs, used = records(buf)
            for off, n in recs:
                alter(buf, off, n)
            dst.sendall(bytes(buf[:used]))
            del buf[:used]
    except OSError:
        pass
    finally:
        for s in (dst, src):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def session(c, target, mode, nth):
    s = socket.create_connection(("127.0.0.1", target))
    seen = {"appdata": 0, "done": False}

    def client_side(buf, off, n):
        if mode == "appdata" and buf[off] == 23:
            seen["appdata"] += 1
            if seen["appdata"] == nth:
                buf[off + n - 1] ^= 0x01

    def server_side(buf, off, n):
        if mode != "ske" or buf[off] != 22 or seen["done"]:
            return
        i = off + 5
        while i + 4 <= off + n:  # the handshake messages in this record
            ln = int.from_bytes(buf[i + 1:i + 4], "big")
            if buf[i] == 12 and i + 4 + ln <= off + n:
                buf[i + 4 + ln - 1] ^= 0x01
                seen["done"] = True
                return
            i += 4 + ln

    t = threading.Thread(target=relay, args=(s, c, server_side), daemon=True)
    t.start()
    relay(c, s, client_side)
    t.join(5)
    c.close()
    s.close()


def main():
    port, target, mode = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    nth = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", port))
    ls.listen(16)
    while True:
        c, _ = ls.accept()
        threading.Thread(target=session, args=(c, target, mode, nth), daemon=True).start()


if __name__ == "__main__":
    main()
