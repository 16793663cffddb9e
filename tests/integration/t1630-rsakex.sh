#!/bin/bash
# rsa_kex_removed (issue 18): clients that dropped RSA key exchange from
# their defaults (Go >= 1.22, JDK 24, hardened OpenSSL cipher strings)
# against a server that takes only TLS_RSA_* suites. Real peers: openssl
# s_server with an RSA certificate; s_client, curl and Go clients. With
# other clients' RSA handshakes in the same capture the verdict is high; a
# refusal alone stays a medium cipher_mismatch naming rsa_kex_removed.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh netns
CAP=$W/rsakex.pcap
ALONE=$W/alone.pcap
osl() { port=$1; shift; echo | timeout 5 openssl s_client -connect "127.0.0.1:$port" "$@" >/dev/null 2>&1; }
GOC=$W/go_profile_client
GOCACHE=$W/gocache GOPATH=$W/gopath GO111MODULE=off go build -o "$GOC" tests/lib/go/tls_profile_client.go ||
  echo "go build failed" >&2

cap_start lo "$CAP" "tcp port 5301"
# Only RSA key exchange (5301): the OpenSSL 1.0-era "AES128-SHA" style list.
ossl_srv 5301 -tls1_2 -cert "$P/rsa.crt" -key "$P/rsa.key" -cert_chain "$P/inter.crt" -cipher 'AES128-SHA:AES256-GCM-SHA384'
osl 5301 -servername ok.rsakex.test                                          # OpenSSL 3.0 defaults: takes AES256-GCM-SHA384
osl 5301 -cipher ECDHE -servername ossl.rsakex.test                           # a hardened cipher string
curl -s -o /dev/null -m 5 --tls-max 1.2 --ciphers ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-GCM-SHA256 \
  --cacert "$P/root.crt" --resolve curl.rsakex.test:5301:127.0.0.1 https://curl.rsakex.test:5301/
timeout 10 "$GOC" 127.0.0.1 5301 rsa.server.test "$P/root.crt" default > "$W/go119.out" 2>&1  # Debian 12: Go 1.19
timeout 10 "$GOC" 127.0.0.1 5301 rsa.server.test "$P/root.crt" go1.22 > "$W/go122.out" 2>&1
stop_pid "$SRV"
cap_stop

# The same refusal with nothing else known about the server (5302).
cap_start lo "$ALONE" "tcp port 5302"
ossl_srv 5302 -tls1_2 -cert "$P/rsa.crt" -key "$P/rsa.key" -cert_chain "$P/inter.crt" -cipher AES256-GCM-SHA384
osl 5302 -cipher ECDHE -servername alone.rsakex.test
stop_pid "$SRV"
cap_stop

# cause_of CAPTURE SNI [NTH]: the cause and confidence tlsdiag gives it.
hello_suites() { # the suites tshark reads in each ClientHello with SNI $2, one line each
  tshark -r "$1" -Y "tls.handshake.type == 1 && tls.handshake.extensions_server_name == \"$2\"" \
    -T fields -e tls.handshake.ciphersuite 2>/dev/null
}

for T in $TLSDIAGS; do
  check "$T: the Go profiles did what they claim: Go 1.19 negotiates TLS_RSA_*, the Go 1.22 list is refused" \
    sh -c "grep -q '^ok TLS_RSA_WITH' '$W/go119.out' && grep -q '^failed' '$W/go122.out' || { cat '$W/go119.out' '$W/go122.out'; exit 1; }"
  check "$T: tshark: the refused ClientHellos carry no TLS_RSA_* suite, the accepted one does" \
    sh -c "$(declare -f hello_suites)
      for s in ossl.rsakex.test curl.rsakex.test; do
        x=\$(hello_suites '$CAP' \$s); [ -n \"\$x\" ] || { echo \"\$s: no ClientHello\"; exit 1; }
        echo \"\$x\" | tr ',' '\n' | grep -qE '^0x00(2f|35|3c|3d|9c|9d)$' && { echo \"\$s offers RSA kex: \$x\"; exit 1; }
      done
      hello_suites '$CAP' ok.rsakex.test | tr ',' '\n' | grep -qE '^0x00(2f|9d)$'"
  check "$T: s_client -cipher ECDHE, curl --ciphers ECDHE-... and Go 1.22's defaults: rsa_kex_removed, high" \
    python3 tests/lib/assert_json.py "$T" "$CAP" \
      "conn(sni='ossl.rsakex.test')['cause'] == 'rsa_kex_removed' and conn(sni='ossl.rsakex.test')['confidence'] == 'high'" \
      "conn(sni='curl.rsakex.test')['cause'] == 'rsa_kex_removed' and conn(sni='curl.rsakex.test')['confidence'] == 'high'" \
      "conn(sni='rsa.server.test', nth=1)['cause'] == 'rsa_kex_removed' and conn(sni='rsa.server.test', nth=1)['confidence'] == 'high'" \
      "conn(sni='rsa.server.test', nth=0)['cause'] == 'none' and conn(sni='ok.rsakex.test')['cause'] == 'none'" \
      "all(c['fix_side'] == 'both' and 'cipher_mismatch' in c['candidates'] for c in conns if c['cause'] == 'rsa_kex_removed')" \
      "len([c for c in conns if c['cause'] == 'rsa_kex_removed']) == 3"
  check "$T: the verdict names the default change (Go 1.22, JDK 24) and the switch that restores it" \
    sh -c "'$T' pcap --host ossl.rsakex.test '$CAP' > '$W/t.txt'
      grep -q '^  Changed  RSA key exchange (TLS_RSA_\*) left the client defaults: Go 1.22' '$W/t.txt' &&
      grep -q 'GODEBUG=tlsrsakex=1' '$W/t.txt' && grep -q '^ *#[0-9]* *the server accepted TLSv1.2 TLS_RSA_WITH' '$W/t.txt' &&
      python3 tests/lib/assert_json.py '$T' '$CAP' \
        \"'JDK 24' in conn(sni='curl.rsakex.test')['changed']['what']\" \
        \"'jdk.tls.disabledAlgorithms' in conn(sni='curl.rsakex.test')['changed']['restore']\" \
        \"conn(sni='ok.rsakex.test').get('changed') is None\""
  check "$T: the same refusal alone: cipher_mismatch medium, rsa_kex_removed the first candidate" \
    python3 tests/lib/assert_json.py "$T" "$ALONE" \
      "conn(sni='alone.rsakex.test')['cause'] == 'cipher_mismatch' and conn(sni='alone.rsakex.test')['confidence'] == 'medium'" \
      "conn(sni='alone.rsakex.test')['candidates'][0] == 'rsa_kex_removed'"
done
