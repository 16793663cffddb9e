#!/bin/bash
# tlsdiag pcap as a new user meets it (issue 20): every Look command runs on
# the installed tshark, --stream and --host say what they matched, port checks
# are counted apart from failed handshakes.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh

for T in $TLSDIAGS; do
  rm -rf "$W/lab"
  "$T" lab -w "$W/lab" >/dev/null
  check "$T: every Look command of the shipped and the lab captures runs on the installed tshark" \
    python3 - "$T" "$W/looks-ran" tests/captures/*.pcap* "$W"/lab/*.pcap <<'PY'
import os, shlex, subprocess, sys
t, cache, files = sys.argv[1], sys.argv[2], sys.argv[3:]
ran = set(open(cache).read().splitlines()) if os.path.exists(cache) else set()  # run for an earlier binary
n = 0
for f in files:
    out = subprocess.run([t, "pcap", f], capture_output=True, text=True).stdout
    looks = [l.split("Look", 1)[1].strip() for l in out.splitlines() if l.startswith("  Look ")]
    heads = [l for l in out.splitlines() if l.startswith("tcp.stream ") and " failed" in l]
    assert len(looks) >= len(heads), f + ": failed connections without a Look line"
    for cmd in looks:
        argv = shlex.split(cmd)
        assert argv[:2] == ["tshark", "-r"] and argv[2] == f and argv[3] == "-Y", cmd
        n += 1
        if cmd in ran:
            continue
        r = subprocess.run(argv, capture_output=True, text=True)
        assert r.returncode == 0 and "isn't a valid display filter" not in r.stderr, (cmd, r.stderr)
        assert r.stdout.strip(), cmd + ": the filter shows no frame"
        ran.add(cmd)
        open(cache, "a").write(cmd + "\n")
assert n > 60, n
print(n, "Look commands run")
PY
  check "$T: a gateway's Look names both streams in tshark 4.0's set syntax" \
    sh -c "'$T' pcap '$W/lab/gateway-503.pcap' | grep -qF \"Look     tshark -r $W/lab/gateway-503.pcap -Y 'tcp.stream in {0,1}'\""
  check "$T: a file name with a quote and a space is quoted as one shell word" \
    sh -c "cp '$W/lab/expired-tls12.pcap' \"$W/it's here.pcap\"; '$T' pcap \"$W/it's here.pcap\" | grep -F 'Look' | head -1 > '$W/look';
           cmd=\$(sed 's/^  Look *//' '$W/look'); eval \"\$cmd\" > '$W/frames' && [ -s '$W/frames' ]"
  check "$T: --stream N of a stream the file does not have: said on stderr, exit 2" \
    sh -c "'$T' pcap --stream 999 '$LO' > '$W/out' 2> '$W/err'; [ \$? -eq 2 ] && grep -q 'there is no tcp.stream 999 (the capture has 35 TCP streams' '$W/err'"
  check "$T: --stream of an ok connection exits 0 (the file has failures elsewhere); of a failed one 1" \
    sh -c "'$T' pcap --stream 3 '$LO' > '$W/out'; a=\$?; '$T' pcap --stream 16 '$LO' >/dev/null; b=\$?;
           [ \$a\$b = 01 ] && grep -q '^tcp.stream 3 .* ok' '$W/out' && [ \$(grep -c '^tcp.stream' '$W/out') -eq 1 ]"
  check "$T: --stream of a connection that is not TLS says so on stderr" \
    sh -c "'$T' pcap --stream 0 '$LO' 2> '$W/err' >/dev/null; grep -q 'tcp.stream 0 is not a TLS connection' '$W/err'"
  check "$T: --host filters HTTP connections too (the gateway's 503 by its address)" \
    sh -c "[ \$('$T' pcap --json --host 192.0.2.10 '$W/lab/gateway-503.pcap' | grep -c '\"protocol\":\"http\"') -eq 1 ] &&
           [ \$('$T' pcap --json --host 192.0.2.10 '$W/lab/gateway-503.pcap' | wc -l) -eq 1 ] &&
           [ \$('$T' pcap --json --host server.lab.test '$W/lab/gateway-503.pcap' | grep -c '\"protocol\":\"http\"') -eq 0 ] &&
           [ \$('$T' pcap --json --host 203.0.113.5 '$W/lab/gateway-503.pcap' | wc -l) -eq 2 ]"
  # streams 2 (a port check: TCP opened and closed, the server's alert) and 3 (a good TLS 1.3 handshake)
  tshark -2 -r "$LO" -w "$W/check.pcap" -F pcap -R 'tcp.stream in {2,3}' 2>/dev/null
  check "$T: a port check alone is not a failed handshake: exit 0, counted apart in the summary" \
    sh -c "'$T' pcap '$W/check.pcap' > '$W/out'; [ \$? -eq 0 ] &&
           grep -q 'TLS: 1 (1 ok, 0 failed, 0 incomplete); 1 port check (TCP opened and closed without a byte)' '$W/out' &&
           ! grep -q 'causes:' '$W/out'"
  check "$T: --fail-on-empty counts port checks as failures (exit 1)" \
    sh -c "'$T' pcap --fail-on-empty '$W/check.pcap' >/dev/null; [ \$? -eq 1 ]"
  check "$T: JSON summary: tls_connections only those that spoke TLS, port_checks apart" \
    sh -c "'$T' pcap --summary --json '$LO' | python3 -c \"
import json, sys
s = json.loads(sys.stdin.read())
assert (s['tls_connections'], s['ok'], s['failed'], s['port_checks'], s['not_tls_on_tls_port']) == (14, 8, 6, 7, 1), s
assert s['causes']['no_client_hello'] == 7, s
\""
  check "$T: the summary's servers leave out those whose only failures are port checks" \
    sh -c "'$T' pcap --summary '$LO' > '$W/out'; grep -q '^  127.0.0.1:4433: 1 ok, 1 failed: rsa_kex_removed 1; 1 port check' '$W/out' &&
           ! grep -q '127.0.0.1:4434' '$W/out' && ! grep -q 'no_client_hello' '$W/out'"
  check "$T: --export-certs writes every chain tshark sees (TLS 1.3 ones with the key log), byte for byte, read back by openssl and tlsdiag cert" \
    python3 - "$T" "$W/exp" tests/captures/*.pcap* "$W"/lab/*.pcap <<'PY'
import glob, hashlib, os, shutil, subprocess, sys
t, d, files = sys.argv[1], sys.argv[2], sys.argv[3:]
total = decrypted = 0
for f in files:
    shutil.rmtree(d, ignore_errors=True)
    keys = f[:-5] + ".keys"
    mine = ["--keylog", keys] if os.path.exists(keys) else []
    theirs = ["-o", "tls.keylog_file:" + keys] if mine else []
    r = subprocess.run([t, "pcap", "--export-certs", d + "/new"] + mine + [f], capture_output=True)
    assert r.returncode in (0, 1), (f, r.returncode, r.stderr)
    want = {}
    for line in subprocess.run(["tshark", "-r", f] + theirs + ["-Y", "tls.handshake.certificate", "-T", "fields", "-e", "tcp.stream",
                                "-e", "tcp.srcport", "-e", "tcp.dstport", "-e", "tls.handshake.certificate"],
                               capture_output=True, text=True).stdout.splitlines():
        stream, sport, dport, certs = line.split("\t")
        ders = [bytes.fromhex(h.replace(":", "")) for h in certs.split(",") if h]
        want.setdefault((stream, sport), []).extend(hashlib.sha256(x).hexdigest() for x in ders)
    got = {}
    for pem in glob.glob(d + "/new/*.pem"):
        name = os.path.basename(pem)[:-4]
        stream, who = name.split("-", 1)
        out = subprocess.run(["sh", "-c", "openssl crl2pkcs7 -nocrl -certfile '%s' | openssl pkcs7 -print_certs" % pem],
                             capture_output=True, text=True).stdout
        ders = []
        for block in out.split("-----BEGIN CERTIFICATE-----")[1:]:
            body = block.split("-----END CERTIFICATE-----")[0]
            der = subprocess.run(["openssl", "x509", "-outform", "DER"], input=("-----BEGIN CERTIFICATE-----" + body +
                                 "-----END CERTIFICATE-----\n").encode(), capture_output=True).stdout
            ders.append(hashlib.sha256(der).hexdigest())
        assert ders, pem
        c = subprocess.run([t, "cert", "--json", pem], capture_output=True)
        assert c.returncode in (0, 1), (pem, c.stderr)
        port = who.rsplit("_", 1)[1] if who != "client" else None
        got[(stream, port or "client")] = ders
    # tshark names the sender by its port: the server's port, or the client's for its chain
    norm = {}
    for (stream, sport), v in want.items():
        key = (stream, sport) if (stream, sport) in got else (stream, "client")
        norm[key] = v
    assert got == norm, (f, sorted(got), sorted(norm))
    total += sum(len(v) for v in got.values())
    decrypted += sum(len(v) for v in got.values()) if mine and "tls13" in f else 0
assert total > 60 and decrypted > 5, (total, decrypted)
print(total, "certificates,", decrypted, "from TLS 1.3 with the key log")
PY
  check "$T: --export-certs: an unwritable DIR is exit 2, said with the reason" \
    sh -c "touch '$W/afile'; '$T' pcap --export-certs '$W/afile/x' '$LO' > /dev/null 2> '$W/err'; [ \$? -eq 2 ] || exit 1; grep -q 'export-certs.*afile/x: Not a directory' '$W/err' || exit 1;
           '$T' pcap --export-certs /proc/tlsdiag-x '$LO' > /dev/null 2> '$W/err'; [ \$? -eq 2 ] && grep -q '/proc/tlsdiag-x' '$W/err'"
  check "$T: JSON: every record of one type has the same keys (null when missing), nested objects too" \
    python3 - "$T" "$W" tests/captures/*.pcap* "$W"/lab/*.pcap <<'PY'
import collections, glob, json, os, subprocess, sys
t, w, files = sys.argv[1], sys.argv[2], sys.argv[3:]
recs = collections.defaultdict(list)
def run(*args):
    for line in subprocess.run([t] + list(args), capture_output=True, text=True).stdout.splitlines():
        r = json.loads(line)
        kind = r.get("type") or ("http" if r.get("protocol") == "http" else None)
        if kind is None:
            kind = "cert" if "chains" in r else "lab" if "scenario" in r else "connection"
        recs[kind].append(r)
for f in files:
    keys = f[:-5] + ".keys"
    extra = ["--keylog", keys] if os.path.exists(keys) else []
    run("pcap", "--json", *extra, f)
    run("pcap", "--json", "--summary", *extra, f)
run("lab", "--json")
run("lab", "--json", "-w", w + "/lab2", "expired-tls12", "gateway-503")
subprocess.run([t, "pcap", "--export-certs", w + "/exp2", files[0]], capture_output=True)
pems = sorted(glob.glob(w + "/exp2/*.pem"))
assert pems
for p in pems[:6]:
    run("cert", "--json", p)
run("cert", "--json", "--compare", pems[0], pems[0])
def same(kind, objs):
    sets = collections.Counter(tuple(sorted(o)) for o in objs)
    assert len(sets) == 1, (kind, [sorted(set(s) ^ set(sets.most_common(1)[0][0])) for s in sets])
for kind in ("connection", "http", "summary", "lab", "cert"):
    assert recs[kind], kind + ": no record"
    same(kind, recs[kind])
for key in ("coverage", "preamble", "certificate", "downstream", "link", "http"):
    same(key, [r[key] for v in recs.values() for r in v if isinstance(r.get(key), dict)] or [{}])
for key in ("chain", "findings", "evidence", "also"):
    same(key, [x for v in recs.values() for r in v for x in r.get(key) or []] or [{}])
for k in ("reason", "note", "resolution", "certificate", "downstream", "explanation", "keylog", "version"):
    assert any(r[k] is None for r in recs["connection"]), k + " never null"
assert any(r["anchor"] is None for r in recs["cert"]), "anchor"
print({k: len(v) for k, v in recs.items()})
PY
done
