#!/bin/bash
# signature_mismatch (issue 18): clients whose signature_algorithms hold no
# scheme the server's key can make. Real peers: openssl s_server with an
# ECDSA P-256 certificate; s_client -sigalgs RSA-PSS+SHA256 (TLS 1.2 and
# 1.3) and gnutls-cli with an RSA-PSS-only priority string, after a TLS 1.2
# client whose ServerKeyExchange tells the server's key. Without that view
# the refusal is no signature_mismatch.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh netns
CAP=$W/sig.pcap
ALONE=$W/alone.pcap
osl() { port=$1; shift; echo | timeout 5 openssl s_client -connect "127.0.0.1:$port" "$@" >/dev/null 2>&1; }
CERT="-cert $P/server.crt -key $P/server.key -cert_chain $P/inter.crt"

cap_start lo "$CAP" "tcp port 5501"
ossl_srv 5501 $CERT
osl 5501 -tls1_2 -servername ok.server.test
osl 5501 -tls1_2 -sigalgs RSA-PSS+SHA256 -servername pss12.server.test
osl 5501 -tls1_3 -sigalgs RSA-PSS+SHA256 -servername pss13.server.test
gnutls-cli 127.0.0.1 -p 5501 --sni-hostname gnutls.server.test --x509cafile "$P/root.crt" \
  --priority 'NORMAL:-SIGN-ALL:+SIGN-RSA-PSS-RSAE-SHA256' </dev/null >/dev/null 2>&1
osl 5501 -tls1_2 -sigalgs 'RSA-PSS+SHA256:ECDSA+SHA256' -servername both.server.test
stop_pid "$SRV"
cap_stop

cap_start lo "$ALONE" "tcp port 5502"
ossl_srv 5502 $CERT
osl 5502 -tls1_2 -sigalgs RSA-PSS+SHA256 -servername alone.server.test
stop_pid "$SRV"
cap_stop

for T in $TLSDIAGS; do
  check "$T: tshark: the refused ClientHellos offer no ECDSA scheme, the good one's ServerKeyExchange is ECDSA" \
    sh -c "for s in pss12.server.test pss13.server.test gnutls.server.test; do
        x=\$(tshark -d tcp.port==5501,tls -r '$CAP' -Y \"tls.handshake.extensions_server_name == \\\"\$s\\\"\" -T fields -e tls.handshake.sig_hash_alg 2>/dev/null)
        [ -n \"\$x\" ] || { echo \"\$s: no signature_algorithms\"; exit 1; }
        echo \"\$x\" | tr ',' '\n' | grep -qE '^0x0[4-6]03$' && { echo \"\$s offers ECDSA: \$x\"; exit 1; }
      done
      tshark -d tcp.port==5501,tls -r '$CAP' -Y 'tls.handshake.type == 12' -T fields -e tls.handshake.sig_hash_alg 2>/dev/null | grep -q '^0x0403$'"
  check "$T: s_client -sigalgs RSA-PSS+SHA256 (TLS 1.2, 1.3) and gnutls-cli RSA-PSS only vs an ECDSA key: signature_mismatch, high" \
    python3 tests/lib/assert_json.py "$T" "$CAP" \
      "all(conn(sni=s)['cause'] == 'signature_mismatch' and conn(sni=s)['confidence'] == 'high' for s in ('pss12.server.test', 'pss13.server.test', 'gnutls.server.test'))" \
      "'ECDSA' in conn(sni='pss12.server.test')['explanation']" \
      "any('ecdsa_secp256r1_sha256' in e['what'] and e['frame'] > 0 for e in conn(sni='pss13.server.test')['evidence'])" \
      "any('rsa_pss_rsae_sha256' in e['what'] for e in conn(sni='gnutls.server.test')['evidence'])" \
      "conn(sni='ok.server.test')['cause'] == 'none' and conn(sni='both.server.test')['cause'] == 'none'"
  check "$T: the same refusal without the server's key known: not signature_mismatch" \
    python3 tests/lib/assert_json.py "$T" "$ALONE" \
      "conn(sni='alone.server.test')['outcome'] == 'failed' and conn(sni='alone.server.test')['cause'] != 'signature_mismatch'"
done
