#!/bin/bash
# --keylog: real TLS 1.3 and 1.2 handshakes between clients that write NSS key
# logs (openssl s_client -keylogfile, curl and SSLKEYLOGFILE, Python's
# keylog_filename, Node's keylog event) and openssl s_server, for the
# certificate causes TLS 1.3 hides; decrypted contents checked against tshark
# with the same key log; wrong, missing and truncated key logs; secrets never
# printed; pcapng Decryption Secrets Blocks (editcap --inject-secrets).
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh netns
pki_failures "$P" >/dev/null
CAP=$W/keylog.pcap
K=$W/keys.log
: > "$K"
cap_start lo "$CAP"
srv() { ossl_srv "$@"; } # port args...
osl() { port=$1; shift; echo | timeout 5 openssl s_client -connect "127.0.0.1:$port" -keylogfile "$K" "$@" >/dev/null 2>&1; }
V="-verify_return_error -CAfile $P/root.crt"
# TLS 1.3: an expired leaf (s_client, curl), a name not covered (s_client, Python), an unknown CA (Node)
srv 6001 -cert "$P/expired.crt" -key "$P/expired.key" -cert_chain "$P/inter.crt"
osl 6001 $V -servername expired.server.test
SSLKEYLOGFILE=$K curl -s -o /dev/null -m 5 --cacert "$P/root.crt" --resolve expired.server.test:6001:127.0.0.1 \
  https://expired.server.test:6001/
stop_pid $SRV
srv 6002 -cert "$P/server.crt" -key "$P/server.key" -cert_chain "$P/inter.crt"
osl 6002 $V -servername wrong.example.org -verify_hostname wrong.example.org
timeout 10 python3 - "$K" "$P/root.crt" <<'PY' >/dev/null 2>&1
import socket, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[2])
ctx.keylog_filename = sys.argv[1]
try:
    with socket.create_connection(("127.0.0.1", 6002)) as s:
        with ctx.wrap_socket(s, server_hostname="python.wrong.example.org") as t:
            t.sendall(b"GET / HTTP/1.0\r\n\r\n")
except ssl.SSLError:
    pass
PY
stop_pid $SRV
srv 6003 -cert "$P/other/leaf.crt" -key "$P/other/leaf.key" -cert_chain "$P/other/inter.crt"
timeout 10 node -e '
const tls = require("tls"), fs = require("fs");
const s = tls.connect({host: "127.0.0.1", port: 6003, servername: "untrusted.server.test", ca: fs.readFileSync(process.argv[2])});
s.on("keylog", (line) => fs.appendFileSync(process.argv[1], line));
s.on("error", () => process.exit(0));
s.on("secureConnect", () => s.end());' "$K" "$P/root.crt" >/dev/null 2>&1
stop_pid $SRV
# TLS 1.3 mutual TLS: no client certificate, an expired one
srv 6004 -cert "$P/server.crt" -key "$P/server.key" -cert_chain "$P/inter.crt" -Verify 1 -CAfile "$P/ca-bundle.crt" -verify_return_error
osl 6004 -servername nocert13.server.test
osl 6004 -servername oldcert13.server.test -cert "$P/oldclient.crt" -key "$P/oldclient.key" -cert_chain "$P/inter.crt"
stop_pid $SRV
# TLS 1.3 after a HelloRetryRequest (the server wants secp384r1, the client's first share is x25519)
srv 6006 -cert "$P/expired.crt" -key "$P/expired.key" -cert_chain "$P/inter.crt" -groups secp384r1
osl 6006 $V -servername hrr.expired.server.test -groups x25519:secp384r1
stop_pid $SRV
# TLS 1.2 with ChaCha20: curl checks the name after the handshake, then closes with an encrypted alert
srv 6005 -cert "$P/rsa.crt" -key "$P/rsa.key" -cert_chain "$P/inter.crt" -tls1_2 -cipher ECDHE-RSA-CHACHA20-POLY1305
SSLKEYLOGFILE=$K curl -s -o /dev/null -m 5 --tls-max 1.2 --cacert "$P/root.crt" \
  --resolve a.b.rsa.server.test:6005:127.0.0.1 https://a.b.rsa.server.test:6005/
osl 6005 $V -servername rsa.server.test
stop_pid $SRV
cap_stop

J=$W/out.json
conn() { # tlsdiag json-file sni field: prints the field of the connection with that SNI
  python3 -c "import json,sys; print([json.loads(l) for l in open('$1')][0])" >/dev/null; }

for T in $TLSDIAGS; do
  check "$T: without keys TLS 1.3 certificates stay hidden (no Certificate message from the server)" \
    python3 tests/lib/assert_json.py "$T" "$CAP" \
      "'Certificate' not in types(conn(sni='expired.server.test'))" \
      "conn(sni='wrong.example.org')['cause'] != 'hostname_mismatch'"
  check "$T: --keylog: each certificate cause is named, high, from the decrypted messages" \
    env TD_ARGS="--keylog $K" python3 tests/lib/assert_json.py "$T" "$CAP" \
      "all(conn(sni='expired.server.test', nth=i)['cause'] == 'expired_cert' for i in (0, 1))" \
      "conn(sni='expired.server.test')['confidence'] == 'high'" \
      "conn(sni='expired.server.test')['keylog'] == 'decrypted'" \
      "any(m['type'] == 'Certificate' and m.get('decrypted') for m in conn(sni='expired.server.test')['messages'])" \
      "conn(sni='wrong.example.org')['cause'] == 'hostname_mismatch' and conn(sni='wrong.example.org')['confidence'] == 'high'" \
      "conn(sni='python.wrong.example.org')['cause'] == 'hostname_mismatch'" \
      "conn(sni='untrusted.server.test')['cause'] == 'unknown_ca'" \
      "conn(sni='nocert13.server.test')['cause'] == 'client_cert_missing'" \
      "'HelloRetryRequest' in types(conn(sni='hrr.expired.server.test')) and conn(sni='hrr.expired.server.test')['cause'] == 'expired_cert'" \
      "conn(sni='oldcert13.server.test')['cause'] == 'client_cert_expired' and conn(sni='oldcert13.server.test')['confidence'] == 'high'" \
      "any(m['type'] == 'Alert' and m.get('decrypted') and m['description'] == 'certificate_expired' for m in conn(sni='oldcert13.server.test')['messages'])"
  check "$T: --keylog: TLS 1.2 ChaCha20: curl's close right after the handshake is read; the name it checked is named" \
    env TD_ARGS="--keylog $K" python3 tests/lib/assert_json.py "$T" "$CAP" \
      "conn(sni='a.b.rsa.server.test')['cause'] == 'hostname_mismatch'" \
      "any(m['type'] == 'Alert' and m.get('decrypted') for m in conn(sni='a.b.rsa.server.test')['messages'])" \
      "conn(sni='rsa.server.test')['keylog'] == 'decrypted' and conn(sni='rsa.server.test')['cause'] == 'none'"
  check "$T: decrypted handshake messages and alerts equal tshark's with the same key log" \
    env TD_KEYLOG="$K" python3 tests/lib/compare_tshark.py "$T" "$CAP" 6001 6002 6003 6004 6005 6006
  check "$T: SSLKEYLOGFILE in the environment works as --keylog; pcapng secrets (editcap --inject-secrets) too" \
    sh -c "SSLKEYLOGFILE='$K' '$T' pcap --json '$CAP' | grep -c '\"keylog\":\"decrypted\"' > '$W/n1';
      editcap --inject-secrets 'tls,$K' '$CAP' '$W/dsb.pcapng' &&
      '$T' pcap --json '$W/dsb.pcapng' | grep -c '\"keylog\":\"decrypted\"' > '$W/n2';
      [ \$(cat '$W/n1') -ge 8 ] && cmp -s '$W/n1' '$W/n2'"
  check "$T: wrong, missing and truncated key logs: said per connection, never a crash" \
    sh -c "awk '{print \$1, \$2, \"00\" substr(\$3, 3)}' '$K' > '$W/wrong.log'
      '$T' pcap --keylog '$W/wrong.log' '$CAP' > '$W/o1'; [ \$? -eq 1 ] || exit 1
      grep -q 'key log: the key log.s keys do not decrypt this session' '$W/o1' || exit 1
      head -c \$((\$(wc -c < '$K') / 2)) '$K' > '$W/half.log'
      '$T' pcap --keylog '$W/half.log' '$CAP' > '$W/o2' 2>/dev/null; [ \$? -eq 1 ] || exit 1
      grep -q 'key log: decrypted' '$W/o2' && grep -q 'key log: no key for this session' '$W/o2' || exit 1
      '$T' pcap --keylog '$W/none.log' '$CAP' 2>&1 >/dev/null | grep -q 'none.log'; [ \$? -eq 0 ]"
  check "$T: key log secrets are never printed (text, -v, JSON)" \
    sh -c "'$T' pcap -v --keylog '$K' '$CAP' > '$W/all'; [ \$? -eq 1 ] || exit 1; grep -q 'key log: decrypted' '$W/all' || exit 1
      '$T' pcap --json --keylog '$K' '$CAP' >> '$W/all'; [ \$? -eq 1 ] || exit 1
      awk '{print \$3}' '$K' | sort -u > '$W/secrets'; [ \$(wc -l < '$W/secrets') -ge 10 ] || exit 1
      tr 'A-F' 'a-f' < '$W/all' > '$W/all.lc'; ! grep -qiF -f '$W/secrets' '$W/all.lc'"
done
