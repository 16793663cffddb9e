#!/usr/bin/env python3
"""assert_json.py TLSDIAG CAPTURE EXPR [EXPR...]

Runs `TLSDIAG pcap --json CAPTURE` and evaluates each Python expression with:
  conns         the list of connection objects
  conn(sni=..., port=..., stream=...)   the single connection matching (fails if not exactly one)
  types(c)      the message types of c, in order
  msgs(c, t)    c's messages of type t
  rc            tlsdiag's exit code
TD_ARGS in the environment adds options (e.g. TD_ARGS="--ca roots.pem").
Exits 1 and prints the expression and the connections when one is false.
"""
import json
import os
import subprocess
import sys


def main():
    binary, capture, exprs = sys.argv[1], sys.argv[2], sys.argv[3:]
    extra = os.environ.get("TD_ARGS", "").split()
    r = subprocess.run([binary, "pcap", "--json"] + extra + [capture], capture_output=True, text=True)
    conns = [json.loads(line) for line in r.stdout.splitlines() if line.strip()]

    def conn(sni=None, port=None, stream=None, nth=0):
        found = [c for c in conns
                 if (sni is None or c["sni"] == sni)
                 and (port is None or c["server"].endswith(":%d" % port))
                 and (stream is None or c["stream"] == stream)]
        if len(found) <= nth:
            raise AssertionError("no connection with sni=%s port=%s stream=%s" % (sni, port, stream))
        return found[nth]

    def types(c):
        return [m["type"] for m in c["messages"]]

    def msgs(c, t):
        return [m for m in c["messages"] if m["type"] == t]

    env = {"conns": conns, "conn": conn, "types": types, "msgs": msgs, "rc": r.returncode}
    for e in exprs:
        try:
            ok = eval(e, env)
        except Exception as ex:  # noqa: BLE001 - report any failure of the expression
            ok, why = False, "%s: %s" % (type(ex).__name__, ex)
        else:
            why = "false"
        if not ok:
            print("assertion %s: %s" % (why, e))
            for c in conns:
                print("  stream %s sni %s outcome %s: %s" % (c["stream"], c["sni"], c["outcome"], " ".join(types(c))))
            sys.exit(1)


if __name__ == "__main__":
    main()
