#!/bin/bash
# Verdicts that hold (issue 14): handshakes that complete and are then
# refused, refusals after the ClientHello weighed by what the offer makes
# plausible, optional client-certificate requests, TLS 1.3 clients that leave
# after the server's encrypted flight, and several faults at once. Real peers:
# nginx (ssl_verify_client on) with curl, gnutls-serv with its default
# client-certificate request, Java and Node TLS 1.3 clients, s_client.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh netns
pki_failures "$P" >/dev/null
CAP=$W/verdicts.pcap
KEYS=$W/verdicts.keys

cap_start lo "$CAP"
V="-verify_return_error -CAfile $P/root.crt"
osl() { port=$1; shift; echo | timeout 5 openssl s_client -connect "127.0.0.1:$port" "$@" >/dev/null 2>&1; }
kurl() { SSLKEYLOGFILE=$KEYS curl -s -o /dev/null -m 5 "$@"; }

# nginx ssl_verify_client on (5101, TLS 1.2): no certificate, one from a CA
# the request does not list, and the same with the key log.
mkdir -p "$W/ngx"
ngx_start "$W/ngx" <<NGINX
  server {
    listen 127.0.0.1:5101 ssl;
    ssl_certificate $P/server-chain.crt;
    ssl_certificate_key $P/server.key;
    ssl_protocols TLSv1.2;
    ssl_client_certificate $P/root.crt;
    ssl_verify_client on;
    location / { return 200 "hello\n"; }
  }
NGINX
wait_port 5101
curl -s -o /dev/null -m 5 --cacert "$P/root.crt" --resolve nocert.server.test:5101:127.0.0.1 https://nocert.server.test:5101/
curl -s -o /dev/null -m 5 --cacert "$P/root.crt" --cert "$P/other/leaf.crt" --key "$P/other/leaf.key" \
  --resolve othercert.server.test:5101:127.0.0.1 https://othercert.server.test:5101/
kurl --cacert "$P/root.crt" --resolve keynocert.server.test:5101:127.0.0.1 https://keynocert.server.test:5101/
kurl --cacert "$P/root.crt" --cert "$P/other/leaf.crt" --key "$P/other/leaf.key" \
  --resolve keyothercert.server.test:5101:127.0.0.1 https://keyothercert.server.test:5101/
stop_pid $SRV

# gnutls-serv asks for a client certificate by default (optional): the
# client still refuses the server's expired chain (5102) and lone leaf (5103).
cat "$P/expired.crt" "$P/inter.crt" > "$W/expired-chain.crt"
gnutls-serv --http -p 5102 --x509certfile "$W/expired-chain.crt" --x509keyfile "$P/expired.key" >/dev/null 2>&1 &
SRV=$!; td_track $SRV; wait_port 5102
osl 5102 -tls1_2 $V -servername gexpired.server.test
stop_pid $SRV
gnutls-serv --http -p 5103 --x509certfile "$P/server.crt" --x509keyfile "$P/server.key" >/dev/null 2>&1 &
SRV=$!; td_track $SRV; wait_port 5103
osl 5103 -tls1_2 $V -servername gleaf.server.test
stop_pid $SRV

# TLS 1.3 clients that refuse the certificate without a readable alert:
# Java and Node against a chain from a CA they do not trust (5104).
ossl_srv 5104 -tls1_3 -cert "$P/other/leaf.crt" -key "$P/other/leaf.key" -cert_chain "$P/other/inter.crt"
timeout 20 java tests/lib/TlsClient.java 127.0.0.1 5104 java13.server.test "$P/root.crt" TLSv1.3 >/dev/null 2>&1
timeout 10 node tests/lib/tls_client.js 127.0.0.1 5104 node13.server.test "$P/root.crt" TLSv1.3 >/dev/null 2>&1
# Go: built once (GOCACHE in the work directory, no network), then run
GOCACHE=$W/gocache GOPATH=$W/gopath GOFLAGS=-mod=mod GO111MODULE=off go build -o "$W/go_tls_client" tests/lib/go/tls_client.go &&
  timeout 10 "$W/go_tls_client" 127.0.0.1 5104 go13.server.test "$P/root.crt" TLSv1.3 >/dev/null 2>&1
stop_pid $SRV

# s_client with one P-384 group against an X25519-only TLS 1.3 server (5105)
ossl_srv 5105 -tls1_3 -groups X25519 -cert "$P/server.crt" -key "$P/server.key" -cert_chain "$P/inter.crt"
osl 5105 -tls1_3 -groups P-384 -servername p384.server.test
osl 5105 -tls1_3 -groups P-384 -noservername
stop_pid $SRV

# a NULL-suite-only client, without SNI (5106)
ossl_srv 5106 -tls1_2 -cert "$P/rsa.crt" -key "$P/rsa.key" -cert_chain "$P/inter.crt"
osl 5106 -tls1_2 -cipher 'NULL-SHA256:@SECLEVEL=0' -noservername
stop_pid $SRV

# expired and the wrong name (5107); curl by a wrong name (5108, refused
# after the handshake); curl by address to a certificate without IP SAN (5109)
ossl_srv 5107 -cert "$P/expired.crt" -key "$P/expired.key" -cert_chain "$P/inter.crt"
osl 5107 -tls1_2 $V -servername wrong.example.org -verify_hostname wrong.example.org
stop_pid $SRV
ossl_srv 5108 -cert "$P/server.crt" -key "$P/server.key" -cert_chain "$P/inter.crt"
curl -s -o /dev/null -m 5 --tls-max 1.2 --cacert "$P/root.crt" --resolve curlwrong.example.org:5108:127.0.0.1 \
  https://curlwrong.example.org:5108/
stop_pid $SRV
ossl_srv 5109 -cert "$P/rsa.crt" -key "$P/rsa.key" -cert_chain "$P/inter.crt"
curl -s -o /dev/null -m 5 --tls-max 1.2 --cacert "$P/root.crt" https://127.0.0.1:5109/
stop_pid $SRV
# an intermediate that did not sign the leaf: another one of the same root (5110)
pki_cert "$P" inter2 "/CN=tlsdiag Test Intermediate CA 2" root 3650 \
  "basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid"
cat "$P/server.crt" "$P/inter2.crt" > "$W/wrongint.crt"
ossl_srv 5110 -cert "$P/server.crt" -key "$P/server.key" -cert_chain "$P/inter2.crt"
osl 5110 -tls1_2 $V -servername wrongint.server.test
stop_pid $SRV

# plain HTTP to TLS ports on no well-known port: s_server closes without a
# byte (5111), nginx answers in plain text that the port speaks HTTPS (5112)
ossl_srv 5111 -cert "$P/server.crt" -key "$P/server.key"
curl -s -o /dev/null -m 3 http://127.0.0.1:5111/
stop_pid $SRV
mkdir -p "$W/ngx2"
ngx_start "$W/ngx2" <<NGINX
  server { listen 127.0.0.1:5112 ssl; ssl_certificate $P/server-chain.crt; ssl_certificate_key $P/server.key;
           location / { return 200; } }
NGINX
wait_port 5112
curl -s -o /dev/null -m 3 http://127.0.0.1:5112/
stop_pid $SRV
cap_stop

for T in $TLSDIAGS; do
  # Without keys, curl closing after nginx's one answer looks like any
  # optional-certificate exchange: never a high verdict, never "failed" on a guess.
  check "$T: nginx ssl_verify_client on without keys: no claim (it looks like an optional request)" \
    python3 tests/lib/assert_json.py "$T" "$CAP" \
      "all(conn(sni=s)['cause'] == 'none' and not conn(sni=s)['rejected_after_handshake'] for s in ('nocert.server.test', 'othercert.server.test'))"
  check "$T: nginx ssl_verify_client on with the key log: the HTTP 400 page proves it (high), refused after the handshake" \
    env TD_ARGS="--keylog $KEYS" python3 tests/lib/assert_json.py "$T" "$CAP" \
      "conn(sni='keynocert.server.test')['cause'] == 'client_cert_missing'" \
      "conn(sni='keynocert.server.test')['confidence'] == 'high'" \
      "conn(sni='keynocert.server.test')['rejected_after_handshake']" \
      "conn(sni='keynocert.server.test')['aborted_by'] == 'server'" \
      "'400' in conn(sni='keynocert.server.test')['explanation']" \
      "conn(sni='keyothercert.server.test')['cause'] == 'client_cert_untrusted'" \
      "conn(sni='keyothercert.server.test')['confidence'] == 'high'" \
      "rc == 1"
  check "$T: gnutls-serv's optional client-certificate request does not hide the server's chain faults" \
    python3 tests/lib/assert_json.py "$T" "$CAP" \
      "conn(sni='gexpired.server.test')['cause'] == 'expired_cert'" \
      "conn(sni='gexpired.server.test')['confidence'] == 'high'" \
      "conn(sni='gleaf.server.test')['cause'] == 'incomplete_chain'" \
      "conn(sni='gleaf.server.test')['confidence'] == 'medium'"
  check "$T: Java, Node and Go TLS 1.3 clients leaving after the server's flight: certificate_rejected, aborted by the client" \
    python3 tests/lib/assert_json.py "$T" "$CAP" \
      "all(conn(sni=s)['cause'] == 'certificate_rejected' for s in ('java13.server.test', 'node13.server.test', 'go13.server.test'))" \
      "all(conn(sni=s)['confidence'] == 'medium' for s in ('java13.server.test', 'node13.server.test', 'go13.server.test'))" \
      "all(conn(sni=s)['aborted_by'] == 'client' for s in ('java13.server.test', 'node13.server.test', 'go13.server.test'))" \
      "'--keylog' in conn(sni='node13.server.test')['resolution']"
  check "$T: one P-384 group against an X25519-only server: group_mismatch, with or without SNI" \
    python3 tests/lib/assert_json.py "$T" "$CAP" \
      "conn(sni='p384.server.test')['cause'] == 'group_mismatch'" \
      "conn(sni=None, port=5105, nth=1)['cause'] == 'group_mismatch'" \
      "conn(sni='p384.server.test')['confidence'] in ('medium', 'high')"
  check "$T: a NULL-suite-only client without SNI: cipher_mismatch, not sni_required" \
    python3 tests/lib/assert_json.py "$T" "$CAP" \
      "conn(port=5106, nth=1)['cause'] == 'cipher_mismatch'" "conn(port=5106, nth=1)['confidence'] == 'high'"
  check "$T: expired and the wrong name: both faults, in fix order" \
    python3 tests/lib/assert_json.py "$T" "$CAP" \
      "conn(port=5107, nth=1)['cause'] == 'expired_cert'" \
      "[a['cause'] for a in conn(port=5107, nth=1)['also']] == ['hostname_mismatch']"
  check "$T: curl refusing the name after the handshake: hostname_mismatch, high, rejected after the handshake" \
    python3 tests/lib/assert_json.py "$T" "$CAP" \
      "conn(port=5108, nth=1)['cause'] == 'hostname_mismatch'" "conn(port=5108, nth=1)['confidence'] == 'high'" \
      "conn(port=5108, nth=1)['rejected_after_handshake']"
  check "$T: curl by address without SNI: the certificate is checked against the address (no IP SAN)" \
    python3 tests/lib/assert_json.py "$T" "$CAP" \
      "conn(port=5109, nth=1)['cause'] == 'hostname_mismatch'" "'127.0.0.1' in conn(port=5109, nth=1)['explanation']"
  check "$T: text: the remaining faults on an Also line" \
    sh -c "'$T' pcap --stream \$('$T' pcap --json '$CAP' | python3 -c 'import json,sys; print([d for d in map(json.loads, sys.stdin) if str(d.get(\"server\")).endswith(\":5107\")][1][\"stream\"])') '$CAP' | grep -q '^  Also     certificate does not cover the host name: '"
  check "$T: an intermediate that did not sign the leaf: incorrect_chain, in pcap and in cert" sh -c "
    python3 tests/lib/assert_json.py '$T' '$CAP' \"conn(sni='wrongint.server.test')['cause'] == 'incorrect_chain'\" \
      \"conn(sni='wrongint.server.test')['confidence'] == 'high'\" &&
    '$T' cert '$W/wrongint.crt' | grep -q '^  error   incorrect_chain .*did not issue'"
  check "$T: plain HTTP to a TLS port that refuses it is a not_tls connection in the output (s_server, nginx)" \
    python3 tests/lib/assert_json.py "$T" "$CAP" \
      "[c['cause'] for c in conns if c['server'].endswith(':5111') and c['cause'] != 'no_client_hello'] == ['not_tls']" \
      "[c['cause'] for c in conns if c['server'].endswith(':5112') and c['cause'] != 'no_client_hello'] == ['not_tls']" \
      "all(c['outcome'] == 'failed' for c in conns if c['cause'] == 'not_tls')"
done
[ -n "${KEEP:-}" ] && cp "$CAP" "$KEEP" && cp "$KEYS" "$KEEP.keys"
exit 0
