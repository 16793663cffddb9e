#!/usr/bin/env python3
"""Write a classic pcap to standard output one packet at a time, as
tcpdump -U -w - does, sleeping DELAY seconds after each packet, and watch the
reader's output file for a pattern after each one.

  slow_pcap.py CAPTURE DELAY OUTFILE PATTERN

Prints "seen after packet K of N" (K packets had been written when PATTERN
was first in OUTFILE) or "not seen while writing N packets" on stderr."""
import re
import struct
import sys
import time


def packets(data):
    magic = data[:4]
    endian = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    off = 24
    while off + 16 <= len(data):
        caplen = struct.unpack(endian + "I", data[off + 8:off + 12])[0]
        end = off + 16 + caplen
        if end > len(data):
            raise SystemExit("slow_pcap.py: cut packet at offset %d" % off)
        yield data[off:end]
        off = end


def main():
    path, delay, outfile, pattern = sys.argv[1], float(sys.argv[2]), sys.argv[3], re.compile(sys.argv[4])
    data = open(path, "rb").read()
    pkts = list(packets(data))
    out = sys.stdout.buffer
    out.write(data[:24])
    out.flush()
    seen = None
    for i, p in enumerate(pkts, 1):
        out.write(p)
        out.flush()
        time.sleep(delay)
        if seen is None:
            try:
                with open(outfile, "r", errors="replace") as f:
                    if pattern.search(f.read()):
                        seen = i
            except FileNotFoundError:
                pass
    out.close()
    if seen is None:
        print("not seen while writing %d packets" % len(pkts), file=sys.stderr)
    else:
        print("seen after packet %d of %d" % (seen, len(pkts)), file=sys.stderr)


if __name__ == "__main__":
    main()
