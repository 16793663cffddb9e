#!/bin/bash
# tlsdiag probe's extra checks, each against servers configured for it and,
# where sslscan (or openssl s_client) reports the same thing, compared with it
# on the same server: signature algorithms (TLS 1.2 and 1.3, equal sets with
# sslscan --show-sigs), TLS_FALLBACK_SCSV (OpenSSL servers answer
# inappropriate_fallback; sslscan agrees; a raw test server that ignores it: no_fallback_scsv), secure renegotiation (gnutls-serv
# %DISABLE_SAFE_RENEGOTIATION: no_secure_renegotiation; s_client agrees), OCSP
# stapling (s_server -status_file; sslscan --ocsp agrees), session resumption
# (s_server: ticket and id; nginx ssl_session_tickets off with a cache: id
# only; nginx's defaults: ticket only), ALPN (nginx http2: h2 and http/1.1;
# s_server -alpn h2 refuses http/1.1 alone, nginx without http2 h2 alone: alpn_refused).
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh netns
export W
C="-cert $P/rsa.crt -key $P/rsa.key -cert_chain $P/inter.crt"
(cd "$P" && : > idx.txt &&
  openssl ocsp -issuer inter.crt -cert rsa.crt -reqout req.der -no_nonce >/dev/null 2>&1 &&
  openssl ocsp -index idx.txt -rsigner inter.crt -rkey inter.key -CA inter.crt -reqin req.der -respout resp.der \
    -ndays 1 >/dev/null 2>&1) || { echo "cannot make the OCSP response"; exit 1; }
# 7401: s_server, ALPN h2 only (refuses other protocols); 7402: an OCSP response stapled
ossl_srv 7401 $C -alpn h2
ossl_srv 7402 $C -status_file "$P/resp.der"
# 7406: gnutls-serv without RFC 5746; 7407: an ECDSA certificate, TLS 1.2 and 1.3
gnutls-serv -p 7406 --x509certfile "$P/server-chain.crt" --x509keyfile "$P/server.key" \
  --priority 'NORMAL:%DISABLE_SAFE_RENEGOTIATION' >/dev/null 2>&1 &
td_track $!
ossl_srv 7407 -cert "$P/server.crt" -key "$P/server.key" -cert_chain "$P/inter.crt"
# 7409: TLS 1.2 signing only with SHA-1 (OpenSSL 3's s_client refuses it at its defaults)
ossl_srv 7409 $C -tls1_2 -sigalgs RSA+SHA1 -cipher 'ECDHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0'
# 7403: tickets off, a session cache; 7404: nginx's defaults; 7405: http2
ngx_start "$W/ngx" <<NGINX
  server { listen 127.0.0.1:7403 ssl; ssl_certificate $P/server-chain.crt; ssl_certificate_key $P/server.key;
           ssl_session_tickets off; ssl_session_cache shared:T:1m; return 200 "ok\n"; }
  server { listen 127.0.0.1:7404 ssl; ssl_certificate $P/server-chain.crt; ssl_certificate_key $P/server.key;
           return 200 "ok\n"; }
  server { listen 127.0.0.1:7405 ssl http2; ssl_certificate $P/server-chain.crt; ssl_certificate_key $P/server.key;
           return 200 "ok\n"; }
NGINX
# 7408: a raw TLS 1.1/1.2 server (Python, ServerHello and ServerHelloDone only, two suites) that ignores
# TLS_FALLBACK_SCSV and sends no renegotiation_info: what no OpenSSL server can be configured to be
python3 - <<'PY' >/dev/null 2>&1 &
import os, socket, struct, threading
TAKEN = (0xc02f, 0x002f)
def answer(c):
    try:
        hdr = c.recv(5, socket.MSG_WAITALL)
        body = c.recv(struct.unpack("!H", hdr[3:5])[0], socket.MSG_WAITALL)
        version = struct.unpack("!H", body[4:6])[0]
        sid = body[38]
        n = struct.unpack("!H", body[39 + sid:41 + sid])[0]
        suites = struct.unpack("!%dH" % (n // 2), body[41 + sid:41 + sid + n])
        pick = [x for x in suites if x in TAKEN]
        if version not in (0x0302, 0x0303) or not pick:
            c.sendall(bytes([21, 3, 3, 0, 2, 2, 70 if pick else 40]))  # protocol_version, handshake_failure
            return
        sh = struct.pack("!H", version) + os.urandom(32) + b"\x00" + struct.pack("!H", pick[0]) + b"\x00"
        msg = b"\x02" + struct.pack("!I", len(sh))[1:] + sh + b"\x0e\x00\x00\x00"
        c.sendall(b"\x16" + struct.pack("!HH", version, len(msg)) + msg)
        c.recv(100)
    except (OSError, IndexError, struct.error):
        pass
    finally:
        c.close()
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 7408)); s.listen(64)
while True:
    c, _ = s.accept()
    threading.Thread(target=answer, args=(c,), daemon=True).start()
PY
td_track $!
for p in 7403 7404 7405 7406 7408; do wait_port $p || exit 1; done

pk() { # tlsdiag target expressions... (d, k: the checks' JSON, causes, rc)
  t=$1 target=$2; shift 2
  python3 - "$t" "$target" "$@" <<'PY'
import json, subprocess, sys
t, target, exprs = sys.argv[1], sys.argv[2], sys.argv[3:]
r = subprocess.run([t, "probe", "--json", "--timeout", "1000", target], capture_output=True, text=True)
d = json.loads(r.stdout); rc = r.returncode
causes = [f["cause"] for f in d["findings"]]
keys = ("signature_algorithms", "fallback_scsv", "secure_renegotiation", "ocsp_stapling", "resumption", "alpn")
bad = [e for e in exprs if not eval(e)]
if bad:
    print("FALSE:", bad, "\nrc", rc, json.dumps({k: d.get(k) for k in keys + ("findings",)}, indent=1), r.stderr)
    sys.exit(1)
PY
}

# The signature algorithms tlsdiag and sslscan --show-sigs find, as "VERSION
# NAME" lines (sslscan's rsa_pkcs1_sha224 is the registry's rsa_sha224): TLS 1.3
# equal; in TLS 1.2 sslscan's are among tlsdiag's, and each one only tlsdiag
# lists is proven by openssl s_client offering it alone (sslscan ties TLS 1.2
# ECDSA schemes to the key's curve; TLS 1.2 does not: RFC 5246 7.4.1.4.1).
sigs_equal() { # tlsdiag port
  "$1" probe --json --timeout 1000 127.0.0.1:"$2" | python3 -c '
import json, sys
d = json.load(sys.stdin)["signature_algorithms"]
print("\n".join(sorted(v + " " + s for v in d for s in d[v])))' > "$W/ours.$2"
  sslscan --no-colour --show-sigs 127.0.0.1:"$2" | sed -n '/Server Signature Algorithm/,/^$/s/^\(TLSv1\.[23]\)  *\([a-z0-9_]*\)$/\1 \2/p' |
    sed 's/rsa_pkcs1_sha224/rsa_sha224/' | sort > "$W/sslscan.$2"
  [ -s "$W/ours.$2" ] && [ -s "$W/sslscan.$2" ] || return 1
  grep TLSv1.3 "$W/ours.$2" > "$W/o13.$2"; grep TLSv1.3 "$W/sslscan.$2" > "$W/s13.$2"
  diff "$W/o13.$2" "$W/s13.$2" || return 1
  [ -z "$(comm -13 "$W/ours.$2" "$W/sslscan.$2")" ] || { echo "sslscan only:"; comm -13 "$W/ours.$2" "$W/sslscan.$2"; return 1; }
  for s in $(comm -23 "$W/ours.$2" "$W/sslscan.$2" | sed -n 's/^TLSv1.2 //p'); do
    echo "tlsdiag only, TLS 1.2: $s"
    openssl s_client -tls1_2 -sigalgs "$(echo "$s" | sed 's/^rsa_sha224$/RSA+SHA224/')" -cipher 'kECDHE:kDHE:@SECLEVEL=0' \
      -connect 127.0.0.1:"$2" </dev/null 2>/dev/null | grep -q '^New, TLSv1.2' || { echo "  s_client refused: $s"; return 1; }
  done
}

for T in $TLSDIAGS; do
  check "$T: signature algorithms of an RSA server (TLS 1.2 and 1.3): the same set as sslscan --show-sigs" \
    sh -c "$(declare -f sigs_equal); sigs_equal '$T' 7402 && grep -q 'TLSv1.3 rsa_pss_rsae_sha256' '$W/ours.7402' && ! grep -q 'TLSv1.3 rsa_pkcs1' '$W/ours.7402'"
  check "$T: signature algorithms of an ECDSA P-256 server: ecdsa_secp256r1_sha256, as sslscan" \
    sh -c "$(declare -f sigs_equal); sigs_equal '$T' 7407 && grep -q 'TLSv1.3 ecdsa_secp256r1_sha256' '$W/ours.7407' && ! grep -q rsa '$W/ours.7407'"
  check "$T: a TLS 1.2 server that signs only with SHA-1: weak_sigalgs (error), and s_client at its defaults fails" \
    sh -c "$(declare -f pk); pk '$T' 127.0.0.1:7409 \"d['signature_algorithms']['TLSv1.2'] == ['rsa_pkcs1_sha1']\" \"'weak_sigalgs' in causes\" 'rc == 1' &&
           ! openssl s_client -tls1_2 -connect 127.0.0.1:7409 </dev/null 2>/dev/null | grep -q '^New, TLSv1.2' &&
           pk '$T' 127.0.0.1:7402 \"'weak_sigalgs' not in causes\""
  check "$T: TLS_FALLBACK_SCSV honoured by s_server (TLS 1.2 offered with the SCSV: inappropriate_fallback), as sslscan says" \
    sh -c "$(declare -f pk); pk '$T' 127.0.0.1:7402 \"d['fallback_scsv'] is True\" \"'no_fallback_scsv' not in causes\" &&
           sslscan --no-colour 127.0.0.1:7402 | grep -q 'Server supports TLS Fallback SCSV'"
  check "$T: a server that ignores TLS_FALLBACK_SCSV (TLS 1.1 with the SCSV accepted): no_fallback_scsv; and no renegotiation_info" \
    pk "$T" 127.0.0.1:7408 "d['versions'] == ['TLSv1.1', 'TLSv1.2']" "d['fallback_scsv'] is False" "'no_fallback_scsv' in causes" \
      "d['secure_renegotiation'] is False"
  check "$T: gnutls-serv %DISABLE_SAFE_RENEGOTIATION: no_secure_renegotiation (error), as openssl s_client says; s_server has it" \
    sh -c "$(declare -f pk); pk '$T' 127.0.0.1:7406 \"d['secure_renegotiation'] is False\" \"'no_secure_renegotiation' in causes\" 'rc == 1' &&
           openssl s_client -tls1_2 -legacy_server_connect -connect 127.0.0.1:7406 </dev/null 2>/dev/null | grep -q 'Secure Renegotiation IS NOT supported' &&
           pk '$T' 127.0.0.1:7402 \"d['secure_renegotiation'] is True\" \"'no_secure_renegotiation' not in causes\""
  check "$T: OCSP stapling: s_server -status_file staples (sslscan --ocsp agrees); without, none" \
    sh -c "$(declare -f pk); pk '$T' 127.0.0.1:7402 \"d['ocsp_stapling'] is True\" && pk '$T' 127.0.0.1:7401 \"d['ocsp_stapling'] is False\" &&
           sslscan --no-colour --ocsp 127.0.0.1:7402 | grep -q 'OCSP Response Status: successful'"
  check "$T: session resumption: s_server ticket and id (s_client -reconnect agrees); nginx tickets off + cache: id only; nginx defaults: ticket only" \
    sh -c "$(declare -f pk); pk '$T' 127.0.0.1:7402 \"d['resumption'] == {'ticket': True, 'session_id': True}\" &&
           openssl s_client -tls1_2 -no_ticket -reconnect -connect 127.0.0.1:7402 </dev/null 2>/dev/null | grep -q '^Reused' &&
           pk '$T' 127.0.0.1:7403 \"d['resumption'] == {'ticket': False, 'session_id': True}\" &&
           pk '$T' 127.0.0.1:7404 \"d['resumption'] == {'ticket': True, 'session_id': False}\""
  check "$T: ALPN: nginx http2 selects h2 and http/1.1; s_server -alpn h2 refuses http/1.1 alone, nginx without http2 h2: alpn_refused" \
    sh -c "$(declare -f pk); pk '$T' 127.0.0.1:7405 \"d['alpn'] == {'selected': ['h2', 'http/1.1'], 'refused': []}\" \"'alpn_refused' not in causes\" &&
           pk '$T' 127.0.0.1:7401 \"d['alpn'] == {'selected': ['h2'], 'refused': ['http/1.1']}\" \"'alpn_refused' in causes\" &&
           pk '$T' 127.0.0.1:7404 \"d['alpn'] == {'selected': ['http/1.1'], 'refused': ['h2']}\" \"any('(gRPC)' in f['message'] for f in d['findings'])\""
  check "$T: --cert to a server that asks for none: said so, not tried" \
    sh -c "'$T' probe --timeout 1000 --cert '$P/client-chain.crt' --key '$P/client.key' 127.0.0.1:7402 | grep -q '^  client certificates: none; --cert not asked for'"
  check "$T: the text report prints each check" \
    sh -c "'$T' probe --timeout 1000 127.0.0.1:7402 > '$W/t.txt'; grep -q 'TLSv1.2 signature algorithms: .*rsa_pss_rsae_sha256' '$W/t.txt' &&
           grep -q 'TLS_FALLBACK_SCSV: honoured; secure renegotiation: yes; OCSP stapling: yes' '$W/t.txt' &&
           grep -q 'session resumption: ticket yes, session id yes' '$W/t.txt' && grep -q '^  ALPN: none selected' '$W/t.txt'"
done
