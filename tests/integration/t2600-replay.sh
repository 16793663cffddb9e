#!/bin/bash
# tlsdiag probe --replay: real clients fail against servers configured here
# (inside a private network namespace), tcpdump captures them, and each
# captured ClientHello is replayed against the live server, then varied one
# change at a time: the verdict must become the right cause at high, with the
# right fix. A server restarted with another configuration between the
# capture and the replay must be seen as changed, and a stack intolerant of
# one extension found by dropping it, and an SMTP STARTTLS failure replayed after STARTTLS. Connections and wall time
# per replayed connection are measured and printed.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh netns

# 7601: X25519 only; a TLS 1.3 client offering P-384 alone
ossl_srv 7601 -cert "$P/server.crt" -key "$P/server.key" -groups X25519
# 7602: nginx refusing clients without SNI; server.test behind it
ngx_start "$W/ngx" <<NGINX
  server { listen 127.0.0.1:7602 ssl default_server; ssl_reject_handshake on; }
  server { listen 127.0.0.1:7602 ssl; server_name server.test;
           ssl_certificate $P/server-chain.crt; ssl_certificate_key $P/server.key; return 200 "ok\n"; }
NGINX
wait_port 7602
# 7603: TLS 1.2 and up; 7604: TLS 1.2, AEAD suites only
ossl_srv 7603 -cert "$P/server.crt" -key "$P/server.key" -no_tls1 -no_tls1_1
ossl_srv 7604 -cert "$P/server.crt" -key "$P/server.key" -tls1_2 \
  -cipher 'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384'
# 7605: X25519 only at capture time, restarted accepting P-384 before the replay
ossl_srv 7605 -cert "$P/server.crt" -key "$P/server.key" -groups X25519
CHANGING=$SRV

# 7607: X25519 only, an RSA certificate: a TLS 1.2 client with P-384 alone and one ECDHE suite fails, and
# either an RSA key-exchange suite or the group X25519 would do (tlsdiag pcap alone says cipher_mismatch,
# medium; the replay makes it group_mismatch, with the suite as the other fix)
ossl_srv 7607 -cert "$P/rsa.crt" -key "$P/rsa.key" -groups X25519
# 7608: SMTP with STARTTLS (tests/lib/preamble_server.py), TLS 1.2 with AEAD suites only
PS_CIPHERS='ECDHE-ECDSA-AES128-GCM-SHA256' python3 tests/lib/preamble_server.py smtp 7608 \
  "$P/server-chain.crt" "$P/server.key" >/dev/null 2>&1 &
td_track $!
wait_port 7608
# 7606: a stack intolerant of one extension (encrypt_then_mac): it closes on any
# ClientHello carrying it, and answers the others with a ServerHello
python3 - <<'PY' >/dev/null 2>&1 &
import socket, struct, threading
def exts(h):
    # ClientHello body after the handshake header: version, random, session id, suites, compression
    i = 2 + 32; i += 1 + h[i]; i += 2 + struct.unpack(">H", h[i:i + 2])[0]; i += 1 + h[i]
    end = i + 2 + struct.unpack(">H", h[i:i + 2])[0]; i += 2; out = []
    while i + 4 <= end:
        t, l = struct.unpack(">HH", h[i:i + 4]); out.append(t); i += 4 + l
    return out
def handle(c):
    try:
        data = b""
        while len(data) < 5 or len(data) < 5 + struct.unpack(">H", data[3:5])[0]:
            more = c.recv(65536)
            if not more: return
            data += more
        if 0x16 not in exts(data[9:]):
            sh = b"\x03\x03" + bytes(32) + b"\x00\xc0\x2b\x00"
            hs = b"\x02" + struct.pack(">I", len(sh))[1:] + sh + b"\x0e\x00\x00\x00"
            c.sendall(b"\x16\x03\x03" + struct.pack(">H", len(hs)) + hs)
            c.recv(100)
    except (OSError, IndexError, struct.error):
        pass
    c.close()
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 7606)); s.listen(64)
while True:
    c, _ = s.accept()
    threading.Thread(target=handle, args=(c,), daemon=True).start()
PY
td_track $!
wait_port 7606

cap_start lo "$W/fail.pcap" "tcp portrange 7601-7608"
openssl s_client -connect 127.0.0.1:7601 -groups P-384 </dev/null >/dev/null 2>&1
curl -s -o /dev/null --cacert "$P/root.crt" --resolve server.test:7602:127.0.0.1 https://server.test:7602/
curl -s -o /dev/null -k https://127.0.0.1:7602/
openssl s_client -connect 127.0.0.1:7603 -tls1 -cipher DEFAULT@SECLEVEL=0 </dev/null >/dev/null 2>&1
openssl s_client -connect 127.0.0.1:7604 -tls1_2 -cipher 'ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA' \
  </dev/null >/dev/null 2>&1
openssl s_client -connect 127.0.0.1:7605 -groups P-384 </dev/null >/dev/null 2>&1
openssl s_client -connect 127.0.0.1:7606 -tls1_2 </dev/null >/dev/null 2>&1
openssl s_client -connect 127.0.0.1:7607 -tls1_2 -groups P-384 -cipher ECDHE-RSA-AES128-GCM-SHA256 </dev/null >/dev/null 2>&1
openssl s_client -connect 127.0.0.1:7608 -starttls smtp -tls1_2 -cipher ECDHE-ECDSA-AES128-SHA </dev/null >/dev/null 2>&1
cap_stop
stop_pid "$CHANGING"
ossl_srv 7605 -cert "$P/server.crt" -key "$P/server.key" -groups P-384:X25519

# The tcp.stream of the failed connection to PORT, as tlsdiag pcap numbers it.
stream_of() {
  build/tlsdiag pcap --json "$W/fail.pcap" | python3 -c '
import json, sys
for l in sys.stdin:
    d = json.loads(l)
    if d.get("outcome") == "failed" and d["server"].endswith(":" + sys.argv[1]):
        print(d["stream"]); break' "$1"
}

# rp T PORT CAUSE FIX_WORDS [ARGS...]: replay the failed connection to PORT;
# the verdict must be CAUSE at high, the fix name FIX_WORDS, the pcap cause
# (from the capture alone) the same family; prints connections and time.
rp() {
  t=$1 port=$2 cause=$3 fix=$4; shift 4
  s=$(stream_of "$port")
  [ -n "$s" ] || { echo "no failed connection to port $port in the capture"; return 1; }
  "$t" probe --replay "$W/fail.pcap" --stream "$s" --json --timeout 1000 "$@" > "$W/r.json"
  rc=$?
  python3 - "$W/r.json" "$cause" "$fix" "$rc" <<'PY'
import json, sys
path, cause, fix, rc = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
objs = [json.loads(l) for l in open(path)]
r = [o for o in objs if o["type"] == "replay"][0]
s = [o for o in objs if o["type"] == "replay_summary"][0]
ok = (r.get("cause") == cause and r.get("confidence") == "high" and r.get("changed") is False
      and fix in r.get("fix_client", "") + " " + r.get("fix_server", "") and rc == 1
      and "proven_by_replay_at" in r and r["connections"] <= 40 and r["variants"][0]["got"]["answer"] != "accepted")
print("replay %s: cause %s, %d connections, %.1f ms" % (r["server"], r.get("cause"), r["connections"], r["seconds"] * 1000))
if not ok:
    print(json.dumps(r, indent=1)[:4000], "rc", rc)
    sys.exit(1)
PY
}

for T in $TLSDIAGS; do
  check "$T: the capture alone: group_mismatch, sni_required, protocol_mismatch, cipher_mismatch" \
    sh -c "'$T' pcap --json '$W/fail.pcap' | python3 -c '
import json, sys
c = {}
for l in sys.stdin:
    d = json.loads(l)
    if d.get(\"outcome\") == \"failed\":
        c[d[\"server\"].split(\":\")[-1]] = d[\"cause\"]
print(c)
assert c[\"7601\"] == \"group_mismatch\" and c[\"7602\"] == \"sni_required\" and c[\"7603\"] == \"protocol_mismatch\" and c[\"7604\"] == \"cipher_mismatch\", c
'"
  check "$T: P-384 alone against an X25519-only server: group_mismatch proven, the fix names x25519" \
    rp "$T" 7601 group_mismatch "namedGroups=x25519"
  check "$T: curl without SNI against nginx ssl_reject_handshake: sni_required proven with the name from the capture" \
    rp "$T" 7602 sni_required "server.test"
  check "$T: a TLS 1.0-only client against a TLS 1.2+ server: protocol_mismatch proven, fix TLS 1.2 (Java property)" \
    rp "$T" 7603 protocol_mismatch "jdk.tls.client.protocols"
  check "$T: CBC suites only against an AEAD-only server: cipher_mismatch proven, an ECDHE-ECDSA-GCM suite" \
    rp "$T" 7604 cipher_mismatch "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"
  check "$T: a stack intolerant of encrypt_then_mac: hello_intolerance proven by dropping that extension alone" \
    rp "$T" 7606 hello_intolerance "do not send the encrypt_then_mac extension"
  check "$T: two changes each enough (the group x25519, an RSA key-exchange suite): both listed as fixes" \
    sh -c "s=\$(build/tlsdiag pcap --json '$W/fail.pcap' | grep '\"server\":\"127.0.0.1:7607\"' | grep -o '\"stream\":[0-9]*' | head -1 | cut -d: -f2)
      '$T' probe --replay '$W/fail.pcap' --stream \"\$s\" --json | python3 -c '
import json, sys
r = json.loads(sys.stdin.readline())
f = sorted((x[\"cause\"], x[\"change\"]) for x in r[\"fixes\"])
assert f == [(\"cipher_mismatch\", \"suite TLS_RSA_WITH_AES_128_GCM_SHA256 added\"), (\"group_mismatch\", \"group x25519 added\")], r
' && '$T' probe --replay '$W/fail.pcap' --stream \"\$s\" | grep -q 'each of these is enough'"
  check "$T: SMTP STARTTLS, CBC suites against an AEAD-only server: replayed after the probe's STARTTLS, cipher_mismatch" \
    rp "$T" 7608 cipher_mismatch "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"
  check "$T: a server restarted with another configuration: the behaviour changed since the capture" \
    sh -c "s=\$(build/tlsdiag pcap --json '$W/fail.pcap' | grep '\"server\":\"127.0.0.1:7605\"' | grep -o '\"stream\":[0-9]*' | head -1 | cut -d: -f2)
      '$T' probe --replay '$W/fail.pcap' --stream \"\$s\" > '$W/changed.txt'; cat '$W/changed.txt'
      grep -q \"behaviour changed since the capture: it now accepts\" '$W/changed.txt' &&
      '$T' probe --replay '$W/fail.pcap' --stream \"\$s\" --json | grep -q '\"changed\":true'"
  check "$T: every failed connection at once: 8 replayed, 7 proven, 1 changed; connections and time measured" \
    sh -c "'$T' probe --replay '$W/fail.pcap' --timeout 1000 | tee '$W/all.txt' | tail -1
      grep -q '^replayed 8 failed connections: 7 proven, 1 where the server changed' '$W/all.txt' &&
      sed -n 's/^tcp.stream [0-9]*  replayed to [^ ]*  (\\([0-9]*\\) TCP connections*, \\([0-9.]*\\) s.*/\\1 \\2/p' '$W/all.txt' |
        awk '{ n++; if (\$1 > 40 || \$2 > 2) bad++ } END { exit !(n == 8 && !bad) }'"
  # The figures (TAP comments): connections and wall time per replayed connection.
  [ -s "$W/all.txt" ] && grep -E '^(tcp.stream|replayed)' "$W/all.txt" | sed "s|^|# $T measured: |"
  check "$T: pcap --replay: the medium verdicts proven and rewritten at high (marked with the time), the high ones untouched" \
    sh -c "'$T' pcap --replay --json '$W/fail.pcap' | python3 -c '
import json, sys
v = {d[\"server\"].split(\":\")[-1]: d for d in map(json.loads, sys.stdin) if d.get(\"outcome\") == \"failed\"}
for port, cause in ((\"7601\", \"group_mismatch\"), (\"7604\", \"cipher_mismatch\"), (\"7607\", \"group_mismatch\"), (\"7608\", \"cipher_mismatch\")):
    assert v[port][\"cause\"] == cause and v[port][\"confidence\"] == \"high\", v[port]
    assert v[port][\"explanation\"].startswith(\"proven by replay at 20\"), v[port][\"explanation\"]
for port in (\"7602\", \"7603\"):
    assert \"replay\" not in v[port][\"explanation\"], v[port]
assert v[\"7605\"][\"confidence\"] == \"medium\" and \"behaviour changed since the capture\" in v[\"7605\"][\"explanation\"], v[\"7605\"]
' && '$T' pcap --replay '$W/fail.pcap' | tail -1 | grep -q '^replay: 5 connections replayed, 4 proven'"
  check "$T: --dry-run sends nothing: no TCP connection, the variants listed with their sizes" \
    sh -c "s=\$(build/tlsdiag pcap --json '$W/fail.pcap' | grep '\"server\":\"127.0.0.1:7601\"' | grep -o '\"stream\":[0-9]*' | head -1 | cut -d: -f2)
      cap_out=\$('$T' probe --replay '$W/fail.pcap' --stream \"\$s\" --dry-run); echo \"\$cap_out\" | head -5
      echo \"\$cap_out\" | grep -q '(0 TCP connections' && echo \"\$cap_out\" | grep -q 'group x25519 added .* bytes' &&
      echo \"\$cap_out\" | grep -q 'dry run: [0-9]* ClientHellos, none sent'"
  check "$T: --max-connections bounds the connections and says the budget was reached" \
    sh -c "'$T' probe --replay '$W/fail.pcap' --max-connections 2 --json | python3 -c '
import json, sys
objs = [json.loads(l) for l in sys.stdin]
r = [o for o in objs if o[\"type\"] == \"replay\"]
assert r and all(o[\"connections\"] <= 2 for o in r), r
assert any(o[\"budget_reached\"] for o in r)
'"
  check "$T: HOST:PORT where nothing listens: not replayed, said so, one connection each, nothing called changed" \
    sh -c "'$T' probe --replay '$W/fail.pcap' --timeout 500 127.0.0.1:7699 > '$W/none.txt'; rc=\$?; tail -1 '$W/none.txt'
      [ \$rc = 1 ] && [ \$(grep -c 'not replayed: .*127.0.0.1:7699' '$W/none.txt') = 8 ] &&
      grep -q '^replayed 8 failed connections: 0 proven, 0 where the server changed, 8 not replayable; 8 TCP connections' '$W/none.txt'"
  check "$T: usage: --stream of no connection, a missing capture, two targets: exit 2" \
    sh -c "'$T' probe --replay '$W/fail.pcap' --stream 999 2>/dev/null; a=\$?
      '$T' probe --replay '$W/none.pcap' 2>/dev/null; b=\$?
      '$T' probe --replay '$W/fail.pcap' a:1 b:2 2>/dev/null; c=\$?; [ \$a\$b\$c = 222 ]"
done
