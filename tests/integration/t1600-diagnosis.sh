#!/bin/bash
# The verdict: for each cause, real failures made by OpenSSL and GnuTLS
# clients against OpenSSL, nginx and hostile test servers, and the cause and
# confidence tlsdiag names for each.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh netns
pki_failures "$P" >/dev/null
CAP=$W/failures.pcap
scenario_failures "$W" "$P" "$CAP"

# cause(sni) == want and confidence in allowed
expect() { # tlsdiag capture sni cause confidences...
  t=$1 cap=$2 sni=$3 cause=$4; shift 4
  python3 tests/lib/assert_json.py "$t" "$cap" \
    "conn(sni=$sni)['cause'] == '$cause'" "conn(sni=$sni)['confidence'] in '$*'.split()"
}

for T in $TLSDIAGS; do
  check "$T: expired leaf: OpenSSL and GnuTLS clients" sh -c "
    $(declare -f expect); expect '$T' '$CAP' \"'expired.server.test'\" expired_cert high &&
    python3 tests/lib/assert_json.py '$T' '$CAP' \"conn(sni='expired.server.test', nth=1)['cause'] == 'expired_cert'\" \
      \"conn(sni='expired.server.test')['certificate']['not_after'] == '2021-01-01T00:00:00Z'\""
  check "$T: not-yet-valid leaf" sh -c "$(declare -f expect); expect '$T' '$CAP' \"'future.server.test'\" not_yet_valid_cert high &&
    python3 tests/lib/assert_json.py '$T' '$CAP' \"conn(sni='future.server.test', nth=1)['cause'] == 'not_yet_valid_cert'\""
  check "$T: host name not covered (a.b.* against *.server.test; wrong.example.org), three clients" sh -c "
    $(declare -f expect); expect '$T' '$CAP' \"'wrong.example.org'\" hostname_mismatch high &&
    python3 tests/lib/assert_json.py '$T' '$CAP' \"conn(sni='wrong.example.org', nth=1)['cause'] == 'hostname_mismatch'\" \
      \"conn(sni='a.b.server.test')['cause'] == 'hostname_mismatch'\" \
      \"'*.server.test' in conn(sni='wrong.example.org')['explanation']\""
  check "$T: chain from a CA the clients do not trust" sh -c "
    $(declare -f expect); expect '$T' '$CAP' \"'untrusted.server.test'\" unknown_ca high medium &&
    python3 tests/lib/assert_json.py '$T' '$CAP' \"conn(sni='untrusted.server.test', nth=1)['cause'] == 'unknown_ca'\" \
      \"conn(sni='untrusted.server.test')['certificate']['issuer'] == 'CN=Other Intermediate CA'\""
  check "$T: a lone leaf from an untrusted root is ambiguous on the wire: medium, both causes named" \
    python3 tests/lib/assert_json.py "$T" "$CAP" \
      "conn(sni='rootleaf.server.test')['confidence'] == 'medium'" \
      "{conn(sni='rootleaf.server.test')['cause']} | set(conn(sni='rootleaf.server.test')['candidates']) >= {'incomplete_chain', 'unknown_ca'}"
  check "$T: with the client's truststore (--ca), an untrusted chain is proven: unknown_ca, high, with OpenSSL's reason" \
    env TD_ARGS="--ca $P/root.crt" python3 tests/lib/assert_json.py "$T" "$CAP" \
      "all(c['cause'] == 'unknown_ca' and c['confidence'] == 'high' for c in conns if c['sni'] == 'untrusted.server.test')" \
      "'unable to get local issuer certificate' in conn(sni='untrusted.server.test')['explanation']" \
      "conn(sni='expired.server.test')['cause'] == 'expired_cert'"
  check "$T: --ca in every format tlsdiag cert reads (DER, PKCS#12, JKS, a folder) gives the verdicts of the PEM" sh -c "
    openssl x509 -in '$P/root.crt' -outform DER -out '$W/ca.der' &&
    openssl pkcs12 -export -nokeys -in '$P/root.crt' -out '$W/ca.p12' -passout pass: 2>/dev/null &&
    rm -f '$W/ca.jks' && keytool -importcert -noprompt -alias root -file '$P/root.crt' -keystore '$W/ca.jks' \
      -storepass changeit -storetype JKS >/dev/null 2>&1 &&
    mkdir -p '$W/cadir' && cp '$P/root.crt' '$W/cadir/root.pem' &&
    '$T' pcap --json --ca '$P/root.crt' '$CAP' > '$W/ca.pem.json'; grep -q unknown_ca '$W/ca.pem.json' &&
    for ca in '$W/ca.der' '$W/ca.p12' '$W/ca.jks' '$W/cadir'; do
      '$T' pcap --json --ca \$ca '$CAP' | cmp -s - '$W/ca.pem.json' || { echo \"--ca \$ca differs\"; exit 1; }; done"
  check "$T: self-signed leaf" sh -c "$(declare -f expect); expect '$T' '$CAP' \"'self.test'\" self_signed high &&
    python3 tests/lib/assert_json.py '$T' '$CAP' \"conn(sni='self.test', nth=1)['cause'] == 'self_signed'\""
  check "$T: a leaf sent without its intermediate: incomplete_chain, never high without the truststore" sh -c "
    $(declare -f expect); expect '$T' '$CAP' \"'leafonly.server.test'\" incomplete_chain medium &&
    python3 tests/lib/assert_json.py '$T' '$CAP' \"'unknown_ca' in conn(sni='leafonly.server.test')['candidates']\""
  check "$T: client certificates: self-signed (untrusted) and expired" sh -c "
    $(declare -f expect); expect '$T' '$CAP' \"'ccself.server.test'\" client_cert_untrusted high medium &&
    expect '$T' '$CAP' \"'ccold.server.test'\" client_cert_expired high &&
    expect '$T' '$CAP' \"'ccgnutls.server.test'\" client_cert_untrusted high medium"
  check "$T: client certificate missing (TLS 1.2 in clear, TLS 1.3 encrypted)" sh -c "
    $(declare -f expect); expect '$T' '$LO' \"'mtls12.server.test'\" client_cert_missing high &&
    expect '$T' '$LO' \"'mtls13.server.test'\" client_cert_missing high"
  check "$T: no key-exchange group in common (OpenSSL and GnuTLS)" sh -c "
    $(declare -f expect); expect '$T' '$CAP' \"'groupbad.server.test'\" group_mismatch high &&
    expect '$T' '$CAP' \"'groupbadg.server.test'\" group_mismatch high"
  check "$T: second stacks: Java (jdk.tls.client.protocols=TLSv1.3) and Python (TLS 1.3 minimum) against a TLS 1.2 server" sh -c "
    $(declare -f expect); expect '$T' '$CAP' \"'javaproto.server.test'\" protocol_mismatch high &&
    expect '$T' '$CAP' \"'pyproto.server.test'\" protocol_mismatch high"
  check "$T: second stacks: Java (jdk.tls.client.cipherSuites) and curl (--ciphers) offering no suite the server takes" sh -c "
    $(declare -f expect); expect '$T' '$CAP' \"'javacipher.server.test'\" cipher_mismatch high &&
    expect '$T' '$CAP' \"'curlcipher.server.test'\" cipher_mismatch high"
  check "$T: second stacks: expired client certificates from GnuTLS and Python" sh -c "
    $(declare -f expect); expect '$T' '$CAP' \"'ccoldg.server.test'\" client_cert_expired high &&
    expect '$T' '$CAP' \"'ccoldpy.server.test'\" client_cert_expired high"
  check "$T: SNI required: refused without SNI (curl by IP, s_client -noservername, gnutls-cli, Java), fine with it" \
    python3 tests/lib/assert_json.py "$T" "$CAP" \
      "len([c for c in conns if c['server'].endswith(':5009') and c['sni'] is None and c['cause'] == 'sni_required' and c['confidence'] == 'high']) == 4" \
      "conn(sni='sni.server.test')['cause'] == 'none'"
  check "$T: reset after the ClientHello; nothing answered" sh -c "
    $(declare -f expect); expect '$T' '$CAP' \"'reset.server.test'\" tcp_reset high && expect '$T' '$CAP' \"'resetg.server.test'\" tcp_reset high &&
    expect '$T' '$CAP' \"'silent.server.test'\" no_response high && expect '$T' '$CAP' \"'silentg.server.test'\" no_response high"
  check "$T: Java (JSSE: certificate_unknown for everything) and Node (closes without an alert) get the real cause" \
    python3 tests/lib/assert_json.py "$T" "$CAP" \
      "len([c for c in conns if c['sni'] == 'expired.server.test']) == 4" \
      "all(c['cause'] == 'expired_cert' and c['confidence'] == 'high' for c in conns if c['sni'] == 'expired.server.test')" \
      "conn(sni='java.wrong.example.org')['cause'] == 'hostname_mismatch' and conn(sni='java.wrong.example.org')['confidence'] == 'high'" \
      "conn(sni='node.wrong.example.org')['cause'] == 'hostname_mismatch' and conn(sni='node.wrong.example.org')['confidence'] == 'high'" \
      "conn(sni='untrusted.server.test', nth=2)['cause'] == 'unknown_ca'" \
      "conn(sni='self.test', nth=2)['cause'] == 'self_signed'" \
      "any(m.get('description') == 'certificate_unknown' for c in conns if c['sni'] == 'java.wrong.example.org' for m in c['messages'])"
  check "$T: protocol and cipher mismatches, plain HTTP (shipped captures)" sh -c "
    $(declare -f expect); expect '$T' '$LO' \"'only13.server.test'\" protocol_mismatch high &&
    expect '$T' '$LO' \"'old-client.server.test'\" protocol_mismatch medium &&
    expect '$T' '$LO' \"'new-client.server.test'\" protocol_mismatch medium high &&
    expect '$T' '$LO' \"'cipher.server.test'\" rsa_kex_removed high &&
    python3 tests/lib/assert_json.py '$T' '$LO' \"len([c for c in conns if c['cause'] == 'not_tls']) == 1\" &&
    python3 tests/lib/assert_json.py '$T' '$ANY' \"len([c for c in conns if c['cause'] == 'not_tls']) == 1\""
  check "$T: TLS 1.3 hides the certificate: never a high certificate verdict without it" \
    python3 tests/lib/assert_json.py "$T" "$ANY" \
      "conn(sni='pywrong.example')['cause'] == 'certificate_rejected' and conn(sni='pywrong.example')['confidence'] == 'medium'" \
      "conn(sni='badname.example')['cause'] == 'none' and 'certificate_rejected' in conn(sni='badname.example')['candidates']"
  check "$T: successful handshakes say none, with high confidence" \
    python3 tests/lib/assert_json.py "$T" "$LO" \
      "all(c['cause'] == 'none' and c['confidence'] == 'high' for c in conns if c['outcome'] == 'ok')"
  check "$T: every verdict carries evidence frames, a resolution and who must act" \
    python3 tests/lib/assert_json.py "$T" "$CAP" \
      "all(c['evidence'] and all(e['frame'] > 0 for e in c['evidence']) and c['resolution'] and c['fix_side'] for c in conns if c['cause'] not in ('none', 'no_client_hello'))"
  check "$T: text verdict: Cause, Evidence, Fix and Look lines; summary by cause and server" \
    sh -c "'$T' pcap --host expired.server.test '$CAP' > '$W/t'; grep -q '^  Cause    certificate expired (high)' '$W/t' && grep -q '^  Evidence #' '$W/t' && grep -q '^  Fix ' '$W/t' && grep -q \"^  Look     tshark -r $CAP -Y 'tcp.stream eq \" '$W/t' &&
           '$T' pcap --summary '$CAP' | grep -q '127.0.0.1:5009: 2 ok, 4 failed: sni_required 4'"
done
[ -n "${KEEP:-}" ] && cp "$CAP" "$KEEP"
