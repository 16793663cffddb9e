#!/bin/bash
# Refusals whose alert names the ClientHello field (issue 18): alpn_mismatch
# (no_application_protocol, 120), unrecognized_name (112, with the SNI sent),
# inappropriate_fallback (86, TLS_FALLBACK_SCSV). Real peers: openssl s_server
# -alpn / -servername_fatal, nginx ssl_reject_handshake; s_client and curl.
# Each alert is cross-checked with tshark, and the same clients without the
# faulty field succeed.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh netns
CAP=$W/alerts.pcap
osl() { port=$1; shift; echo | timeout 5 openssl s_client -connect "127.0.0.1:$port" "$@" >/dev/null 2>&1; }
c() { curl -s -o /dev/null -m 5 --cacert "$P/root.crt" "$@"; }
CERT="-cert $P/server.crt -key $P/server.key -cert_chain $P/inter.crt"

cap_start lo "$CAP" "tcp portrange 5401-5404"
# An h2-only server (5401): HTTP/1.1-only clients are refused (TLS 1.3 and 1.2).
ossl_srv 5401 $CERT -alpn h2
osl 5401 -alpn h2 -servername h2.server.test
osl 5401 -alpn http/1.1 -servername alpn13.server.test
osl 5401 -tls1_2 -alpn http/1.1 -servername alpn12.server.test
c --http1.1 --resolve curlalpn.server.test:5401:127.0.0.1 https://curlalpn.server.test:5401/
stop_pid "$SRV"

# One name only (5402): s_server -servername_fatal refuses every other SNI.
ossl_srv 5402 $CERT -servername known.server.test -cert2 "$P/server.crt" -key2 "$P/server.key" -servername_fatal
osl 5402 -servername known.server.test
osl 5402 -servername unknown.example
stop_pid "$SRV"

# nginx: a default server with ssl_reject_handshake, one named server (5403).
mkdir -p "$W/ngx"
ngx_start "$W/ngx" <<NGINX
  server {
    listen 127.0.0.1:5403 ssl default_server;
    ssl_reject_handshake on;
  }
  server {
    listen 127.0.0.1:5403 ssl;
    server_name named.server.test;
    ssl_certificate $P/server-chain.crt;
    ssl_certificate_key $P/server.key;
    location / { return 200 "ok\n"; }
  }
NGINX
wait_port 5403
c --resolve named.server.test:5403:127.0.0.1 https://named.server.test:5403/
c --resolve stale.server.test:5403:127.0.0.1 https://stale.server.test:5403/
stop_pid "$SRV"

# A TLS 1.2+1.3 server that still takes TLS 1.1 (5404): a retry with TLS 1.1
# and TLS_FALLBACK_SCSV is refused; the same offer without the SCSV is not.
ossl_srv 5404 $CERT -cipher 'DEFAULT:@SECLEVEL=0'
osl 5404 -tls1_1 -cipher 'DEFAULT:@SECLEVEL=0' -fallback_scsv -servername fallback.server.test
osl 5404 -tls1_1 -cipher 'DEFAULT:@SECLEVEL=0' -servername nofallback.server.test
stop_pid "$SRV"
cap_stop

# tshark_alert SNI: the alert description tshark reads on that SNI's stream.
tshark_alert() {
  s=$(tshark -r "$CAP" -Y "tls.handshake.extensions_server_name == \"$1\"" -T fields -e tcp.stream 2>/dev/null | head -1)
  tshark -r "$CAP" -Y "tcp.stream == $s && tls.alert_message" -T fields -e tls.alert_message.desc 2>/dev/null | head -1
}

for T in $TLSDIAGS; do
  check "$T: tshark sees the alerts the verdicts rest on (120, 112, 86) and none on the good handshakes" \
    sh -c "$(declare -f tshark_alert); CAP='$CAP'
      for x in alpn13.server.test:120 alpn12.server.test:120 curlalpn.server.test:120 unknown.example:112 \
               stale.server.test:112 fallback.server.test:86; do
        a=\$(tshark_alert \${x%%:*}); [ \"\$a\" = \${x##*:} ] || { echo \"\$x: tshark says '\$a'\"; exit 1; }
      done
      for s in h2.server.test known.server.test named.server.test nofallback.server.test; do
        a=\$(tshark_alert \$s); [ -z \"\$a\" ] || [ \"\$a\" = 0 ] || { echo \"\$s: alert \$a\"; exit 1; }
      done"
  check "$T: s_client -alpn http/1.1 (TLS 1.3 and 1.2) and curl --http1.1 against s_server -alpn h2: alpn_mismatch, high" \
    python3 tests/lib/assert_json.py "$T" "$CAP" \
      "all(conn(sni=s)['cause'] == 'alpn_mismatch' and conn(sni=s)['confidence'] == 'high' for s in ('alpn13.server.test', 'alpn12.server.test', 'curlalpn.server.test'))" \
      "any('ALPN http/1.1' in e['what'] for e in conn(sni='curlalpn.server.test')['evidence'])" \
      "'GRPC_ENFORCE_ALPN_ENABLED' in conn(sni='alpn13.server.test')['changed']['restore']" \
      "conn(sni='h2.server.test')['cause'] == 'none'"
  check "$T: s_server -servername_fatal and nginx ssl_reject_handshake: unrecognized_name with the SNI sent, high" \
    python3 tests/lib/assert_json.py "$T" "$CAP" \
      "conn(sni='unknown.example')['cause'] == 'unrecognized_name' and conn(sni='unknown.example')['confidence'] == 'high'" \
      "conn(sni='stale.server.test')['cause'] == 'unrecognized_name' and 'stale.server.test' in conn(sni='stale.server.test')['explanation']" \
      "conn(sni='known.server.test')['cause'] == 'none' and conn(sni='named.server.test')['cause'] == 'none'"
  check "$T: s_client -fallback_scsv -tls1_1: inappropriate_fallback, high, fixed on the client's first attempt; without the SCSV: none" \
    python3 tests/lib/assert_json.py "$T" "$CAP" \
      "conn(sni='fallback.server.test')['cause'] == 'inappropriate_fallback' and conn(sni='fallback.server.test')['confidence'] == 'high'" \
      "conn(sni='fallback.server.test')['fix_side'] == 'client'" \
      "any('TLS_FALLBACK_SCSV' in e['what'] for e in conn(sni='fallback.server.test')['evidence'])" \
      "conn(sni='nofallback.server.test')['cause'] == 'none'"
  check "$T: text: each verdict's Cause line names the field (ALPN list, SNI, SCSV)" \
    sh -c "'$T' pcap '$CAP' > '$W/t.txt'; grep -q 'Cause    no application protocol (ALPN) in common (high): the client offers the application protocol http/1.1' '$W/t.txt' &&
      grep -q 'Cause    server does not serve the name the client asked for (high): the client asked for unknown.example (SNI)' '$W/t.txt' &&
      grep -q 'Cause    client fell back to an older version, server refused the downgrade (high): the client offers up to TLSv1.1 with TLS_FALLBACK_SCSV' '$W/t.txt'"
done
