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
import json
import subprocess
import sys


def main():
    binary = sys.argv[1]
    sep = sys.argv.index("--")
    exprs, args = sys.argv[2:sep], sys.argv[sep + 1:]
    r = subprocess.run([binary, "config", "--json"] + args, capture_output=True, text=True)
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
    ok = True
    for e in exprs:
        try:
            good = eval(e, env)
        except Exception as ex:  # an expression that cannot be evaluated is a failure
            good = False
            print("error in", e, ":", ex)
        if not good:
            ok = False
            print("false:", e)
    if not ok:
        print("rc:", r.returncode)
        for x in findings:
            print(" ", x["severity"], x["cause"], x["file"], x["line"], x["element"], "|", x["change"])
        print("stderr:", r.stderr[:600])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
