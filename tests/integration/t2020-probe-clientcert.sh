#!/bin/bash
# tlsdiag probe and client certificates: a server that requires one is
# "required" whether or not --cert is given, then --cert is taken or refused
# with the reason (its CA not listed, expired, no clientAuth EKU); nginx, which
# completes the handshake and refuses in HTTP (400 "No required SSL certificate
# was sent"), is found by the request sent after the handshake (--http).
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh netns
pki_failures "$P" >/dev/null
o=$P/other
pki_cert "$o" client "/CN=other.client.test" inter 825 "extendedKeyUsage=clientAuth"
pki_cert "$P" noeku "/CN=noeku.client.test" inter 825 "extendedKeyUsage=serverAuth"
C="-cert $P/rsa.crt -key $P/rsa.key -cert_chain $P/inter.crt"
# 7201 (TLS 1.2) and 7202 (TLS 1.3): openssl s_server -Verify 1
ossl_srv 7201 $C -tls1_2 -Verify 1 -CAfile "$P/ca-bundle.crt" -verify_return_error
ossl_srv 7202 $C -tls1_3 -Verify 1 -CAfile "$P/ca-bundle.crt" -verify_return_error
# 7203: nginx ssl_verify_client on; 7204: optional
ngx_start "$W/ngx" <<NGINX
  server { listen 127.0.0.1:7203 ssl; ssl_certificate $P/server-chain.crt; ssl_certificate_key $P/server.key;
           ssl_client_certificate $P/ca-bundle.crt; ssl_verify_client on; return 200 "ok\n"; }
  server { listen 127.0.0.1:7204 ssl; ssl_certificate $P/server-chain.crt; ssl_certificate_key $P/server.key;
           ssl_client_certificate $P/ca-bundle.crt; ssl_verify_client optional; return 200 "ok\n"; }
  server { listen 127.0.0.1:443 ssl; ssl_certificate $P/server-chain.crt; ssl_certificate_key $P/server.key;
           ssl_client_certificate $P/ca-bundle.crt; ssl_verify_client on; return 200 "ok\n"; }
NGINX
wait_port 7203; wait_port 7204; wait_port 443

pc() { # tlsdiag target "CERT KEY"|- expressions... (d, causes, rc)
  t=$1 target=$2 ck=$3; shift 3
  args="--json --timeout 1000 --http"
  [ "$ck" = - ] || args="$args --cert ${ck% *} --key ${ck#* }"
  python3 - "$t" "$target" "$args" "$@" <<'PY'
import json, subprocess, sys
t, target, args, exprs = sys.argv[1], sys.argv[2], sys.argv[3].split(), sys.argv[4:]
r = subprocess.run([t, "probe"] + args + [target], capture_output=True, text=True)
d = json.loads(r.stdout); rc = r.returncode
causes = [f["cause"] for f in d["findings"]]
msgs = " | ".join(f["message"] for f in d["findings"])
bad = [e for e in exprs if not eval(e)]
if bad:
    print("FALSE:", bad, "\nrc", rc, json.dumps({k: d.get(k) for k in ("client_auth", "client_cert_accepted", "client_cert_alert", "http", "findings")}, indent=1), r.stderr)
    sys.exit(1)
PY
}
GOOD="$P/client-chain.crt $P/client.key"
OTHER="$o/client.crt $o/client.key"
OLD="$P/oldclient.crt $P/oldclient.key"
NOEKU="$P/noeku.crt $P/noeku.key"

for T in $TLSDIAGS; do
  for port in 7201 7202; do
    v=$([ $port = 7201 ] && echo 1.2 || echo 1.3)
    check "$T: s_server -Verify 1 (TLS $v): required without --cert (the chain still read); required and accepted with a good one" \
      sh -c "$(declare -f pc); pc '$T' 127.0.0.1:$port - \"d['client_auth'] == 'required'\" \"'client_cert_missing' in causes\" \"d['chain'][0]['subject'] == 'CN=rsa.server.test'\" &&
             pc '$T' 127.0.0.1:$port '$GOOD' \"d['client_auth'] == 'required'\" \"d['client_cert_accepted'] is True\" \"not any(c.startswith('client_cert_') and c != 'client_cert_missing' for c in causes)\""
    check "$T: s_server -Verify 1 (TLS $v): a certificate from a CA the server does not list: client_cert_untrusted, naming it" \
      pc "$T" 127.0.0.1:$port "$OTHER" "d['client_auth'] == 'required'" "d['client_cert_accepted'] is False" \
        "'client_cert_untrusted' in causes" "'Other Intermediate CA is not among the 2 CA name(s)' in msgs" "rc == 1" \
        "d['client_cert_alert'] == 'unknown CA'"
    check "$T: s_server -Verify 1 (TLS $v): an expired certificate: client_cert_expired" \
      pc "$T" 127.0.0.1:$port "$OLD" "d['client_cert_accepted'] is False" "'client_cert_expired' in causes" "'expired' in msgs" "rc == 1"
    check "$T: s_server -Verify 1 (TLS $v): a certificate without clientAuth: client_cert_no_client_auth, saying so" \
      pc "$T" 127.0.0.1:$port "$NOEKU" "d['client_cert_accepted'] is False" "'client_cert_no_client_auth' in causes" "'clientAuth' in msgs" "rc == 1"
  done
  check "$T: nginx ssl_verify_client on: the handshake completes, HTTP 400 'No required SSL certificate was sent': required" \
    pc "$T" 127.0.0.1:7203 - "d['client_auth'] == 'required'" "d['http']['status'] == 400" \
      "'No required SSL certificate was sent' in d['http']['reason']" "'client_cert_missing' in causes"
  check "$T: nginx on: a good certificate is accepted (HTTP 200); one from another CA is refused (400 SSL certificate error)" \
    sh -c "$(declare -f pc); pc '$T' 127.0.0.1:7203 '$GOOD' \"d['client_cert_accepted'] is True\" \"'client_cert_untrusted' not in causes\" &&
           pc '$T' 127.0.0.1:7203 '$OTHER' \"d['client_cert_accepted'] is False\" \"'client_cert_untrusted' in causes\" \"'SSL certificate error' in msgs\" 'rc == 1' \"d['client_cert_alert'] == 'HTTP 400 The SSL certificate error'\""
  check "$T: nginx on: an expired certificate and one without clientAuth (both 400 SSL certificate error): the reason found" \
    sh -c "$(declare -f pc); pc '$T' 127.0.0.1:7203 '$OLD' \"causes[0] == 'client_cert_expired'\" \"'HTTP 400 The SSL certificate error' in msgs\" &&
           pc '$T' 127.0.0.1:7203 '$NOEKU' \"causes[0] == 'client_cert_no_client_auth'\" \"'lacks clientAuth' in msgs\""
  check "$T: nginx ssl_verify_client optional: optional, HTTP 200, no client_cert_missing" \
    pc "$T" 127.0.0.1:7204 - "d['client_auth'] == 'optional'" "d['http']['status'] == 200" "'client_cert_missing' not in causes"
  check "$T: port 443: the HTTP request is on by default, so nginx on is found required without --http" \
    sh -c "'$T' probe --json --timeout 1000 127.0.0.1:443 | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d[\"client_auth\"] == \"required\" and d[\"http\"][\"status\"] == 400, d'"
  check "$T: --no-http: nginx on is not seen as required (the handshake alone cannot tell)" \
    sh -c "'$T' probe --json --timeout 1000 --no-http 127.0.0.1:7203 | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d[\"client_auth\"] == \"optional\" and \"http\" not in d, d'"
done
