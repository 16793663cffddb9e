#!/bin/bash
# tlsdiag probe against servers configured here, inside a private network
# namespace: exactly the versions, suites, groups, SNI behaviour, chain
# findings and client-certificate requirement each was given; servers that
# refuse, stay silent or speak something else, in bounded time.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh netns
pki_failures "$P" >/dev/null
srv() { ossl_srv "$@"; } # port args...
C="-cert $P/rsa.crt -key $P/rsa.key -cert_chain $P/inter.crt"
# 7001: TLS 1.2 only, three suites in the server's order
srv 7001 $C -tls1_2 -cipher 'ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305:AES128-SHA' -serverpref
# 7002: TLS 1.3 only, two suites, two groups
srv 7002 $C -tls1_3 -ciphersuites TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256 -groups secp384r1:x25519
# 7003: TLS 1.0 only (legacy), at security level 0
srv 7003 $C -tls1 -cipher 'ECDHE-RSA-AES128-SHA:@SECLEVEL=0'
# 7004: client certificate required; 7005: requested but optional
srv 7004 $C -Verify 1 -CAfile "$P/ca-bundle.crt" -verify_return_error
srv 7005 $C -verify 1 -CAfile "$P/ca-bundle.crt"
# 7006: an expired leaf
srv 7006 -cert "$P/expired.crt" -key "$P/expired.key" -cert_chain "$P/inter.crt"
# 7007: gnutls-serv, TLS 1.2 and 1.3
gnutls-serv -p 7007 --x509certfile "$P/server-chain.crt" --x509keyfile "$P/server.key" \
  --priority 'NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2' >/dev/null 2>&1 &
td_track $!
wait_port 7007
# 7008: nginx refusing clients without SNI, two names with two certificates
ngx_start "$W/ngx" <<NGINX
  server { listen 127.0.0.1:7008 ssl default_server; ssl_reject_handshake on; }
  server { listen 127.0.0.1:7008 ssl; server_name server.test;
           ssl_certificate $P/server-chain.crt; ssl_certificate_key $P/server.key; return 200 "ok\n"; }
  server { listen 127.0.0.1:7008 ssl; server_name rsa.server.test;
           ssl_certificate $P/rsa-chain.crt; ssl_certificate_key $P/rsa.key; return 200 "ok\n"; }
  server { listen 127.0.0.1:7009 ssl default_server; server_name server.test;
           ssl_protocols TLSv1.2 TLSv1.3; ssl_ecdh_curve secp384r1;
           ssl_certificate $P/server-chain.crt; ssl_certificate_key $P/server.key; return 200 "ok\n"; }
  server { listen 127.0.0.1:7009 ssl; server_name rsa.server.test;
           ssl_certificate $P/rsa-chain.crt; ssl_certificate_key $P/rsa.key; return 200 "ok\n"; }
NGINX
wait_port 7008
# 7010: accepts and never answers; 7011: answers in plain HTTP
python3 - <<'PY' >/dev/null 2>&1 &
import os, socket, struct, threading, time
def handle(c, kind):
    try:
        c.recv(4096)
        if kind == "http":
            c.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
        elif kind == "garbage":      # 100 MB of noise
            for _ in range(100 * 16):
                c.sendall(os.urandom(65536))
        elif kind == "drip":         # a TLS alert, one byte a second
            for b in b"\x15\x03\x03\x00\x02\x02\x28":
                c.sendall(bytes([b])); time.sleep(1)
        elif kind == "reset":        # half a record header, then RST
            c.sendall(b"\x16\x03"); time.sleep(0.05)
            c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        elif kind == "silent":
            time.sleep(30)
    except OSError:
        pass
    c.close()
def serve(port, kind):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port)); s.listen(64)
    while True:
        c, _ = s.accept()
        threading.Thread(target=handle, args=(c, kind), daemon=True).start()
for port, kind in ((7010, "silent"), (7011, "http"), (7012, "garbage"), (7013, "drip"), (7014, "reset")):
    threading.Thread(target=serve, args=(port, kind), daemon=True).start()
threading.Event().wait(300)
PY
td_track $!
wait_port 7010; wait_port 7011; wait_port 7012; wait_port 7013; wait_port 7014

pj() { # tlsdiag target expressions... (d: the JSON object; rc: exit code) [TD_ARGS]
  t=$1 target=$2; shift 2
  python3 - "$t" "$target" "$@" <<'PY'
import json, os, subprocess, sys
t, target, exprs = sys.argv[1], sys.argv[2], sys.argv[3:]
r = subprocess.run([t, "probe", "--json", "--timeout", "1000"] + os.environ.get("TD_ARGS", "").split() + [target],
                   capture_output=True, text=True)
d = json.loads(r.stdout) if r.stdout.strip() else {}
rc = r.returncode
causes = [f["cause"] for f in d.get("findings", [])]
bad = [e for e in exprs if not eval(e)]
if bad:
    print("FALSE:", bad, "\nrc", rc, json.dumps(d, indent=1)[:3000], r.stderr)
    sys.exit(1)
PY
}

for T in $TLSDIAGS; do
  check "$T: TLS 1.2 only, three suites: exactly those, in the server's order" \
    pj "$T" 127.0.0.1:7001 "d['versions'] == ['TLSv1.2']" \
      "d['suites']['TLSv1.2'] == ['TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256', 'TLS_RSA_WITH_AES_128_CBC_SHA']" \
      "d['server_order']['TLSv1.2'] is True" "d['connections'] <= 45"
  check "$T: TLS 1.3 only: two suites, groups secp384r1 and x25519" \
    pj "$T" 127.0.0.1:7002 "d['versions'] == ['TLSv1.3']" \
      "sorted(d['suites']['TLSv1.3']) == ['TLS_AES_128_GCM_SHA256', 'TLS_CHACHA20_POLY1305_SHA256']" \
      "sorted(d['groups']['TLSv1.3']) == ['secp384r1', 'x25519']"
  check "$T: TLS 1.0-only server: found with its one suite; protocol_mismatch error, exit 1" \
    pj "$T" 127.0.0.1:7003 "d['versions'] == ['TLSv1.0']" \
      "d['suites']['TLSv1.0'] == ['TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA']" "'protocol_mismatch' in causes" "rc == 1"
  check "$T: client certificates: required (-Verify) and optional (-verify), with the CA names" \
    sh -c "$(declare -f pj); pj '$T' 127.0.0.1:7004 \"d['client_auth'] == 'required'\" \"d['client_ca_names'] == 2\" \"'client_cert_missing' in causes\" &&
           pj '$T' 127.0.0.1:7005 \"d['client_auth'] == 'optional'\""
  check "$T: --cert/--key: the server takes a client certificate from its CA, and refuses one from elsewhere" \
    sh -c "$(declare -f pj); TD_ARGS='--cert $P/client-chain.crt --key $P/client.key' pj '$T' 127.0.0.1:7004 \"'client_cert_untrusted' not in causes\" &&
           TD_ARGS='--cert $P/self.crt --key $P/self.key' pj '$T' 127.0.0.1:7004 \"'client_cert_untrusted' in causes\" 'rc == 1'"
  check "$T: the chain as sent, checked by tlsdiag cert: an expired leaf is expired_cert; a good one is trusted with --ca" \
    sh -c "$(declare -f pj); TD_ARGS='--ca $P/root.crt --sni expired.server.test' pj '$T' 127.0.0.1:7006 \"'expired_cert' in causes\" 'rc == 1' &&
           TD_ARGS='--ca $P/root.crt --sni rsa.server.test' pj '$T' 127.0.0.1:7001 'causes == []' 'rc == 0' \"d['chain'][0]['subject'] == 'CN=rsa.server.test'\""
  check "$T: what is right is said too: ok lines for the trusted chain and the name covered (text and JSON)" \
    sh -c "$(declare -f pj); TD_ARGS='--ca $P/root.crt --sni rsa.server.test' pj '$T' 127.0.0.1:7001 \"any(l.startswith('chain trusted: ') and 'tlsdiag Test Root CA' in l for l in d['ok'])\" \"any(l.startswith('name covered: ') and 'rsa.server.test' in l for l in d['ok'])\" &&
           '$T' probe --timeout 1000 --ca '$P/root.crt' --sni rsa.server.test 127.0.0.1:7001 | grep -q '^  ok      name covered: .*covers rsa.server.test' &&
           TD_ARGS='--sni wrong.example.org' pj '$T' 127.0.0.1:7001 \"not any(l.startswith(('chain trusted', 'name covered')) for l in d['ok'])\""
  check "$T: a name the certificate does not cover: hostname_mismatch" \
    sh -c "$(declare -f pj); TD_ARGS='--ca $P/root.crt --sni wrong.example.org' pj '$T' 127.0.0.1:7001 \"'hostname_mismatch' in causes\""
  check "$T: gnutls-serv: TLS 1.2 and 1.3, the same suites tlsdiag and sslscan find" \
    sh -c "$(declare -f pj); pj '$T' 127.0.0.1:7007 \"d['versions'] == ['TLSv1.2', 'TLSv1.3']\" \"len(d['suites']['TLSv1.3']) >= 3\" &&
      '$T' probe --json 127.0.0.1:7007 | python3 -c 'import json,sys; d=json.load(sys.stdin); print(\"\\n\".join(sorted(d[\"suites\"][\"TLSv1.2\"] + d[\"suites\"][\"TLSv1.3\"])))' > '$W/ours' &&
      sslscan --no-colour --show-cipher-ids 127.0.0.1:7007 | sed -n 's/.*\\(Accepted\\|Preferred\\).*0x\\([0-9A-Fa-f]*\\).*/\\2/p' | sort -u > '$W/ids' &&
      [ \$(wc -l < '$W/ours') -eq \$(wc -l < '$W/ids') ]"
  check "$T: an IPv6 literal in brackets ([::1]:port)" \
    pj "$T" "[::1]:7007" "d['address'] == '[::1]:7007'" "d['versions'] == ['TLSv1.2', 'TLSv1.3']"
  check "$T: nginx ssl_reject_handshake: SNI required; two names, two certificates: chosen by SNI" \
    sh -c "$(declare -f pj); TD_ARGS='--sni server.test' pj '$T' 127.0.0.1:7008 \"d['sni']['required'] is True\" \"'sni_required' in causes\" &&
           TD_ARGS='--sni rsa.server.test' pj '$T' 127.0.0.1:7009 \"d['sni']['required'] is False\" \"d['sni']['selects_certificate'] is True\" \"d['groups']['TLSv1.3'] == ['secp384r1']\""
  check "$T: nothing listening: connect_refused; silent: no_response within the timeout; plain HTTP: not_tls; all exit 1" \
    sh -c "$(declare -f pj); pj '$T' 127.0.0.1:7099 \"causes == ['connect_refused']\" 'rc == 1' &&
           start=\$(date +%s); pj '$T' 127.0.0.1:7010 \"causes == ['no_response']\" 'rc == 1' && [ \$((\$(date +%s) - start)) -le 5 ] &&
           pj '$T' 127.0.0.1:7011 \"causes == ['not_tls']\" 'rc == 1'"
  check "$T: 100 MB of garbage, one byte a second, a reset mid-record: bounded time and memory, a verdict each" \
    sh -c "$(declare -f pj); start=\$(date +%s)
      /usr/bin/time -f %M -o '$W/rss' '$T' probe --json --timeout 1000 127.0.0.1:7012 > '$W/g.json'; [ \$(tail -1 '$W/rss') -lt 204800 ] || exit 1
      grep -q '\"not_tls\"' '$W/g.json' || { cat '$W/g.json'; exit 1; }
      pj '$T' 127.0.0.1:7013 \"d['versions'] == []\" \"causes == ['no_response']\" 'rc == 1' && pj '$T' 127.0.0.1:7014 \"d['versions'] == []\" 'rc == 1' &&
      [ \$((\$(date +%s) - start)) -le 60 ]"
  check "$T: usage: bad target, --cert without --key, bad --timeout exit 2; -f reads targets" \
    sh -c "'$T' probe 'host:99999' 2>/dev/null; a=\$?; '$T' probe --cert x 127.0.0.1 2>/dev/null; b=\$?; '$T' probe --timeout x 127.0.0.1 2>/dev/null; c=\$?;
           printf '127.0.0.1:7001\\n# a comment\\n127.0.0.1:7002\\n' > '$W/targets'; n=\$('$T' probe --json -f '$W/targets' | wc -l); [ \$a\$b\$c\$n = 2222 ]"
  check "$T: several targets at once (--jobs): four silent servers take the time of one; reports in the order given" \
    sh -c "printf '127.0.0.1:7010\\n127.0.0.1:7001\\n127.0.0.1:7010\\n127.0.0.1:7010\\n' > '$W/t4'
           start=\$(date +%s%N); '$T' probe --json --timeout 1500 127.0.0.1:7010 > /dev/null; one=\$(( (\$(date +%s%N) - start) / 1000000 ))
           start=\$(date +%s%N); '$T' probe --json --timeout 1500 -f '$W/t4' > '$W/t4.json'; [ \$? -eq 1 ] || exit 1
           ms=\$(( (\$(date +%s%N) - start) / 1000000 )); echo \"one target \$one ms, four \$ms ms\"; [ \$ms -lt \$((2 * one)) ] || exit 1
           python3 -c \"import json; t=[json.loads(l)['target'] for l in open('$W/t4.json')]; assert t == ['127.0.0.1:7010', '127.0.0.1:7001', '127.0.0.1:7010', '127.0.0.1:7010'], t\""
done
