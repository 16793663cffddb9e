"""The part cert_expect.py and config_expect.py share: run `TLSDIAG CMD --json ARGS`,
read its JSON object, and evaluate the caller's Python expressions against it."""
import json
import subprocess


def run(binary, cmd, args):
    """(completed process, JSON object, findings), or None after saying why."""
    r = subprocess.run([binary, cmd, "--json"] + args, capture_output=True, text=True)
    if r.returncode >= 128 or r.returncode < 0:
        print("tlsdiag died with", r.returncode, r.stderr)
        return None
    try:
        d = json.loads(r.stdout) if r.stdout.strip() else {}
    except ValueError as e:
        print("not JSON:", e, r.stdout[:400])
        return None
    return r, d, d.get("findings", [])


def finder(findings):
    """f(cause, sev=None): the findings with that cause (and severity)."""
    return lambda cause, sev=None: [x for x in findings if x["cause"] == cause and (sev is None or x["severity"] == sev)]


def check(exprs, env, r, show_findings):
    """0 when every expression is true; else 1, after printing the false ones, the findings and stderr."""
    ok = True
    for e in exprs:
        try:
            good = eval(e, env)
        except Exception as ex:  # an expression that cannot be evaluated is a failure
            good = False
            print("error in", e, ":", ex)
        if not good:
            ok = False
            print("FALSE:", e)
    if not ok:
        print("rc:", r.returncode)
        show_findings()
        print("stderr:", r.stderr[:600])
    return 0 if ok else 1
