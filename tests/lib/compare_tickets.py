#!/usr/bin/env python3
"""compare_tickets.py TLSDIAG CAPTURE KEYLOG PORT...

The NewSessionTickets tlsdiag decrypts with KEYLOG against tshark's with the
same key log: for every frame, the ticket lifetimes (tshark's
tls.handshake.session_ticket_lifetime_hint) must be the same, no message of a
connection to one of the PORTs may be malformed, and every PORT's server must
have sent at least one ticket. Prints what differs and exits 1; prints the
count per port and exits 0 otherwise.
"""
import collections
import json
import subprocess
import sys


def main():
    binary, capture, keylog, ports = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    r = subprocess.run([binary, "pcap", "--json", "--keylog", keylog, capture], capture_output=True, text=True)
    mine, per_port, bad = collections.defaultdict(list), collections.Counter(), []
    for line in r.stdout.splitlines():
        c = json.loads(line)
        port = c["server"].rsplit(":", 1)[1]
        if port not in ports:
            continue
        for m in c["messages"]:
            if m["type"] == "Malformed" or m.get("malformed"):
                bad.append("port %s frame %s: %s" % (port, m["frame"], m.get("error", m["type"])))
            if m["type"] == "NewSessionTicket":
                mine[m["frame"]].append(m["lifetime_hint"])
                per_port[port] += 1
    cmd = ["tshark", "-n", "-r", capture, "-o", "tls.keylog_file:" + keylog, "-Y", "tls.handshake.type == 4",
           "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=,", "-e", "frame.number",
           "-e", "tls.handshake.session_ticket_lifetime_hint"]
    for p in ports:
        cmd += ["-d", "tcp.port==%s,tls" % p]
    theirs = {}
    for line in subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.splitlines():
        frame, _, lifetimes = line.partition("\t")
        if lifetimes:
            theirs[int(frame)] = sorted(int(v) for v in lifetimes.split(","))
    for frame in sorted(set(theirs) | set(mine)):
        if sorted(mine.get(frame, [])) != theirs.get(frame, []):
            bad.append("frame %d: tlsdiag lifetimes %s, tshark %s" % (frame, sorted(mine.get(frame, [])),
                                                                     theirs.get(frame, [])))
    for p in ports:
        if per_port[p] == 0:
            bad.append("port %s: no NewSessionTicket decoded" % p)
    if bad:
        print("\n".join(bad))
        return 1
    print("tickets: " + ", ".join("port %s: %d" % (p, per_port[p]) for p in ports))
    return 0


if __name__ == "__main__":
    sys.exit(main())
