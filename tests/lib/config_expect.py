#!/usr/bin/env python3
"""config_expect.py TLSDIAG 'EXPR' [EXPR...] -- ARGS...

Runs `TLSDIAG config --json ARGS` and evaluates each Python expression with:
  d                  the JSON object
  rc                 the exit code
  err                standard error
  f(cause, sev=None) the findings with that cause (and severity)
  has(cause, sev=None, line=None, file=None) True when such a finding exists
  at(file, text)     the line of the first line of FILE holding TEXT (from the file itself)
  causes             [(cause, severity, file, line), ...]
  setting(file, key) the settings of that key read from that file
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
    got = expect_json.run(binary, "config", args)
    if got is None:
        return 1
    r, d, findings = got
    f = expect_json.finder(findings)

    def has(cause, sev=None, line=None, file=None):
        return any((line is None or x["line"] == line) and (file is None or x["file"].endswith(file))
                   for x in f(cause, sev))

    def at(path, text):
        with open(path, encoding="utf-8") as fh:
            for n, l in enumerate(fh, 1):
                if text in l:
                    return n
        raise ValueError(text + " not in " + path)

    def setting(path, key):
        return [s for fl in d.get("files", []) if fl["path"].endswith(path) for s in fl["settings"] if s["key"] == key]

    env = {"d": d, "rc": r.returncode, "err": r.stderr, "f": f, "has": has, "at": at, "setting": setting,
           "causes": [(x["cause"], x["severity"], x["file"], x["line"]) for x in findings]}

    def show():
        for x in findings:
            print(" ", x["severity"], x["cause"], x["file"], x["line"], x["element"], "|", x["change"])

    return expect_json.check(exprs, env, r, show)


if __name__ == "__main__":
    sys.exit(main())
