#!/bin/bash
# tls_inspection_ca (issue 18): a corporate TLS-inspection proxy re-signs the
# server's certificate with its own CA (here a CA named as Zscaler's). A
# client without the proxy's root refuses it (s_client, curl: unknown_ca):
# the verdict names the proxy and the fix on the client's truststore; with
# the proxy's root the same chain works. tlsdiag cert flags the chain, and a
# chain from a CA the stores distrust after a date (Entrust: 2024-11-11).
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh netns
CAP=$W/inspect.pcap
E="python3 tests/lib/cert_expect.py"
pki_cert "$P" zroot "/O=Zscaler Inc./CN=Zscaler Root CA" self 3650 \
  "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash"
pki_cert "$P" zint "/O=Zscaler Inc./OU=Zscaler Inc./CN=Zscaler Intermediate Root CA (zscaler.net) (t)" zroot 3650 \
  "basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid"
pki_cert "$P" zleaf "/CN=api.server.test" zint 30 \
  "subjectAltName=DNS:api.server.test,DNS:trusting.server.test,DNS:curl.server.test\nextendedKeyUsage=serverAuth\nauthorityKeyIdentifier=keyid"
# A public CA distrusted for certificates issued after 2024-11-11 (its name as Entrust's), a leaf issued now.
pki_cert "$P" eint "/O=Entrust, Inc./CN=Entrust Certification Authority - L1K" root 3650 \
  "basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid"
pki_cert "$P" eleaf "/CN=shop.server.test" eint 30 \
  "subjectAltName=DNS:shop.server.test\nextendedKeyUsage=serverAuth\nauthorityKeyIdentifier=keyid"
osl() { port=$1; shift; echo | timeout 5 openssl s_client -connect "127.0.0.1:$port" -verify_return_error "$@" >/dev/null 2>&1; }

cap_start lo "$CAP" "tcp port 5901"
ossl_srv 5901 -tls1_2 -cert "$P/zleaf.crt" -key "$P/zleaf.key" -cert_chain "$P/zint.crt"
osl 5901 -CAfile "$P/root.crt" -servername api.server.test
curl -s -o /dev/null -m 5 --cacert "$P/root.crt" --resolve curl.server.test:5901:127.0.0.1 https://curl.server.test:5901/
osl 5901 -CAfile "$P/zroot.crt" -servername trusting.server.test
stop_pid "$SRV"
cap_stop

for T in $TLSDIAGS; do
  check "$T: s_client and curl without the proxy's root: tls_inspection_ca, high, the proxy named, fixed on the client" \
    python3 tests/lib/assert_json.py "$T" "$CAP" \
      "all(conn(sni=s)['cause'] == 'tls_inspection_ca' and conn(sni=s)['confidence'] == 'high' and conn(sni=s)['fix_side'] == 'client' for s in ('api.server.test', 'curl.server.test'))" \
      "'Zscaler' in conn(sni='api.server.test')['explanation'] and 'unknown_ca' in conn(sni='api.server.test')['candidates']" \
      "any(m.get('description') == 'unknown_ca' for m in conn(sni='curl.server.test')['messages'])" \
      "conn(sni='trusting.server.test')['cause'] == 'none'"
  check "$T: tshark: the certificate the clients refused is issued by the Zscaler-named CA" \
    sh -c "tshark -d tcp.port==5901,tls -r '$CAP' -Y 'tls.handshake.type == 11' -T fields -e x509sat.printableString -e x509sat.uTF8String 2>/dev/null | grep -q 'Zscaler Intermediate Root CA'"
  check "$T: cert: the re-signed chain carries a tls_inspection_ca warning naming Zscaler; an ordinary chain none" \
    sh -c "$E '$T' \"has('tls_inspection_ca', 'warning')\" \"'Zscaler' in f('tls_inspection_ca')[0]['message']\" -- '$P/zleaf.crt' '$P/zint.crt' &&
      $E '$T' \"not has('tls_inspection_ca')\" -- '$P/server.crt' '$P/inter.crt'"
  check "$T: cert: a leaf issued now under an Entrust-named CA: distrusted_ca naming the cut-off; trusted all the same by path validation" \
    sh -c "$E '$T' \"has('distrusted_ca', 'warning')\" \"'Chrome 131' in f('distrusted_ca')[0]['message']\" \"has('trusted')\" -- '$P/eleaf.crt' '$P/eint.crt' --ca '$P/root.crt' &&
      $E '$T' \"not has('distrusted_ca')\" -- '$P/server.crt' '$P/inter.crt' --ca '$P/root.crt'"
done
