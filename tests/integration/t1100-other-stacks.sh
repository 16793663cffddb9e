#!/bin/bash
# GnuTLS, nginx, curl and Python's ssl on loopback (IPv4 and IPv6), captured
# with `tcpdump -i any` (Linux cooked v2), checked against tshark.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh netns
CAP=$W/any.pcap
scenario_stacks "$W" "$P" "$CAP"

for T in $TLSDIAGS; do
  check "$T: ladders match tshark on a Linux cooked (any) capture" \
    python3 tests/lib/compare_tshark.py "$T" "$CAP" 4443 8443
  check "$T: GnuTLS server with GnuTLS and OpenSSL clients (gnutls-cli checks names after the handshake: noted)" \
    python3 tests/lib/assert_json.py "$T" "$CAP" \
      'conn(sni="gnutls.server.test")["outcome"] == "ok" and conn(sni="gnutls.server.test")["version"] == "TLSv1.3"' \
      'conn(sni="gnutls12.server.test")["version"] == "TLSv1.2" and conn(sni="gnutls12.server.test")["outcome"] == "ok"' \
      'msgs(conn(sni="gnutls12.server.test"), "Certificate")[0]["num_certificates"] == 2' \
      'conn(sni="wronghost.example")["outcome"] == "ok" and conn(sni="wronghost.example")["note"]' \
      'msgs(conn(sni="gnutls.server.test"), "Finished")[0]["from"] == "client"' \
      'conn(sni="ossl.gnutls.test")["outcome"] == "ok"'
  check "$T: nginx with curl over IPv4 and IPv6, TLS 1.2 and 1.3; curl's after-handshake name check is noted" \
    python3 tests/lib/assert_json.py "$T" "$CAP" \
      'conn(sni="nginx13.server.test")["version"] == "TLSv1.3" and conn(sni="nginx13.server.test")["outcome"] == "ok"' \
      'conn(sni="nginx12.server.test")["version"] == "TLSv1.2" and conn(sni="nginx12.server.test")["outcome"] == "ok"' \
      'conn(sni="v6.server.test")["server"] == "[::1]:8443" and conn(sni="v6.server.test")["outcome"] == "ok"' \
      'conn(sni="badname.example")["outcome"] == "ok"' \
      '"right after the handshake" in conn(sni="badname.example")["note"]' \
      'msgs(conn(sni="badname.example"), "Alert")[0]["inferred"]'
  check "$T: Python ssl client, right and wrong host name" \
    python3 tests/lib/assert_json.py "$T" "$CAP" \
      'conn(sni="python.server.test")["outcome"] == "ok"' \
      'conn(sni="pywrong.example")["outcome"] == "failed"' \
      'msgs(conn(sni="pywrong.example"), "Alert")[0]["from"] == "client"'
  check "$T: plain HTTP to nginx's TLS port: request and nginx's plain-text answer" \
    python3 tests/lib/assert_json.py "$T" "$CAP" \
      'any(not c["tls"] and c["outcome"] == "failed" and [m["type"] for m in c["messages"]][:2] == ["NotTLS", "NotTLS"] and "HTTP/1.1 400" in c["messages"][1]["data"] for c in conns)'
done
[ -n "${KEEP:-}" ] && cp "$CAP" "$KEEP"
