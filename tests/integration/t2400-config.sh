#!/bin/bash
# tlsdiag config: the Apigee, Java, nginx, HAProxy and Envoy examples of
# tests/data/config give the named fixes at the lines the files hold them (the
# lines found by grep in the files, not written here); bad input (unknown kind,
# malformed XML/JSON, unknown names, a keystore password missing) exits 2
# naming the file while the other files are still read; cipher strings select
# what `openssl ciphers` selects; the stores given (--ca, --chain, --keystore)
# are checked against a PKI made here with openssl and keytool.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh
E="python3 tests/lib/config_expect.py"
D=tests/data/config
X=$D/targets/default.xml

# A PKI: root -> inter -> backend leaf; another root; client certificates.
(
  cd "$W" || exit 1
  s() { openssl req -new -newkey rsa:2048 -nodes -keyout "$1.key" -subj "/CN=$2" -out "$1.csr" 2>/dev/null; }
  printf 'basicConstraints=critical,CA:TRUE\nkeyUsage=keyCertSign,cRLSign\n' > ca.ext
  printf 'extendedKeyUsage=serverAuth\nsubjectAltName=DNS:backend.example.test\n' > srv.ext
  printf 'extendedKeyUsage=clientAuth\n' > cli.ext
  for r in root other; do
    openssl req -x509 -newkey rsa:2048 -nodes -keyout $r.key -subj "/CN=Test $r CA" -days 3650 -out $r.crt \
      -addext basicConstraints=critical,CA:TRUE -addext keyUsage=keyCertSign,cRLSign 2>/dev/null
  done
  s inter "Test Intermediate CA"
  openssl x509 -req -in inter.csr -CA root.crt -CAkey root.key -CAcreateserial -days 3000 -extfile ca.ext -out inter.crt 2>/dev/null
  s leaf backend.example.test
  openssl x509 -req -in leaf.csr -CA inter.crt -CAkey inter.key -CAcreateserial -days 400 -extfile srv.ext -out leaf.crt 2>/dev/null
  cat leaf.crt inter.crt > chain.pem
  s client gateway.example.test
  openssl x509 -req -in client.csr -CA inter.crt -CAkey inter.key -CAcreateserial -days 30 -extfile cli.ext -out client.crt 2>/dev/null
  s wrong gateway2.example.test
  openssl x509 -req -in wrong.csr -CA inter.crt -CAkey inter.key -CAcreateserial -days 300 -extfile srv.ext -out wrong.crt 2>/dev/null
  openssl pkcs12 -export -in client.crt -inkey client.key -name mykey -passout pass:changeit -out client.p12 2>/dev/null
  openssl pkcs12 -export -in wrong.crt -inkey wrong.key -name mykey -passout pass:changeit -out wrong.p12 2>/dev/null
  echo changeit > pw
  keytool -importcert -keystore trust-root.jks -storetype JKS -storepass changeit -alias root -file root.crt -noprompt >/dev/null 2>&1
  keytool -importcert -keystore trust-other.jks -storetype JKS -storepass changeit -alias other -file other.crt -noprompt >/dev/null 2>&1
  # certInfo JSON (Apigee's GET .../keystores/NAME/certs/CERT) of the right root: names and dates only
  subj=$(openssl x509 -in root.crt -noout -subject -nameopt RFC2253 | sed 's/^subject=//')
  printf '{"certInfo": [{"subject": "%s", "issuer": "%s", "expiryDate": 4102444800000, "validFrom": 1700000000000, "isValid": "Yes"}], "certName": "root"}\n' "$subj" "$subj" > root-certinfo.json
  printf '<not a config>' > bad.xml
  printf 'random words\nwithout any structure\n' > unknown.txt
)

for T in $TLSDIAGS; do
  check "$T: Apigee TargetEndpoint: <Protocol>TLSv1</Protocol> at its line, replace with <Protocol>TLSv1.2</Protocol>; exit 1" \
    $E "$T" "rc == 1" "has('config_protocols_obsolete', 'error', at('$X', '<Protocol>TLSv1<'))" \
      "'replace with \`<Protocol>TLSv1.2</Protocol>\`' in f('config_protocols_obsolete')[0]['change']" \
      "f('config_protocols_obsolete')[0]['element'] == '<Protocol>TLSv1</Protocol>'" \
      -- $X
  check "$T: Apigee TargetEndpoint: KeyStore without KeyAlias, IgnoreValidationErrors true, each at its line" \
    $E "$T" "has('config_keystore_no_alias', 'error', at('$X', '<KeyStore>'))" \
      "'<KeyAlias>' in f('config_keystore_no_alias')[0]['change']" \
      "has('config_validation_disabled', 'warning', at('$X', '<IgnoreValidationErrors>'))" \
      "'<IgnoreValidationErrors>false</IgnoreValidationErrors>' in f('config_validation_disabled')[0]['change']" \
      "not has('config_no_usable_cipher')" \
      -- $X
  check "$T: text output names the file, the line and the element, as the operator reads it" \
    sh -c "'$T' config $X | grep -F '\`$X\` line $(grep -n '<Protocol>TLSv1<' $X | cut -d: -f1) \`<Protocol>TLSv1</Protocol>\`: ' | grep -F 'replace with \`<Protocol>TLSv1.2</Protocol>\`'"
  check "$T: a correct TargetEndpoint: no finding, exit 0" \
    $E "$T" "rc == 0" "d['findings'] == []" "len(setting('good.xml', 'cipher')) == 2" -- $D/targets/good.xml
  check "$T: TargetServer JSON: TLSv1.3 only with TLS 1.2 suites -> config_no_usable_cipher, add TLS_AES_128_GCM_SHA256" \
    $E "$T" "rc == 1" "has('config_no_usable_cipher', 'error', at('$D/targetserver.json', 'TLS_ECDHE_RSA'))" \
      "'TLS_AES_128_GCM_SHA256' in f('config_no_usable_cipher')[0]['change']" -- $D/targetserver.json
  check "$T: VirtualHost JSON: a listener with TLSv1/TLSv1.1 and a keyStore without keyAlias" \
    $E "$T" "rc == 1" "has('config_protocols_obsolete', 'error', at('$D/virtualhost.json', '\"TLSv1\"'))" \
      "has('config_keystore_no_alias', 'error', at('$D/virtualhost.json', 'keyStore'))" \
      "all(s['server_side'] for s in setting('virtualhost.json', 'protocol'))" -- $D/virtualhost.json
  P=$D/message-processor.properties
  check "$T: message-processor.properties: SNI off -> write conf_system_jsse.enableSNIExtension=true; TLSv1,TLSv1.1 only" \
    $E "$T" "rc == 1" "has('config_sni_disabled', 'error', at('$P', 'enableSNIExtension'))" \
      "f('config_sni_disabled')[0]['change'] == 'write \`conf_system_jsse.enableSNIExtension=true\`'" \
      "has('config_protocols_obsolete', 'error', at('$P', 'https.protocols'))" \
      "'https.protocols=TLSv1.2' in f('config_protocols_obsolete')[0]['change']" -- $P
  check "$T: java.security: jdk.tls.disabledAlgorithms over continuation lines disables every version" \
    $E "$T" "rc == 1" "has('config_protocols_obsolete', 'error', at('$D/java.security', 'jdk.tls.disabledAlgorithms'))" \
      "'remove TLSv1.2' in f('config_protocols_obsolete')[0]['change']" -- $D/java.security
  N=$D/nginx.conf
  check "$T: nginx: proxy_ssl_protocols TLSv1 TLSv1.1 -> TLSv1.2 TLSv1.3; an https upstream without SNI or verification" \
    $E "$T" "rc == 1" "has('config_protocols_obsolete', 'error', at('$N', 'proxy_ssl_protocols'))" \
      "'proxy_ssl_protocols TLSv1.2 TLSv1.3;' in f('config_protocols_obsolete')[0]['change']" \
      "has('config_sni_disabled', 'warning', at('$N', 'orders.internal'))" \
      "has('config_validation_disabled', 'warning', at('$N', 'orders.internal'))" \
      "not has('config_sni_disabled', line=at('$N', 'legacy.internal'))" \
      "len([c for c in causes if c[0] == 'config_protocols_obsolete']) == 1" -- $N
  H=$D/haproxy.cfg
  check "$T: HAProxy: ssl-max-ver TLSv1.1, verify none, a server with ssl but no sni, each on its line" \
    $E "$T" "rc == 1" "has('config_protocols_obsolete', 'error', at('$H', 'server app2'))" \
      "'ssl-max-ver TLSv1.3' in f('config_protocols_obsolete')[0]['change']" \
      "has('config_validation_disabled', 'warning', at('$H', 'server app1'))" \
      "has('config_sni_disabled', 'warning', at('$H', 'server app3'))" \
      "not has('config_sni_disabled', line=at('$H', 'server app1'))" -- $H
  Y=$D/envoy.yaml
  check "$T: Envoy YAML: tls_maximum_protocol_version TLSv1_1 -> TLSv1_3; an UpstreamTlsContext without validation_context" \
    $E "$T" "rc == 1" "has('config_protocols_obsolete', 'error', at('$Y', 'tls_maximum_protocol_version'))" \
      "'tls_maximum_protocol_version: TLSv1_3' in f('config_protocols_obsolete')[0]['change']" \
      "has('config_validation_disabled', 'warning', at('$Y', '"@type"'))" -- $Y
  check "$T: unknown protocol and cipher names: each named with its line, exit 2" \
    $E "$T" "rc == 2" "has('config_unknown_name', 'error', at('$D/targetserver-typo.json', 'TLSv1.4'))" \
      "any(\"'TLSv1.4'\" in x['message'] for x in f('config_unknown_name'))" \
      "any(\"'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA265'\" in x['message'] for x in f('config_unknown_name'))" \
      -- $D/targetserver-typo.json
  check "$T: malformed XML, a file of no known kind, a missing file: each named on stderr, exit 2, the others still read" \
    $E "$T" "rc == 2" "'$W/bad.xml: 1:' in err" "'$W/unknown.txt: not a configuration file' in err" \
      "'$W/missing.xml: cannot open' in err" "len(f('config_file_error')) == 3" \
      "has('config_sni_disabled', file='message-processor.properties')" "d['input_errors'] == 3" \
      -- "$W/bad.xml" $P "$W/unknown.txt" "$W/missing.xml"
  check "$T: every example at once: each file's findings, exit 2 (the typo file)" \
    $E "$T" "rc == 2" "len(d['files']) == 10" "all(x['ok'] for x in d['files'])" \
      "set(x['file'] for x in d['findings']) >= {'$X', '$P', '$N', '$H', '$Y'}" \
      -- $D/targets/*.xml $D/*.json $P $D/java.security $N $H $Y
  # The truststore and keystore the configuration names.
  check "$T: --ca truststore without the backend chain's root -> config_truststore_missing_issuer at <TrustStore>" \
    $E "$T" "rc == 1" "has('config_truststore_missing_issuer', 'error', at('$D/targets/good.xml', '<TrustStore>'))" \
      "'CN=Test root CA' in f('config_truststore_missing_issuer')[0]['message']" \
      -- --ca "$W/trust-other.jks" --chain "$W/chain.pem" $D/targets/good.xml
  check "$T: --ca truststore holding the root (JKS, PEM, certInfo JSON): no truststore finding" \
    sh -c "for ca in trust-root.jks root.crt root-certinfo.json; do $E '$T' 'not has(\"config_truststore_missing_issuer\")' 'rc == 0' -- --ca '$W/'\$ca --chain '$W/chain.pem' $D/targets/good.xml || exit 1; done"
  check "$T: --keystore: a client certificate expired at --at -> config_keystore_cert_expired at <KeyStore>" \
    $E "$T" "rc == 1" "has('config_keystore_cert_expired', 'error', at('$D/targets/good.xml', '<KeyStore>'))" \
      "'CN=gateway.example.test' in f('config_keystore_cert_expired')[0]['message']" \
      -- --keystore "$W/client.p12" --password-file "$W/pw" --at 2040-01-01 $D/targets/good.xml
  check "$T: --keystore: serverAuth only where the gateway presents it as a client -> config_keystore_wrong_usage" \
    $E "$T" "rc == 1" "has('config_keystore_wrong_usage', 'error')" "'clientAuth' in f('config_keystore_wrong_usage')[0]['change']" \
      "not has('config_keystore_cert_expired')" -- --keystore "$W/wrong.p12" --password-file "$W/pw" $D/targets/good.xml
  check "$T: --keystore: the alias the config names is not in the keystore" \
    sh -c "sed 's/myKey/otherKey/' $D/targets/good.xml > '$W/alias.xml' && $E '$T' 'rc == 1' 'has(\"config_keystore_no_alias\", \"error\")' \
      \"\\\"no entry named 'otherKey'\\\" in f('config_keystore_no_alias')[0]['message']\" -- --keystore '$W/client.p12' --password-file '$W/pw' '$W/alias.xml'"
  check "$T: --keystore locked by a password not given: exit 2 naming the keystore, the config still linted" \
    $E "$T" "rc == 2" "has('config_file_error', file='client.p12')" "'password' in f('config_file_error')[0]['change']" \
      "has('config_sni_disabled')" -- --keystore "$W/client.p12" $P
  check "$T: usage: no file, --ca without --chain -> exit 2" \
    sh -c "'$T' config >/dev/null 2>&1; [ \$? = 2 ] && '$T' config --ca x $P >/dev/null 2>&1; [ \$? = 2 ]"
done

# Cipher strings against this machine's OpenSSL: the suites it knows, selected alike.
openssl ciphers -stdname 'ALL:COMPLEMENTOFALL' | awk '{print $1}' | sort > "$W/known"
same_as_openssl() { # cipher string
  printf 'server { proxy_ssl_ciphers "%s"; }\n' "$1" > "$W/c.conf"
  "$T" config --json "$W/c.conf" | python3 -c "import json,sys; d=json.load(sys.stdin); print('\n'.join(sorted(d['files'][0]['settings'][0]['suites'])))" |
    comm -12 - "$W/known" > "$W/mine"
  openssl ciphers -stdname "$1" | awk '$1 !~ /^TLS_AES|^TLS_CHACHA/ {print $1}' | sort > "$W/theirs"
  [ -s "$W/theirs" ] && diff "$W/mine" "$W/theirs"
}
for T in $TLSDIAGS; do
  for s in 'HIGH:!aNULL:!MD5' 'ECDHE+AESGCM' 'DEFAULT:!kRSA' 'EECDH+AESGCM:EDH+AESGCM' 'ALL:!aNULL:!eNULL:!kRSA:!PSK' \
    'kRSA+AESGCM' 'TLSv1.2' 'SSLv3' 'CHACHA20:AESCCM:ARIA:CAMELLIA' 'HIGH:-SHA1:+AES256'; do
    check "$T: cipher string '$s' selects what openssl ciphers selects" same_as_openssl "$s"
  done
done
