#!/usr/bin/env python3
"""cert_expect.py TLSDIAG 'EXPR' [EXPR...] -- ARGS...

Runs `TLSDIAG cert --json ARGS` and evaluates each Python expression with:
  d              the JSON object
  rc             the exit code
  err            standard error
  f(cause, sev=None)   the findings with that cause (and severity)
  has(cause, sev=None) True when there is at least one
  causes         [(cause, severity), ...]
  errors         the causes of the error findings
  cert(i)        the certificate object i of d["chain"]
Exits 1, printing the expression, the findings and stderr, when one is false.
"""
import json
import subprocess
import sys


def main():
    binary = sys.argv[1]
    sep = sys.argv.index("--")
    exprs, args = sys.argv[2:sep], sys.argv[sep + 1:]
    r = subprocess.run([binary, "cert", "--json"] + args, capture_output=True, text=True)
    if r.returncode >= 128 or r.returncode < 0:
        print("tlsdiag died with", r.returncode, r.stderr)
        return 1
    try:
        d = json.loads(r.stdout) if r.stdout.strip() else {}
    except ValueError as e:
        print("not JSON:", e, r.stdout[:400])
        return 1
    findings = d.get("findings", [])

    def f(cause, sev=None):
        return [x for x in findings if x["cause"] == cause and (sev is None or x["severity"] == sev)]

    env = {
        "d": d, "rc": r.returncode, "err": r.stderr, "f": f,
        "has": lambda cause, sev=None: bool(f(cause, sev)),
        "causes": [(x["cause"], x["severity"]) for x in findings],
        "errors": [x["cause"] for x in findings if x["severity"] == "error"],
        "cert": lambda i: d["chain"][i],
    }
    ok = True
    for e in exprs:
        try:
            good = eval(e, env)
        except Exception as ex:  # an expression that cannot be evaluated is a failure
            good = False
            print("exception:", ex)
        if not good:
            ok = False
            print("FALSE:", e)
    if not ok:
        print("rc:", r.returncode)
        for x in findings:
            print("  %-8s %-22s %s | %s" % (x["severity"], x["cause"], x["message"], x["resolution"]))
        print("stderr:", r.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
