#!/usr/bin/env python3
"""Print tlsdiag's ladders without frame numbers, one line per connection:
stream, outcome and the message types with their direction. Two captures of
the same traffic (however segmented or encapsulated) must print the same.

usage: ladder.py TLSDIAG CAPTURE
"""
import json
import subprocess
import sys

r = subprocess.run([sys.argv[1], "pcap", "--json", sys.argv[2]], capture_output=True, text=True)
if r.returncode not in (0, 1):
    sys.exit("tlsdiag exited %d: %s" % (r.returncode, r.stderr))
for line in r.stdout.splitlines():
    c = json.loads(line)
    steps = []
    for m in c["messages"]:
        t = m["type"]
        if t == "Alert" and "description" in m:
            t += ":" + m["description"]
        if t.startswith("TCP-"):
            continue  # FIN/RST may move with segmentation
        steps.append(("> " if m["from"] == "client" else "< ") + t)
    print(c["stream"], c["sni"], c["outcome"], " ".join(steps))
