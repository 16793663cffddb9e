#!/bin/bash
# TLS 1.3 NewSessionTickets decrypted with a key log (issue 20): nginx,
# openssl s_server, gnutls-serv and a Java (JSSE) server each send theirs
# after the handshake to curl (SSLKEYLOGFILE); tlsdiag must decode every one
# (RFC 8446 4.6.1), none malformed, with the lifetime tshark reads from the
# same file and key log.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh netns
CAP=$W/tickets.pcap
K=$W/keys.log
: > "$K"
get() { # port name: one HTTPS request, keys logged
  SSLKEYLOGFILE=$K curl -s -o /dev/null -m 5 --tlsv1.3 --cacert "$P/root.crt" --resolve "$2:$1:127.0.0.1" \
    "https://$2:$1/"
}
openssl pkcs12 -export -inkey "$P/server.key" -in "$P/server-chain.crt" -out "$W/server.p12" \
  -passout pass:tickets -name server >/dev/null 2>&1
cap_start lo "$CAP"
ngx_start "$W/ngx" <<NGINX
  server { listen 127.0.0.1:7101 ssl; server_name _; ssl_protocols TLSv1.3;
    ssl_certificate $P/server-chain.crt; ssl_certificate_key $P/server.key;
    location / { return 200 "ok\n"; } }
NGINX
wait_port 7101
get 7101 nginx.server.test
get 7101 nginx2.server.test
stop_pid $SRV
ossl_srv 7102 -cert "$P/server.crt" -key "$P/server.key" -cert_chain "$P/inter.crt" -tls1_3 -num_tickets 3
get 7102 openssl.server.test
stop_pid $SRV
gnutls-serv --http -p 7103 --priority 'NORMAL:-VERS-ALL:+VERS-TLS1.3' --x509certfile "$P/server-chain.crt" \
  --x509keyfile "$P/server.key" >/dev/null 2>&1 &
SRV=$!
td_track "$SRV"
wait_port 7103
get 7103 gnutls.server.test
stop_pid $SRV
java tests/lib/TlsServer.java 7104 "$W/server.p12" tickets >/dev/null 2>&1 &
SRV=$!
td_track "$SRV"
wait_port 7104
get 7104 java.server.test
stop_pid $SRV
cap_stop

for T in $TLSDIAGS; do
  check "$T: every decrypted TLS 1.3 ticket (nginx, openssl, gnutls, Java) decoded, lifetime as tshark's, none malformed" \
    python3 tests/lib/compare_tickets.py "$T" "$CAP" "$K" 7101 7102 7103 7104
  check "$T: the four servers' connections are decrypted and ok, tickets shown in the ladder" \
    env TD_ARGS="--keylog $K" python3 tests/lib/assert_json.py "$T" "$CAP" \
      "len([c for c in conns if c['sni']]) == 5" \
      "all(c['keylog'] == 'decrypted' and c['outcome'] == 'ok' and c['version'] == 'TLSv1.3' for c in conns if c['sni'])" \
      "len(msgs(conn(sni='openssl.server.test'), 'NewSessionTicket')) == 3" \
      "all(m['lifetime_hint'] == 300 for m in msgs(conn(sni='nginx.server.test'), 'NewSessionTicket'))" \
      "all(m['ticket_length'] > 0 for c in conns if c['sni'] for m in msgs(c, 'NewSessionTicket'))"
  check "$T: -v shows the tickets as NewSessionTicket lines, no Malformed" \
    sh -c "'$T' pcap -v --keylog '$K' '$CAP' > '$W/v'; grep -c 'NewSessionTicket .*lifetime' '$W/v' > '$W/n';
      [ \$(cat '$W/n') -ge 6 ] && ! grep -q Malformed '$W/v'"
done
