#!/bin/bash
# tlsdiag probe against real servers, one per cause of issue 18 that a probe
# can see and no other probe test asserts (the audit: README "Which command
# sees which cause"), each cross-checked with openssl s_client on the same
# server: alpn_refused (s_server -alpn h2 asked for http/1.1 alone),
# unrecognized_name (s_server -servername_fatal, nginx ssl_reject_handshake;
# the SNI named, and whether the server answers without SNI),
# client_cert_no_client_auth (--cert without the clientAuth EKU against
# s_server -Verify, TLS 1.2 and 1.3), client_cert_missing (s_client without a
# certificate refused with certificate_required), tls_inspection_ca (a
# Zscaler-named chain) and distrusted_ca (an Entrust-named chain).
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh netns
export W
pki_cert "$P" zroot "/O=Zscaler Inc./CN=Zscaler Root CA" self 3650 \
  "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash"
pki_cert "$P" zint "/O=Zscaler Inc./OU=Zscaler Inc./CN=Zscaler Intermediate Root CA (zscaler.net) (t)" zroot 3650 \
  "basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid"
pki_cert "$P" zleaf "/CN=api.server.test" zint 30 \
  "subjectAltName=DNS:api.server.test\nextendedKeyUsage=serverAuth\nauthorityKeyIdentifier=keyid"
pki_cert "$P" eint "/O=Entrust, Inc./CN=Entrust Certification Authority - L1K" root 3650 \
  "basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid"
pki_cert "$P" eleaf "/CN=shop.server.test" eint 30 \
  "subjectAltName=DNS:shop.server.test\nextendedKeyUsage=serverAuth\nauthorityKeyIdentifier=keyid"
pki_cert "$P" noeku "/CN=noeku.client.test" inter 825 "extendedKeyUsage=serverAuth"
C="-cert $P/rsa.crt -key $P/rsa.key -cert_chain $P/inter.crt"
ossl_srv 7601 $C -alpn h2
ossl_srv 7602 $C -servername rsa.server.test -cert2 "$P/rsa.crt" -key2 "$P/rsa.key" -servername_fatal
ossl_srv 7603 $C -tls1_2 -Verify 1 -CAfile "$P/ca-bundle.crt" -verify_return_error
ossl_srv 7604 $C -tls1_3 -Verify 1 -CAfile "$P/ca-bundle.crt" -verify_return_error
ossl_srv 7605 -cert "$P/zleaf.crt" -key "$P/zleaf.key" -cert_chain "$P/zint.crt"
ossl_srv 7606 -cert "$P/eleaf.crt" -key "$P/eleaf.key" -cert_chain "$P/eint.crt"
# 7607: nginx refuses every name but rsa.server.test (ssl_reject_handshake in the default server)
ngx_start "$W/ngx" <<NGINX
  server { listen 127.0.0.1:7607 ssl default_server; ssl_reject_handshake on; }
  server { listen 127.0.0.1:7607 ssl; server_name rsa.server.test; ssl_certificate $P/server-chain.crt;
           ssl_certificate_key $P/server.key; return 200 "ok\n"; }
NGINX
wait_port 7607 || exit 1

pk() { # tlsdiag "probe args" expressions... (d, causes, f(cause): its findings, rc)
  t=$1 args=$2; shift 2
  python3 - "$t" "$args" "$@" <<'PY'
import json, subprocess, sys
t, args, exprs = sys.argv[1], sys.argv[2].split(), sys.argv[3:]
r = subprocess.run([t, "probe", "--json", "--timeout", "1000"] + args, capture_output=True, text=True)
d = json.loads(r.stdout); rc = r.returncode
causes = [x["cause"] for x in d["findings"]]
f = lambda c: [x for x in d["findings"] if x["cause"] == c]
bad = [e for e in exprs if not eval(e)]
if bad:
    print("FALSE:", bad, "\nrc", rc, json.dumps(d["findings"], indent=1), r.stderr)
    sys.exit(1)
PY
}
# s_client's output for: port "args"
sc() { echo | timeout 5 openssl s_client -connect 127.0.0.1:"$1" $2 2>&1; }
NOEKU="--cert $P/noeku.crt --key $P/noeku.key"

for T in $TLSDIAGS; do
  check "$T: s_server -alpn h2: alpn_refused for http/1.1 alone (s_client -alpn http/1.1: no application protocol), h2 selected" \
    sh -c "$(declare -f pk sc); pk '$T' 127.0.0.1:7601 \"d['alpn'] == {'selected': ['h2'], 'refused': ['http/1.1']}\" \
             \"'http/1.1' in f('alpn_refused')[0]['message']\" &&
           sc 7601 '-alpn http/1.1' | grep -q 'no application protocol' && sc 7601 '-alpn h2' | grep -q '^ALPN protocol: h2'"
  check "$T: s_server -servername_fatal, another SNI: unrecognized_name (error, the SNI named, answers without SNI), not protocol_mismatch" \
    sh -c "$(declare -f pk sc); pk '$T' '--sni other.test 127.0.0.1:7602' \"causes == ['unrecognized_name']\" 'rc == 1' \
             \"f('unrecognized_name')[0]['severity'] == 'error'\" \"'SNI other.test' in f('unrecognized_name')[0]['message']\" \
             \"'without SNI it answers' in f('unrecognized_name')[0]['message']\" &&
           sc 7602 '-servername other.test' | grep -q 'unrecognized name'"
  check "$T: s_server -servername_fatal, its own SNI: no unrecognized_name, TLS 1.2 and 1.3 accepted" \
    pk "$T" "--sni rsa.server.test 127.0.0.1:7602" "'unrecognized_name' not in causes" "'TLSv1.3' in d['versions']"
  check "$T: nginx ssl_reject_handshake: unrecognized_name for an unknown SNI (no answer without SNI either); its server_name served" \
    sh -c "$(declare -f pk sc); pk '$T' '--sni unknown.test 127.0.0.1:7607' \"causes == ['unrecognized_name']\" 'rc == 1' \
             \"'without SNI it does not answer either' in f('unrecognized_name')[0]['message']\" &&
           sc 7607 '-servername unknown.test' | grep -q 'unrecognized name' &&
           pk '$T' '--sni rsa.server.test 127.0.0.1:7607' \"'unrecognized_name' not in causes\" \"'TLSv1.2' in d['versions']\""
  for port in 7603 7604; do
    v=$([ $port = 7603 ] && echo 1.2 || echo 1.3)
    check "$T: s_server -Verify 1 (TLS $v), --cert without clientAuth: client_cert_no_client_auth (error), s_client gets unsupported_certificate" \
      sh -c "$(declare -f pk sc); pk '$T' '$NOEKU 127.0.0.1:$port' \"d['client_cert_accepted'] is False\" 'rc == 1' \
               \"f('client_cert_no_client_auth')[0]['severity'] == 'error'\" \"'lacks clientAuth' in f('client_cert_no_client_auth')[0]['message']\" \
               \"'wrong_usage' not in causes\" &&
             (echo; sleep 1) | timeout 5 openssl s_client -connect 127.0.0.1:$port -cert $P/noeku.crt -key $P/noeku.key 2>&1 | grep -q 'unsupported certificate'"
  done
  check "$T: s_server -Verify 1 (TLS 1.3) without --cert: client_cert_missing; s_client without one is refused (certificate required)" \
    sh -c "$(declare -f pk sc); pk '$T' 127.0.0.1:7604 \"d['client_auth'] == 'required'\" \"'client_cert_missing' in causes\" &&
           (echo; sleep 1) | timeout 5 openssl s_client -connect 127.0.0.1:7604 2>&1 | grep -q 'certificate required'"
  check "$T: a Zscaler-named chain: tls_inspection_ca (warning) naming Zscaler, fixed on the client's truststore" \
    pk "$T" "--sni api.server.test --ca $P/root.crt 127.0.0.1:7605" "f('tls_inspection_ca')[0]['severity'] == 'warning'" \
      "'Zscaler' in f('tls_inspection_ca')[0]['message']" "'truststore' in f('tls_inspection_ca')[0]['resolution']"
  check "$T: an Entrust-named chain, leaf issued now: distrusted_ca (warning) naming the cut-off; an ordinary chain neither" \
    sh -c "$(declare -f pk); pk '$T' '--sni shop.server.test --ca $P/root.crt 127.0.0.1:7606' \"f('distrusted_ca')[0]['severity'] == 'warning'\" \
             \"'Chrome 131' in f('distrusted_ca')[0]['message']\" 'rc == 0' &&
           pk '$T' '--sni rsa.server.test --ca $P/root.crt 127.0.0.1:7601' \"'distrusted_ca' not in causes\" \"'tls_inspection_ca' not in causes\""
done
