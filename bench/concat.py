#!/usr/bin/env python3
"""bench/concat.py IN OUT N: OUT is N copies of the classic pcap IN one after
the other, copy k's time stamps moved k hours later (so that the flows of one
copy have timed out before the next copy opens the same ports again)."""
import struct
import sys


def main():
    src, dst, copies = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with open(src, "rb") as f:
        data = f.read()
    magic = data[:4]
    endian = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    with open(dst, "wb") as out:
        out.write(data[:24])
        for k in range(copies):
            pos = 24
            while pos + 16 <= len(data):
                sec, frac, caplen, wirelen = struct.unpack_from(endian + "IIII", data, pos)
                out.write(struct.pack(endian + "IIII", sec + k * 3600, frac, caplen, wirelen))
                out.write(data[pos + 16:pos + 16 + caplen])
                pos += 16 + caplen


if __name__ == "__main__":
    main()
