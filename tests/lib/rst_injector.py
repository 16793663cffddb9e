#!/usr/bin/env python3
"""rst_injector.py IFACE PORT

A middlebox that resets TLS: on IFACE (the router's interface towards the
clients, AF_PACKET), each TCP segment to PORT whose payload begins a TLS
handshake record (a ClientHello) is answered by a RST sent to the client in
the server's name, as IPS and firewalls that refuse a hello do. The RST is
an IPv4 packet this host sends (TTL 64, IP ID 0x4242), so it crosses fewer
hops than the server's own packets. Says "listening on IFACE" once it
sniffs; runs until killed.
"""
import socket
import struct
import sys


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def rst_for(ip, tcp, payload_len):
    src, dst = ip[12:16], ip[16:20]
    sport, dport, seq, ack = struct.unpack("!HHII", tcp[:12])
    # from the server (dst) to the client (src): seq = what the client acknowledged
    hdr = struct.pack("!HHIIBBHHH", dport, sport, ack, (seq + payload_len) & 0xFFFFFFFF, 5 << 4, 0x14, 0, 0, 0)
    pseudo = dst + src + struct.pack("!BBH", 0, 6, len(hdr))
    hdr = hdr[:16] + struct.pack("!H", csum(pseudo + hdr)) + hdr[18:]
    iph = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(hdr), 0x4242, 0x4000, 64, 6, 0, dst, src)
    iph = iph[:10] + struct.pack("!H", csum(iph)) + iph[12:]
    return iph + hdr, socket.inet_ntoa(src)


def main():
    iface, port = sys.argv[1], int(sys.argv[2])
    sniff = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))
    sniff.bind((iface, 0))
    out = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    print("listening on", iface, flush=True)
    while True:
        frame, addr = sniff.recvfrom(65535)
        if addr[2] == socket.PACKET_OUTGOING:
            continue
        ip = frame[14:]
        if len(ip) < 40 or ip[9] != 6:
            continue
        ihl = (ip[0] & 15) * 4
        total = struct.unpack("!H", ip[2:4])[0]
        tcp = ip[ihl:total]
        doff = (tcp[12] >> 4) * 4
        payload = tcp[doff:]
        if struct.unpack("!H", tcp[2:4])[0] == port and payload[:1] == b"\x16":
            pkt, client = rst_for(ip, tcp, len(payload))
            out.sendto(pkt, (client, 0))


if __name__ == "__main__":
    main()
