#!/bin/bash
# Real OpenSSL servers and clients on loopback, TLS 1.0 to 1.3, successes and
# failures; tlsdiag's ladder checked against tshark and against what each
# scenario must show. Runs in a private network namespace.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh netns
CAP=$W/openssl.pcap
scenario_openssl "$W" "$P" "$CAP"

for T in $TLSDIAGS; do
  check "$T: ladders match tshark (frames, tcp.stream, handshake types, alerts, SNI, suite)" \
    python3 tests/lib/compare_tshark.py "$T" "$CAP" 4431 4432 4433 4434 4435 4436
  check "$T: TLS 1.3 and 1.2 handshakes complete, with the chain in clear in 1.2" \
    python3 tests/lib/assert_json.py "$T" "$CAP" \
      'conn(sni="v13.server.test")["outcome"] == "ok" and conn(sni="v13.server.test")["version"] == "TLSv1.3"' \
      '"EncryptedHandshake" in types(conn(sni="v13.server.test"))' \
      'conn(sni="v12.server.test")["version"] == "TLSv1.2" and conn(sni="v12.server.test")["outcome"] == "ok"' \
      'msgs(conn(sni="v12.server.test"), "Certificate")[0]["num_certificates"] == 2' \
      'msgs(conn(sni="v12.server.test"), "Certificate")[0]["certificates"][0]["subject"] == "CN=server.test"' \
      '"DNS:*.server.test" in msgs(conn(sni="v12.server.test"), "Certificate")[0]["certificates"][0]["san"]' \
      'conn(sni="curl.server.test")["outcome"] == "ok"' \
      'msgs(conn(sni="curl.server.test"), "ClientHello")[0]["alpn"] == ["h2", "http/1.1"]'
  check "$T: TLS 1.0 and 1.1 handshakes" \
    python3 tests/lib/assert_json.py "$T" "$CAP" \
      'conn(sni="v10.server.test")["version"] == "TLSv1.0" and conn(sni="v10.server.test")["outcome"] == "ok"' \
      'conn(sni="v11.server.test")["version"] == "TLSv1.1" and conn(sni="v11.server.test")["outcome"] == "ok"'
  check "$T: version mismatches end in a fatal alert, both ways (OpenSSL says internal_error, not protocol_version, when it refuses TLS 1.0)" \
    python3 tests/lib/assert_json.py "$T" "$CAP" \
      'conn(sni="old-client.server.test")["outcome"] == "failed"' \
      'msgs(conn(sni="old-client.server.test"), "ClientHello")[0]["legacy_version"] == "TLSv1.0"' \
      '"supported_versions" not in msgs(conn(sni="old-client.server.test"), "ClientHello")[0]' \
      'msgs(conn(sni="old-client.server.test"), "Alert")[0]["level"] == "fatal"' \
      'msgs(conn(sni="new-client.server.test"), "ServerHello")[0]["version"] == "TLSv1.0"' \
      'msgs(conn(sni="new-client.server.test"), "Alert")[0]["from"] == "client"' \
      'msgs(conn(sni="new-client.server.test"), "Alert")[0]["record_version"] == "TLSv1.0"' \
      'msgs(conn(sni="only13.server.test"), "Alert")[0]["description"] == "protocol_version"' \
      'msgs(conn(sni="only13.server.test"), "ClientHello")[0]["legacy_version"] == "TLSv1.2"'
  check "$T: cipher mismatch: handshake_failure; the RSA suite is chosen when offered" \
    python3 tests/lib/assert_json.py "$T" "$CAP" \
      'msgs(conn(sni="cipher.server.test"), "Alert")[0]["description"] == "handshake_failure"' \
      'msgs(conn(sni="cipher.server.test"), "ClientHello")[0]["cipher_suites"][0] == "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"' \
      'conn(sni="rsa.server.test")["cipher_suite"] == "TLS_RSA_WITH_AES_256_CBC_SHA"' \
      '"ServerKeyExchange" not in types(conn(sni="rsa.server.test"))'
  check "$T: HelloRetryRequest asks for secp384r1, then the handshake completes" \
    python3 tests/lib/assert_json.py "$T" "$CAP" \
      'types(conn(sni="hrr.server.test"))[:2] == ["ClientHello", "HelloRetryRequest"]' \
      'msgs(conn(sni="hrr.server.test"), "HelloRetryRequest")[0]["requested_group"] == "secp384r1"' \
      'len(msgs(conn(sni="hrr.server.test"), "ClientHello")) == 2' \
      'conn(sni="hrr.server.test")["outcome"] == "ok"'
  check "$T: client certificates: requested, missing (1.2 in clear, 1.3 by the alert size), sent" \
    python3 tests/lib/assert_json.py "$T" "$CAP" \
      'msgs(conn(sni="mtls12.server.test"), "CertificateRequest")[0]["certificate_authorities"] == ["CN=tlsdiag Test Intermediate CA", "CN=tlsdiag Test Root CA"]' \
      'msgs(conn(sni="mtls12.server.test"), "Certificate")[1]["from"] == "client"' \
      'msgs(conn(sni="mtls12.server.test"), "Certificate")[1]["num_certificates"] == 0' \
      'conn(sni="mtls12.server.test")["outcome"] == "failed"' \
      'conn(sni="mtls13.server.test")["outcome"] == "failed"' \
      'msgs(conn(sni="mtls13.server.test"), "Alert")[-1]["from"] == "server"' \
      'msgs(conn(sni="mtls13.server.test"), "Alert")[-1]["inferred"]' \
      '(lambda t: t[-2:] == ["EncryptedHandshake", "Finished"])([m["type"] for m in conn(sni="mtls13.server.test")["messages"] if m["from"] == "client" and m["type"] in ("EncryptedHandshake", "Finished")])' \
      'conn(sni="mtls-ok.server.test")["outcome"] == "ok"' \
      'msgs(conn(sni="mtls-ok.server.test"), "Certificate")[1]["certificates"][0]["subject"] == "CN=client.test"'
  check "$T: plain HTTP on port 443 is recognised, not parsed as TLS" \
    python3 tests/lib/assert_json.py "$T" "$CAP" \
      'any(not c["tls"] and c["outcome"] == "failed" and c["messages"][0]["type"] == "NotTLS" and c["messages"][0]["data"].startswith("GET / HTTP/1.1") for c in conns)'
done
[ -n "${KEEP:-}" ] && cp "$CAP" "$KEEP"
