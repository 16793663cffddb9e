#!/bin/bash
# The profile rows captured on this machine hold: each real client's ClientHello, as openssl s_server
# -trace prints it, carries the TLS 1.2 suites in order, the TLS 1.3 suites, the groups and the
# signature_algorithms of its row in `probe --client list --json`: OpenJDK 17 (java17), curl, Python 3.12's
# create_default_context, Node 20 and openssl s_client (openssl-3.0). The IANA names of tlsdiag's rows
# are turned into code points with tlsdiag's own generated table (build/gen/names_gen.c).
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh netns
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$W/k.pem" -out "$W/c.pem" -subj /CN=localhost -days 2 2>/dev/null
export HOME=$W/home
mkdir -p "$HOME"

capture() { # name port client-command...: the trace of one handshake into $W/NAME.trace
  n=$1 port=$2; shift 2
  openssl s_server -accept "$port" -cert "$W/c.pem" -key "$W/k.pem" -trace -www >"$W/$n.trace" 2>&1 &
  s=$!
  td_track "$s"
  wait_port "$port"
  timeout 30 "$@" >/dev/null 2>&1
  kill "$s"
  wait "$s" 2>/dev/null
  grep -q ClientHello "$W/$n.trace"
}

matches() { # tlsdiag profile trace
  "$1" probe --client list --json >"$W/list.json" || return 1
  python3 - "$2" "$3" "$W/list.json" <<'PY'
import json, re, sys
profile, trace = sys.argv[1], open(sys.argv[2]).read()
gen = open("build/gen/names_gen.c").read()
def table(name):
    body = gen[gen.find(name + "[]"):]
    return {n: int(v) for v, n in re.findall(r'\{(\d+), "([^"]+)"\}', body[:body.find("};")])}
suites, groups, sigs = table("td_suite_names"), table("td_group_names"), table("td_sigscheme_names")
row = next(json.loads(l) for l in open(sys.argv[3]) if json.loads(l)["client"] == profile)
hello = trace[trace.find("ClientHello"):trace.find("ServerHello")]
cs = hello[hello.find("cipher_suites"):hello.find("compression_methods")]
real = [int(a, 16) << 8 | int(b, 16) for a, b in re.findall(r"\{0x([0-9A-F]+), 0x([0-9A-F]+)\}", cs)]
def ext(name):
    i = hello.find("extension_type=%s(" % name)
    j = hello.find("extension_type=", i + 1)
    return [int(v, 0) for v in re.findall(r"^\s+\S.*\((0x[0-9a-f]{4}|\d+)\)\s*$", hello[i:j].split("\n", 1)[1], re.M)]
ours12 = [suites[n] for n in row["suites"]]
ours13 = [suites[n] for n in row["suites13"]]
want = {"suites": ours12, "suites13": ours13, "groups": [groups[n] for n in row["groups"]],
        "signature_algorithms": [sigs[n] for n in row["signature_algorithms"]]}
got = {"suites": [c for c in real if c >> 8 != 0x13 and c != 0x00ff], "suites13": [c for c in real if c >> 8 == 0x13],
       "groups": ext("supported_groups"), "signature_algorithms": ext("signature_algorithms")}
bad = [k for k in want if want[k] != got[k]]
for k in bad:
    print("%s %s: row %s, real %s" % (profile, k, [hex(v) for v in want[k]], [hex(v) for v in got[k]]))
print("%s: %d suites, %d TLS 1.3 suites, %d groups, %d signature schemes" % (profile, len(ours12), len(ours13),
      len(want["groups"]), len(want["signature_algorithms"])))
sys.exit(1 if bad else 0)
PY
}

capture java17 7451 java tests/lib/TlsClient.java localhost 7451 - "$W/c.pem" || echo "no java17 hello" >&2
capture curl 7452 curl -sk "https://localhost:7452/" || echo "no curl hello" >&2
capture python-3.12 7453 python3 tests/lib/tls_client.py localhost 7453 localhost "$W/c.pem" || echo "no python hello" >&2
capture node-20 7454 node tests/lib/tls_client.js localhost 7454 localhost "$W/c.pem" || echo "no node hello" >&2
capture openssl-3.0 7455 sh -c "openssl s_client -connect localhost:7455 </dev/null" || echo "no s_client hello" >&2

for T in $TLSDIAGS; do
  for prof in java17 curl python-3.12 node-20 openssl-3.0; do
    check "$T: $prof: the row's suites, TLS 1.3 suites, groups and signature_algorithms are the real client's hello" \
      matches "$T" "$prof" "$W/$prof.trace"
  done
done
