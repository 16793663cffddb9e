#!/usr/bin/env python3
"""assert_log.py TLSDIAG LOGFILE EXPR [EXPR...]

Runs `TLSDIAG log --json LOGFILE` and evaluates each Python expression with:
  fs       the failure objects ("type": "failure"), in order
  f        the first failure (fails when there is none)
  summary  the summary object
  rc       tlsdiag's exit code
Exits 1 and prints the expression, the log and tlsdiag's output when one is false.
"""
import json
import subprocess
import sys


def main():
    binary, path, exprs = sys.argv[1], sys.argv[2], sys.argv[3:]
    r = subprocess.run([binary, "log", "--json", path], capture_output=True, text=True)
    objs = [json.loads(line) for line in r.stdout.splitlines() if line.strip()]
    fs = [o for o in objs if o["type"] == "failure"]
    summary = [o for o in objs if o["type"] == "summary"]
    env = {"fs": fs, "f": fs[0] if fs else None, "summary": summary[0] if summary else None, "rc": r.returncode}
    for e in exprs:
        try:
            ok = eval(e, {}, env)
        except Exception as ex:  # a missing key or failure is a failed check
            ok = False
            e += "  (%s: %s)" % (type(ex).__name__, ex)
        if not ok:
            print("FALSE:", e)
            print("--- log", path)
            with open(path, "rb") as fh:
                sys.stdout.write(fh.read()[-3000:].decode("utf-8", "replace"))
            print("--- tlsdiag log --json (rc %d)" % r.returncode)
            print(r.stdout[-3000:], r.stderr[-500:])
            sys.exit(1)


main()
