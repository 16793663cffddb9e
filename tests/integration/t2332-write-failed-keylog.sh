#!/bin/bash
# --write-failed with a key log: the written pcapng carries the key log lines
# of its failed connections as Decryption Secrets Blocks, so tshark (no key
# log option) decrypts their TLS 1.3 certificates and alerts and tlsdiag pcap
# gives the verdicts it gives with --keylog; the blocks hold exactly the lines
# of the written connections (not those of the successful ones), each once;
# with -G each rotated file holds those of its own connections; the file
# written again keeps them (from its own blocks; once each with the same key
# log given again). Real peers:
# openssl s_server (TLS 1.3 mutual TLS, an expired server certificate, TLS 1.2
# AES-GCM) and nginx (TLS 1.3 ssl_verify_client on) with s_client and curl
# writing the key log, captured by tcpdump.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh netns
pki_failures "$P" >/dev/null
unset SSLKEYLOGFILE
K=$W/keys.log CAP=$W/cap.pcap
: > "$K"
osl() { port=$1; shift; echo | timeout 5 openssl s_client -connect "127.0.0.1:$port" -keylogfile "$K" "$@" >/dev/null 2>&1; }
kurl() { SSLKEYLOGFILE=$K curl -s -o /dev/null -m 5 "$@"; }
V="-verify_return_error -CAfile $P/root.crt"
cap_start lo "$CAP"
# TLS 1.3 mutual TLS: an expired client certificate (refused after the client's flight), a good one
ossl_srv 6101 -tls1_3 -cert "$P/server.crt" -key "$P/server.key" -cert_chain "$P/inter.crt" -Verify 1 \
  -CAfile "$P/ca-bundle.crt" -verify_return_error
osl 6101 -servername oldcert.server.test -cert "$P/oldclient.crt" -key "$P/oldclient.key" -cert_chain "$P/inter.crt"
kurl --cacert "$P/root.crt" --cert "$P/client-chain.crt" --key "$P/client.key" \
  --resolve goodcert.server.test:6101:127.0.0.1 https://goodcert.server.test:6101/
stop_pid $SRV
sleep 1.2
# TLS 1.3: an expired server certificate, seen only decrypted
ossl_srv 6102 -tls1_3 -cert "$P/expired.crt" -key "$P/expired.key" -cert_chain "$P/inter.crt"
osl 6102 $V -servername expired.server.test
stop_pid $SRV
sleep 1.2
# nginx TLS 1.3 ssl_verify_client on: a client certificate from another CA (the 400 page), a good one
mkdir -p "$W/ngx"
ngx_start "$W/ngx" <<NGINX
  server {
    listen 127.0.0.1:6103 ssl;
    ssl_certificate $P/server-chain.crt;
    ssl_certificate_key $P/server.key;
    ssl_protocols TLSv1.3;
    ssl_client_certificate $P/root.crt;
    ssl_verify_client on;
    location / { return 200 "hello\n"; }
  }
NGINX
wait_port 6103
kurl --cacert "$P/root.crt" --cert "$P/other/leaf.crt" --key "$P/other/leaf.key" \
  --resolve othercert.server.test:6103:127.0.0.1 https://othercert.server.test:6103/
kurl --cacert "$P/root.crt" --cert "$P/client-chain.crt" --key "$P/client.key" \
  --resolve ngxgood.server.test:6103:127.0.0.1 https://ngxgood.server.test:6103/
stop_pid $SRV
sleep 1.2
# TLS 1.2 AES-GCM: curl checks the name after the handshake and closes with an encrypted alert; a good one
ossl_srv 6104 -tls1_2 -cert "$P/rsa.crt" -key "$P/rsa.key" -cert_chain "$P/inter.crt" -cipher ECDHE-RSA-AES128-GCM-SHA256
kurl --tls-max 1.2 --cacert "$P/root.crt" --resolve a.b.rsa.server.test:6104:127.0.0.1 https://a.b.rsa.server.test:6104/
osl 6104 $V -servername rsa.server.test
stop_pid $SRV
cap_stop

# dsb.py KEYLOG ORIG FILE...: each FILE's DSB lines are exactly the key log
# lines of the TLS connections with frames in it (client ports -> client
# randoms from ORIG), each once; prints the randoms written in any file.
cat > "$W/dsb.py" <<'PY'
import struct, subprocess, sys
def blocks(path):
    d = open(path, 'rb').read()
    e = '<' if d[8:12] == b'\x4d\x3c\x2b\x1a' else '>'
    at, out = 0, []
    while at + 12 <= len(d):
        t, n = struct.unpack(e + 'II', d[at:at + 8])
        assert n >= 12 and n % 4 == 0 and at + n <= len(d), ('bad block', path, at)
        assert struct.unpack(e + 'I', d[at + n - 4:at + n])[0] == n
        if t == 10:
            st, sl = struct.unpack(e + 'II', d[at + 8:at + 16])
            assert st == 0x544c534b and n == 20 + sl + (-sl % 4), ('bad DSB', path, at)
            out.append(d[at + 16:at + 16 + sl].decode())
        at += n
    return out
def fields(path, *f):
    a = ['tshark', '-n', '-r', path, '-T', 'fields'] + [x for y in f for x in ('-e', y)]
    return [l.split('\t') for l in subprocess.run(a, capture_output=True, text=True).stdout.splitlines()]
keys = {}
for l in open(sys.argv[1]):
    p = l.split()
    if len(p) == 3 and not p[0].startswith('#'):
        keys.setdefault(p[1].lower(), set()).add('%s %s %s' % (p[0], p[1].lower(), p[2].lower()))
rnd = {}
for row in subprocess.run(['tshark', '-n', '-r', sys.argv[2], '-Y', 'tls.handshake.type == 1', '-T', 'fields',
                           '-e', 'tcp.srcport', '-e', 'tls.handshake.random'], capture_output=True,
                          text=True).stdout.splitlines():
    port, r = row.split('\t')
    rnd[port] = r.replace(':', '').lower()
assert len(rnd) == 7 and all(r in keys for r in rnd.values()), ('every ClientHello has key log lines', rnd, list(keys))
written = set()
for path in sys.argv[3:]:
    ports = {p for row in fields(path, 'tcp.srcport', 'tcp.dstport') for p in row}
    want = set().union(*[keys[rnd[p]] for p in ports if p in rnd])
    got = [l for text in blocks(path) for l in text.splitlines()]
    assert len(got) == len(set(got)), ('a line twice', path)
    assert set(got) == want, (path, 'missing', want - set(got), 'extra', set(got) - want)
    written |= {rnd[p] for p in ports if p in rnd}
    print(path, len(got), 'lines, those of the TLS connections from ports', sorted(p for p in ports if p in rnd))
print(' '.join(sorted(written)))
PY
# verdicts.py KEYED.json WRITTEN.json: the written connections' verdicts (and the decryption) as with
# --keylog: the 4 TLS failures decrypted, the 3 servers' port probes (wait_port) without TLS, no good one
cat > "$W/verdicts.py" <<'PY'
import json, sys
def v(path):
    return {(d['client'], d['server']): (d['outcome'], d['cause'], d['confidence'], d['keylog'])
            for d in map(json.loads, open(path)) if 'client' in d}
a, b = v(sys.argv[1]), v(sys.argv[2])
tls = [k for k in b if b[k][3] is not None]
assert len(b) == 7 and all(a[k] == b[k] for k in b), (a, b)
assert len(tls) == 4 and all(b[k][3] == 'decrypted' and b[k][2] == 'high' for k in tls), b
assert all(b[k][1] == 'no_client_hello' for k in set(b) - set(tls)), b
ok = [k for k in a if a[k][:2] == ('ok', 'none')]
assert len(ok) == 3 and not set(ok) & set(b), ('the successful ones', ok)
print(sorted(b.values()))
PY
# g1.py TLSDIAG KEYED.json FILE...: -G 1 cuts at every second of capture time, so a connection
# a second's end falls inside is in two files (which second: timing). Each of the 4 TLS failures
# wholly inside one file decrypts there alone (at least 2 are); a cut one is a piece in each of
# its files; the port probes are never TLS; nothing else is written.
cat > "$W/g1.py" <<'PY'
import json, subprocess, sys
tlsdiag, keyed, files = sys.argv[1], sys.argv[2], sys.argv[3:]
tls = {d['client'].rsplit(':', 1)[1] for d in map(json.loads, open(keyed))
       if 'client' in d and d['outcome'] == 'failed' and d['keylog'] == 'decrypted'}
where, recs = {}, []
for f in files:
    out = subprocess.run(['tshark', '-n', '-r', f, '-T', 'fields', '-e', 'tcp.srcport', '-e', 'tcp.dstport'],
                         capture_output=True, text=True).stdout.split()
    for p in set(out):
        where.setdefault(p, set()).add(f)
    run = subprocess.run([tlsdiag, 'pcap', '--json', f], capture_output=True, text=True).stdout.splitlines()
    recs += [(f, d['client'].rsplit(':', 1)[1], d['keylog']) for d in map(json.loads, run) if 'client' in d]
whole = [p for p in tls if len(where.get(p, ())) == 1]
print('TLS failures', sorted(tls), 'wholly in one file', sorted(whole), 'records', recs)
assert len(tls) == 4 and len(whole) >= 2, 'the 4 TLS failures, at least 2 not cut'
for f, p, k in recs:
    assert p in where and f in where[p], ('a connection not in its file', f, p)
    assert k == ('decrypted' if p in whole else None) or (p in tls and p not in whole), (f, p, k)
assert sorted(p for f, p, k in recs if p in whole) == sorted(whole), 'each whole one once'
assert len({p for f, p, k in recs} - tls) == 3, 'the 3 port probes'
PY

for T in $TLSDIAGS; do
  check "$T: --keylog --write-failed: 7 failed connections written, the 4 TLS ones with their key log lines (capinfos: 4 secrets)" sh -c "
    '$T' pcap --json --keylog '$K' --write-failed '$W/f.pcapng' '$CAP' > '$W/keyed.json' 2> '$W/err'; rc=\$?
    cat '$W/err'; [ \$rc -eq 1 ] || exit 1
    grep -q -- '--write-failed $W/f.pcapng: 7 connections, [0-9]* frames; key log lines of 4 in Decryption Secrets Blocks' '$W/err' &&
    capinfos -D '$W/f.pcapng' | grep -q 'Number of decryption secrets in file: *4\$'"
  check "$T: the Decryption Secrets Blocks hold exactly the written connections' lines, each once (none of the 3 good ones')" \
    python3 "$W/dsb.py" "$K" "$CAP" "$W/f.pcapng"
  check "$T: tshark without a key log decrypts the written file: TLS 1.3 certificates, alerts, nginx's 400 page" sh -c "
    c=\$(tshark -n -r '$W/f.pcapng' -Y 'tls.handshake.type == 11 && (tcp.port == 6101 || tcp.port == 6102 || tcp.port == 6103)' -T fields -e tcp.stream | sort -u | wc -l)
    a=\$(tshark -n -r '$W/f.pcapng' -Y 'tls.alert_message.desc == 45' | wc -l)
    h=\$(tshark -n -r '$W/f.pcapng' -Y 'tcp.port == 6103 && http.response.code == 400' | wc -l)
    t=\$(tshark -n -r '$W/f.pcapng' -Y 'tcp.port == 6104 && tls.alert_message' | wc -l)
    echo \"streams with a Certificate \$c, certificate_expired alerts \$a, HTTP 400 \$h, TLS 1.2 alerts \$t\"
    [ \$c -eq 3 ] && [ \$a -ge 2 ] && [ \$h -eq 1 ] && [ \$t -ge 1 ] || exit 1
    editcap --discard-all-secrets '$W/f.pcapng' '$W/nokeys.pcapng' && ! capinfos -D '$W/nokeys.pcapng' | grep -q 'secrets' &&
    [ \$(tshark -n -r '$W/nokeys.pcapng' -Y 'tls.handshake.type == 11 && tcp.port == 6102' | wc -l) -eq 0 ]"
  check "$T: tlsdiag pcap on the written file, no --keylog: the verdicts given with the key log, decrypted" sh -c "
    '$T' pcap --json '$W/f.pcapng' > '$W/written.json'; [ \$? -eq 1 ] || exit 1
    python3 '$W/verdicts.py' '$W/keyed.json' '$W/written.json'"
  check "$T: the written file written again (its own secrets, and those with --keylog too): the same lines, each once" sh -c "
    '$T' pcap --write-failed '$W/again.pcapng' '$W/f.pcapng' > /dev/null 2> '$W/again.err'; cat '$W/again.err'
    grep -q 'key log lines of 4 in' '$W/again.err' && python3 '$W/dsb.py' '$K' '$CAP' '$W/again.pcapng' || exit 1
    '$T' pcap --keylog '$K' --write-failed '$W/both.pcapng' '$W/f.pcapng' > /dev/null 2>&1
    python3 '$W/dsb.py' '$K' '$CAP' '$W/both.pcapng'"
  check "$T: -G 1: each rotated file holds its own connections' lines, and decrypts alone (those not cut)" sh -c "
    rm -f '$W/rot'*
    '$T' pcap --keylog '$K' -G 1 --write-failed '$W/rot' '$CAP' > /dev/null 2> '$W/rot.err'; cat '$W/rot.err'
    grep -q ' in [3-9] files (.*); key log lines of 4 in Decryption Secrets Blocks' '$W/rot.err' || exit 1
    python3 '$W/dsb.py' '$K' '$CAP' '$W'/rot '$W'/rot[0-9]* || exit 1
    python3 '$W/g1.py' '$T' '$W/keyed.json' '$W'/rot '$W'/rot[0-9]*"
done
