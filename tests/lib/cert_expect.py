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
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import expect_json  # noqa: E402


def main():
    binary = sys.argv[1]
    sep = sys.argv.index("--")
    exprs, args = sys.argv[2:sep], sys.argv[sep + 1:]
    got = expect_json.run(binary, "cert", args)
    if got is None:
        return 1
    r, d, findings = got
    f = expect_json.finder(findings)

    env = {
        "d": d, "rc": r.returncode, "err": r.stderr, "f": f,
        "has": lambda cause, sev=None: bool(f(cause, sev)),
        "causes": [(x["cause"], x["severity"]) for x in findings],
        "errors": [x["cause"] for x in findings if x["severity"] == "error"],
        "cert": lambda i: d["chain"][i],
    }

    def show():
        for x in findings:
            print("  %-8s %-22s %s | %s" % (x["severity"], x["cause"], x["message"], x["resolution"]))

    return expect_json.check(exprs, env, r, show)


if __name__ == "__main__":
    sys.exit(main())
