#!/bin/bash
# no_secure_renegotiation (issue 18): a server without RFC 5746 secure
# renegotiation (gnutls-serv with %DISABLE_SAFE_RENEGOTIATION: no
# renegotiation_info in its ServerHello) refused by OpenSSL 3 s_client and
# curl (handshake_failure, "unsafe legacy renegotiation disabled");
# s_client -legacy_server_connect, the switch the verdict names, connects.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh netns
CAP=$W/reneg.pcap
osl() { port=$1; shift; echo | timeout 5 openssl s_client -connect "127.0.0.1:$port" -CAfile "$P/root.crt" "$@" > "$W/osl.out" 2>&1; }

cap_start lo "$CAP" "tcp port 5801"
gnutls-serv --http -p 5801 --x509certfile "$P/server-chain.crt" --x509keyfile "$P/server.key" \
  --priority 'NORMAL:-VERS-TLS1.3:%DISABLE_SAFE_RENEGOTIATION' >/dev/null 2>&1 &
SRV=$!; td_track "$SRV"; wait_port 5801
osl 5801 -servername strict.server.test; cp "$W/osl.out" "$W/strict.out"
curl -s -o /dev/null -m 5 --cacert "$P/root.crt" --resolve curl.server.test:5801:127.0.0.1 https://curl.server.test:5801/
osl 5801 -servername legacy.server.test -legacy_server_connect; cp "$W/osl.out" "$W/legacy.out"
stop_pid "$SRV"
cap_stop

for T in $TLSDIAGS; do
  check "$T: the clients did what the test claims: s_client refused the server, -legacy_server_connect connected" \
    sh -c "grep -q 'unsafe legacy renegotiation disabled' '$W/strict.out' && grep -q 'Cipher is ECDHE' '$W/legacy.out'"
  check "$T: tshark: the ClientHellos offer renegotiation_info or its SCSV, the ServerHellos lack it" \
    sh -c "tshark -d tcp.port==5801,tls -r '$CAP' -Y 'tls.handshake.type == 1 && (tls.handshake.extension.type == 65281 || tls.handshake.ciphersuite == 0x00ff)' -T fields -e frame.number 2>/dev/null | wc -l | grep -qx 3 &&
      tshark -d tcp.port==5801,tls -r '$CAP' -Y 'tls.handshake.type == 2' -T fields -e frame.number 2>/dev/null | wc -l | grep -qx 3 &&
      [ \$(tshark -d tcp.port==5801,tls -r '$CAP' -Y 'tls.handshake.type == 2 && tls.handshake.extension.type == 65281' -T fields -e frame.number 2>/dev/null | wc -l) = 0 ]"
  check "$T: s_client and curl (OpenSSL 3) against a server without RFC 5746: no_secure_renegotiation, high, fixed on the server" \
    python3 tests/lib/assert_json.py "$T" "$CAP" \
      "all(conn(sni=s)['cause'] == 'no_secure_renegotiation' and conn(sni=s)['confidence'] == 'high' and conn(sni=s)['fix_side'] == 'server' for s in ('strict.server.test', 'curl.server.test'))" \
      "conn(sni='strict.server.test')['aborted_by'] == 'client'" \
      "'UnsafeLegacyServerConnect' in conn(sni='curl.server.test')['changed']['restore']" \
      "conn(sni='legacy.server.test')['cause'] == 'none'"
done
