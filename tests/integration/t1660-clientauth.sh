#!/bin/bash
# client_cert_no_client_auth (issue 18): a client certificate without the
# clientAuth extended key usage (public CAs stopped issuing it in 2026: a
# renewed public server certificate used for mutual TLS) or with a keyUsage
# that forbids signing. tlsdiag cert --purpose client says so (checked
# against openssl verify -purpose sslclient: error 26); in a capture, the
# client's certificate followed by the server's unsupported_certificate
# (openssl s_server -Verify, s_client and curl --cert) gets the same cause.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh netns
CAP=$W/clientauth.pcap
E="python3 tests/lib/cert_expect.py"
# clientAuth, but keyUsage keyEncipherment only: it cannot sign a CertificateVerify
pki_cert "$P" kenc "/CN=kenc.client.test" inter 825 \
  "extendedKeyUsage=clientAuth\nkeyUsage=critical,keyEncipherment\nauthorityKeyIdentifier=keyid"
verify_err() { # the error number of openssl verify -purpose sslclient (empty: OK)
  openssl verify -purpose sslclient -CAfile "$P/root.crt" -untrusted "$P/inter.crt" "$P/$1" 2>&1 |
    sed -n 's/^error \([0-9]*\) at.*/\1/p' | head -1
}
osl() { port=$1; shift; echo | timeout 5 openssl s_client -connect "127.0.0.1:$port" "$@" >/dev/null 2>&1; }

cap_start lo "$CAP" "tcp port 5601"
ossl_srv 5601 -tls1_2 -cert "$P/server.crt" -key "$P/server.key" -cert_chain "$P/inter.crt" -Verify 2 -verify_return_error -CAfile "$P/root.crt"
osl 5601 -servername good.server.test -cert "$P/client.crt" -key "$P/client.key" -cert_chain "$P/inter.crt"
osl 5601 -servername srvcert.server.test -cert "$P/server.crt" -key "$P/server.key" -cert_chain "$P/inter.crt"
osl 5601 -servername kenc.server.test -cert "$P/kenc.crt" -key "$P/kenc.key" -cert_chain "$P/inter.crt"
curl -s -o /dev/null -m 5 --cacert "$P/root.crt" --cert "$P/server-chain.crt" --key "$P/server.key" \
  --resolve curl.server.test:5601:127.0.0.1 https://curl.server.test:5601/
stop_pid "$SRV"
cap_stop

for T in $TLSDIAGS; do
  check "$T: cert --purpose client: a serverAuth-only leaf and a keyEncipherment-only leaf (openssl verify -purpose sslclient: 26)" \
    sh -c "[ \"\$($(declare -f verify_err); P='$P' verify_err server.crt)\" = 26 ] && [ \"\$($(declare -f verify_err); P='$P' verify_err kenc.crt)\" = 26 ] &&
      [ -z \"\$($(declare -f verify_err); P='$P' verify_err client.crt)\" ] &&
      $E '$T' 'rc == 1' \"errors == ['client_cert_no_client_auth']\" \"'not clientAuth' in f('client_cert_no_client_auth')[0]['message']\" -- '$P/server.crt' '$P/inter.crt' --purpose client --ca '$P/root.crt' &&
      $E '$T' 'rc == 1' \"errors == ['client_cert_no_client_auth']\" \"'digitalSignature' in f('client_cert_no_client_auth')[0]['message']\" -- '$P/kenc.crt' '$P/inter.crt' --purpose client --ca '$P/root.crt' &&
      $E '$T' 'rc == 0' \"not has('client_cert_no_client_auth')\" -- '$P/client.crt' '$P/inter.crt' --purpose client --ca '$P/root.crt' &&
      $E '$T' \"not has('client_cert_no_client_auth')\" -- '$P/server.crt' '$P/inter.crt' --ca '$P/root.crt'"
  check "$T: tshark: the refused clients sent a certificate and got unsupported_certificate (43)" \
    sh -c "for s in srvcert.server.test kenc.server.test curl.server.test; do
        st=\$(tshark -r '$CAP' -d tcp.port==5601,tls -Y \"tls.handshake.extensions_server_name == \\\"\$s\\\"\" -T fields -e tcp.stream 2>/dev/null | head -1)
        a=\$(tshark -r '$CAP' -d tcp.port==5601,tls -Y \"tcp.stream == \$st && tls.alert_message\" -T fields -e tls.alert_message.desc 2>/dev/null | head -1)
        n=\$(tshark -r '$CAP' -d tcp.port==5601,tls -Y \"tcp.stream == \$st && tls.handshake.type == 11 && tcp.srcport != 5601\" -T fields -e tls.handshake.certificates_length 2>/dev/null | head -1)
        [ \"\$a\" = 43 ] && [ \"\${n:-0}\" -gt 0 ] || { echo \"\$s: alert '\$a', client certificates length '\$n'\"; exit 1; }
      done"
  check "$T: pcap: s_client and curl with a serverAuth-only or keyEncipherment-only certificate: client_cert_no_client_auth, high" \
    python3 tests/lib/assert_json.py "$T" "$CAP" \
      "all(conn(sni=s)['cause'] == 'client_cert_no_client_auth' and conn(sni=s)['confidence'] == 'high' for s in ('srvcert.server.test', 'kenc.server.test', 'curl.server.test'))" \
      "conn(sni='srvcert.server.test')['certificate']['role'] == 'client' and 'server.test' in conn(sni='srvcert.server.test')['certificate']['subject']" \
      "'2026' in conn(sni='curl.server.test')['changed']['what']" \
      "conn(sni='good.server.test')['cause'] == 'none'"
done
