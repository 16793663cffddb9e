#!/usr/bin/env python3
"""log_vs_pcap.py TLSDIAG LOGFILE PCAP CAUSE|pcap:CAUSES [CONFIDENCES]

The handshake trace in LOGFILE is judged by the pcap rules: `TLSDIAG log --json LOGFILE` names CAUSE (at one of
CONFIDENCES, space separated, when given) with trace_judged true, and `TLSDIAG pcap --json PCAP` (a tcpdump capture
of the same connection) names the same cause for its failed connection. "pcap:A B": whatever pcap names, if it
is one of A, B. Prints both when not.
"""
import json
import subprocess
import sys


def run(args):
    r = subprocess.run(args, capture_output=True, text=True)
    return [json.loads(line) for line in r.stdout.splitlines() if line.strip()], r.stdout


def main():
    binary, log, pcap, cause = sys.argv[1:5]
    confs = sys.argv[5].split() if len(sys.argv) > 5 else None
    objs, lout = run([binary, "log", "--json", log])
    fs = [o for o in objs if o.get("type") == "failure"]
    conns, pout = run([binary, "pcap", "--json", pcap])
    failed = [c for c in conns if c.get("outcome") not in ("ok", None) and c.get("cause") != "no_client_hello"]
    errs = []
    if cause.startswith("pcap:"):
        allowed = cause[5:].split()
        cause = failed[0]["cause"] if failed else "?"
        if cause not in allowed:
            errs.append("pcap: %s, not one of %s" % (cause, allowed))
    if len(fs) != 1:
        errs.append("log: %d failures, not 1" % len(fs))
    elif fs[0]["cause"] != cause or not fs[0]["trace_judged"] or (confs and fs[0]["confidence"] not in confs):
        errs.append("log: %s %s judged=%s, want %s %s" % (fs[0]["cause"], fs[0]["confidence"],
                                                          fs[0]["trace_judged"], cause, confs))
    if len(failed) != 1 or failed[0]["cause"] != cause:
        errs.append("pcap: %s, want one %s" % ([(c["cause"], c["confidence"]) for c in failed], cause))
    if errs:
        print("\n".join(errs))
        print("--- log output\n" + lout + "--- pcap output (causes)\n" +
              "\n".join("%s %s %s" % (c.get("stream"), c.get("cause"), c.get("confidence")) for c in conns))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
