#!/bin/bash
# The documentation says what the binary does: the man page's SYNOPSIS lists
# exactly the options each command's --help lists (a command or an option
# added later fails here until the man page has it), the README's lab count
# is the lab's, and the demo's globs pick captures only.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh

for T in $TLSDIAGS; do
  check "$T: man SYNOPSIS lists every option of every command, as --help does, and no other" \
    python3 - "$T" man/tlsdiag.1 <<'PY'
import re, subprocess, sys
t, man = sys.argv[1], open(sys.argv[2]).read()
top = subprocess.run([t, "--help"], capture_output=True, text=True).stdout
cmds = re.findall(r"^  ([a-z]+)\s{2,}", top.split("commands:", 1)[1], re.M)
assert len(cmds) >= 4, cmds
OPT = re.compile(r"(?<![\w-])(--?[a-zA-Z][\w-]*)")
def help_opts(argv):
    r = subprocess.run([t] + argv, capture_output=True, text=True)
    opts = set()
    for line in r.stdout.splitlines() if r.returncode == 0 else []:
        if re.match(r"^\s+-", line):
            field = re.split(r"\s{2,}", line.strip(), 1)[0]
            opts |= {o for o in OPT.findall(field)}
    return opts
syn = man.split(".SH SYNOPSIS", 1)[1].split("\n.SH ", 1)[0]
syn = re.sub(r"^\.\\\".*$", "", syn, flags=re.M)                 # comments
syn = re.sub(r"\\f[BIRP]", "", syn).replace("\\-", "-")
paras = [p.strip() for p in re.split(r"^\.br\s*$", syn, flags=re.M)]
bad = []
for cmd in cmds:
    mine = [p for p in paras if re.match(r"\.B tlsdiag %s\b" % cmd, p)]
    if not mine:
        bad.append("%s: no SYNOPSIS line" % cmd)
        continue
    in_man, h = set(), help_opts([cmd, "--help"])
    for p in mine:
        head, _, rest = p.partition("\n")
        in_man |= set(OPT.findall(head.split(cmd, 1)[1] + " " + rest))
        # a mode (".B tlsdiag probe --client"): its own --help, after the mode
        # option with an argument (--client=x) or without (--compare)
        for mode in OPT.findall(head.split(cmd, 1)[1]):
            h |= help_opts([cmd, mode + "=x", "--help"]) or help_opts([cmd, mode, "--help"])
    if in_man != h:
        bad.append("%s: only in --help: %s; only in the man page: %s" % (cmd, sorted(h - in_man), sorted(in_man - h)))
assert not bad, "\n".join(bad)
print(len(cmds), "commands")
PY
  check "$T: the README's lab scenario count is the lab's" \
    sh -c "n=\$('$T' lab --list | wc -l); grep -q \"stay valid forever. \$n\$\" README.md && grep -q \"so all \$n\$\" README.md"
  check "$T: the demo's capture globs pick captures only" \
    sh -c "C=tests/captures; for g in \$(grep -o '\\\$C/[^ \"]*' tools/demo.sh | sort -u); do
             for f in \$(eval echo \$g); do case \$f in *.pcap | *.pcapng) ;; *) echo \"\$g picks \$f\"; exit 1 ;; esac; done; done"
  check "$T: the demo's filtered run says its counts are the whole file's" \
    sh -c "'$T' pcap --failed --host only13.server.test tests/captures/openssl-lo.pcap | tail -1 | grep -q '^  shown: 1 connection the filters kept; the counts above are the whole file'"
  check "$T: the README's Look lines are tshark 4.0 filters that select frames (run on the captures they name)" \
    python3 - "$T" "$W" <<'PY'
import re, shlex, subprocess, sys
t, w = sys.argv[1], sys.argv[2]
subprocess.run([t, "lab", "-w", w + "/demo-captures", "gateway-503"], capture_output=True)
looks = re.findall(r"^\s+Look\s+(tshark .*)$", open("README.md").read(), re.M)
assert len(looks) >= 2, looks
for cmd in looks:
    argv = shlex.split(cmd)
    if argv[2].startswith("demo-captures/"):
        argv[2] = w + "/" + argv[2]
    r = subprocess.run(argv, capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout.strip() and "isn't a valid" not in r.stderr, (cmd, r.stderr)
print(len(looks), "Look lines")
PY
done
