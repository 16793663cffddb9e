#!/bin/bash
# tlsdiag cert: every finding on a PKI made here (root -> inter1 -> inter2 ->
# leaves with one defect each), cross-checked against `openssl verify`; JKS and
# PKCS#12 stores made by OpenJDK's keytool read back exactly; Debian's Java
# cacerts and /etc/ssl/certs read as truststores; corrupt input never crashes.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh
. tests/lib/certpki.sh
C=$W/pki
certpki_make "$C" || { echo "not ok - PKI could not be made"; exit 1; }
R=$PWD
E="python3 $R/tests/lib/cert_expect.py"
PW=changeit
echo "$PW" > "$C/pw"
echo wrong-password > "$C/badpw"
(
  cd "$C" || exit 1
  openssl pkcs12 -export -in good.crt -inkey good.key -certfile inter2.crt -name server -passout pass:$PW \
    -out good-ossl.p12 2>/dev/null
  keytool -importkeystore -srckeystore good-ossl.p12 -srcstoretype PKCS12 -srcstorepass $PW -destkeystore ks.jks \
    -deststoretype JKS -deststorepass $PW -noprompt >/dev/null 2>&1
  keytool -importkeystore -srckeystore good-ossl.p12 -srcstoretype PKCS12 -srcstorepass $PW \
    -destkeystore ks-java.p12 -deststoretype PKCS12 -deststorepass $PW -noprompt >/dev/null 2>&1
  for c in root inter1; do
    keytool -importcert -keystore trust.jks -storetype JKS -storepass $PW -alias "$c" -file "$c.crt" -noprompt >/dev/null 2>&1
    keytool -importcert -keystore trust.p12 -storetype PKCS12 -storepass $PW -alias "$c" -file "$c.crt" -noprompt >/dev/null 2>&1
  done
  keytool -importcert -keystore other-trust.jks -storetype JKS -storepass $PW -alias other -file oroot.crt -noprompt >/dev/null 2>&1
  for t in JKS PKCS12; do
    keytool -genkeypair -keystore "gen-$t.ks" -storetype $t -storepass $PW -keypass $PW -alias javakey -keyalg EC \
      -dname "CN=java.example.test" -ext san=dns:java.example.test -validity 30 >/dev/null 2>&1
  done
  openssl x509 -in good.crt -outform DER -out good.der
  openssl crl2pkcs7 -nocrl -certfile good-chain.pem -out chain.p7b 2>/dev/null
  openssl pkcs8 -topk8 -in good.key -passout pass:$PW -out good-enc.key 2>/dev/null
  mkdir -p hashed && cp root.crt inter1.crt hashed/ && openssl rehash hashed 2>/dev/null
)

# openssl verify's answer next to ours: "ok" or the error number.
ossl() { # leaf [untrusted...] -- extra openssl options
  leaf=$1; shift
  set -- $(for f in "$@"; do case $f in --*) ;; *) [ -n "$f" ] && echo "-untrusted $C/$f" ;; esac; done)
  openssl verify -CAfile "$C/root.crt" $OSSL_OPTS "$@" "$C/$leaf" 2>&1 | sed -n 's/^error \([0-9]*\) at.*/\1/p' | head -1
}

hostopt() { case $1 in *[a-z]*) echo "-verify_hostname $1" ;; *) echo "-verify_ip $1" ;; esac; }

for T in $TLSDIAGS; do
  cd "$C" || exit 1
  check "$T: a good chain against its root: trusted, name covered, exit 0 (openssl verify agrees)" \
    $E "$R/$T" "rc == 0" "has('trusted')" "has('hostname_ok')" "errors == []" \
      "[c['role'] for c in d['chain']] == ['leaf', 'intermediate', 'intermediate']" \
      "[c['link'] for c in d['chain']] == ['good', 'good', 'anchor']" "d['chains'] == [[0, 1, 2]]" \
      "'$(ossl good.crt inter2.crt inter1.crt)' == ''" \
      -- good-chain.pem --ca root.crt --host www.example.test
  check "$T: certificates in any order across files build the same chain" \
    $E "$R/$T" "rc == 0" "d['chains'] == [[0, 1, 2]]" "cert(0)['subject'] == 'CN=www.example.test'" \
      -- inter1.crt good.crt inter2.crt --ca root.crt
  check "$T: chain stored out of order -> incorrect_chain" \
    $E "$R/$T" "rc == 1" "has('incorrect_chain', 'error')" "'out of order' in f('incorrect_chain')[0]['message']" \
      -- wrong-order.pem
  check "$T: leaf not first in the file -> incorrect_chain" \
    $E "$R/$T" "rc == 1" "'not the first' in f('incorrect_chain')[0]['message'] or 'before' in f('incorrect_chain')[0]['message']" \
      -- leaf-not-first.pem
  check "$T: intermediate missing -> incomplete_chain naming it and its caIssuers URL (openssl verify: 20)" \
    $E "$R/$T" "rc == 1" "errors == ['incomplete_chain']" \
      "'CN=Test Intermediate CA 2' in f('incomplete_chain')[0]['message']" \
      "'http://pki.example.test/inter2.crt' in f('incomplete_chain')[0]['resolution']" \
      "'$(ossl good.crt inter1.crt)' == '20'" \
      -- missing-inter2.pem --ca root.crt
  check "$T: a certificate that does not belong to the chain -> incorrect_chain on that one" \
    $E "$R/$T" "rc == 1" "errors == ['incorrect_chain']" \
      "cert(f('incorrect_chain')[0]['cert'])['issuer'] == 'CN=Other Root CA,O=other'" -- extra.pem
  check "$T: an intermediate with the right name but another key -> incorrect_chain" \
    $E "$R/$T" "rc == 1" "any('not its key' in x['message'] for x in f('incorrect_chain'))" -- fake-inter.pem
  check "$T: root included -> info only; duplicate -> warning; both exit 0" \
    sh -c "$E '$R/$T' 'rc == 0' \"has('root_included', 'info')\" -- with-root.pem &&
           $E '$R/$T' 'rc == 0' \"has('duplicate', 'warning')\" -- dup.pem"
  check "$T: expired leaf -> expired_cert naming it (openssl verify: 10)" \
    $E "$R/$T" "rc == 1" "errors == ['expired_cert']" "f('expired_cert')[0]['cert'] == 0" \
      "'2021-01-01' in f('expired_cert')[0]['message']" "'$(ossl expired.crt inter2.crt inter1.crt)' == '10'" \
      -- expired.crt inter2.crt inter1.crt --ca root.crt
  check "$T: not-yet-valid leaf -> not_yet_valid_cert (openssl verify: 9)" \
    $E "$R/$T" "rc == 1" "errors == ['not_yet_valid_cert']" "'$(ossl future.crt inter2.crt inter1.crt)' == '9'" \
      -- future.crt inter2.crt inter1.crt --ca root.crt
  check "$T: --at moves the clock: the good chain is expired in 2031" \
    $E "$R/$T" "rc == 1" "len(f('expired_cert')) == 3" "d['time'] == '2031-01-01T00:00:00Z'" \
      -- good-chain.pem --at 2031-01-01
  check "$T: expiring within 30 days -> warning, exit 0; --warn-days 5 silences it" \
    sh -c "$E '$R/$T' 'rc == 0' \"has('expiring_soon', 'warning')\" -- soon.crt inter2.crt inter1.crt &&
           $E '$R/$T' \"not has('expiring_soon')\" -- soon.crt inter2.crt inter1.crt --warn-days 5"
  for h in www.example.test x.wild.example.test 127.0.0.1; do
    check "$T: --host $h is covered (openssl verify -verify_hostname agrees)" \
      $E "$R/$T" "rc == 0" "has('hostname_ok')" "'$(OSSL_OPTS="$(hostopt $h)" ossl good.crt inter2.crt inter1.crt)' == ''" \
        -- good-chain.pem --ca root.crt --host $h
  done
  for h in wild.example.test a.b.wild.example.test example.test 127.0.0.2; do
    check "$T: --host $h is not covered -> hostname_mismatch listing the names covered (openssl: 62/64)" \
      $E "$R/$T" "rc == 1" "errors == ['hostname_mismatch']" "'*.wild.example.test' in f('hostname_mismatch')[0]['message']" \
        "'$(OSSL_OPTS="$(hostopt $h)" ossl good.crt inter2.crt inter1.crt)' in ('62', '64')" \
        -- good-chain.pem --ca root.crt --host $h
  done
  check "$T: CN is used only without subjectAltName" \
    sh -c "$E '$R/$T' 'rc == 0' \"has('hostname_ok')\" -- cnonly.crt inter2.crt inter1.crt --host cn.example.test &&
           $E '$R/$T' 'rc == 1' \"'no subjectAltName' in f('hostname_mismatch')[0]['message']\" -- cnonly.crt inter2.crt inter1.crt --host www.example.test"
  check "$T: self-signed leaf -> self_signed (openssl verify: 18); without a truststore a warning" \
    sh -c "$E '$R/$T' 'rc == 1' \"errors == ['self_signed']\" \"'$(ossl self.crt)' == '18'\" -- self.crt --ca root.crt &&
           $E '$R/$T' 'rc == 0' \"has('self_signed', 'warning')\" -- self.crt"
  check "$T: chain to a root the truststore lacks -> unknown_ca naming the root to add (openssl verify: 19)" \
    $E "$R/$T" "rc == 1" "errors == ['unknown_ca']" "'Other Root CA' in f('unknown_ca')[0]['resolution']" \
      "'$(ossl oleaf.crt oroot.crt)' == '19'" -- oleaf.crt oroot.crt --ca root.crt
  check "$T: a non-CA acting as intermediate -> invalid_ca (openssl verify: 79, invalid CA certificate)" \
    $E "$R/$T" "rc == 1" "errors == ['invalid_ca']" "f('invalid_ca')[0]['cert'] == 1" \
      "'$(ossl undernotca.crt notca.crt inter1.crt)' == '79'" -- undernotca.crt notca.crt inter1.crt --ca root.crt
  check "$T: path length exceeded -> invalid_ca on the intermediate with pathlen:0 (openssl verify: 25)" \
    $E "$R/$T" "rc == 1" "errors == ['invalid_ca']" "'pathlen' in f('invalid_ca')[0]['message']" \
      "'$(ossl deep.crt inter3.crt inter2.crt inter1.crt)' == '25'" -- deep.crt inter3.crt inter2.crt inter1.crt --ca root.crt
  check "$T: clientAuth-only leaf as a server -> wrong_usage (openssl verify -purpose sslserver: 26); fine as a client" \
    sh -c "$E '$R/$T' 'rc == 1' \"errors == ['wrong_usage']\" \"'$(OSSL_OPTS='-purpose sslserver' ossl clientonly.crt inter2.crt inter1.crt)' == '26'\" -- clientonly.crt inter2.crt inter1.crt &&
           $E '$R/$T' 'rc == 0' \"not has('wrong_usage')\" -- clientonly.crt inter2.crt inter1.crt --purpose client"
  check "$T: keyUsage without digitalSignature -> wrong_usage; CA:TRUE leaf -> leaf_is_ca warning" \
    sh -c "$E '$R/$T' 'rc == 1' \"has('wrong_usage', 'error')\" -- noku.crt inter2.crt inter1.crt &&
           $E '$R/$T' 'rc == 0' \"has('leaf_is_ca', 'warning')\" -- leafca.crt inter2.crt inter1.crt"
  check "$T: RSA 1024 -> weak_key; SHA-1 signature -> weak_signature" \
    sh -c "$E '$R/$T' \"has('weak_key')\" \"'1024' in f('weak_key')[0]['message']\" -- weakkey.crt inter2.crt inter1.crt &&
           $E '$R/$T' 'rc == 1' \"has('weak_signature', 'error')\" -- sha1.crt inter2.crt inter1.crt"
  check "$T: client certificates: untrusted -> client_cert_untrusted, expired -> client_cert_expired" \
    sh -c "$E '$R/$T' 'rc == 1' \"errors == ['client_cert_untrusted']\" -- client.crt inter2.crt inter1.crt --purpose client --ca oroot.crt &&
           $E '$R/$T' 'rc == 1' \"errors == ['client_cert_expired']\" -- oldclient.crt inter2.crt inter1.crt --purpose client --ca root.crt"
  check "$T: --key: the matching key is confirmed, another one is key_mismatch; a key inside the PEM is checked" \
    sh -c "$E '$R/$T' 'rc == 0' \"has('key_matches')\" 'cert(0)[\"private_key\"]' -- good-chain.pem --key good.key &&
           $E '$R/$T' 'rc == 1' \"errors == ['key_mismatch']\" -- good-chain.pem --key rsaleaf.key &&
           $E '$R/$T' 'rc == 0' \"has('key_matches')\" -- bundle-with-key.pem &&
           $E '$R/$T' 'rc == 0' \"has('key_matches')\" -- good-chain.pem --key good-enc.key --password-file pw"
  check "$T: DER and PKCS#7 input; a hashed directory as truststore" \
    sh -c "$E '$R/$T' 'len(d[\"chain\"]) == 1' \"cert(0)['sha256'] == '$(openssl x509 -in good.crt -noout -fingerprint -sha256 | sed 's/.*=//; s/://g')'\" -- good.der &&
           $E '$R/$T' 'rc == 0' 'd[\"chains\"] == [[0, 1, 2]]' \"has('trusted')\" -- chain.p7b --ca hashed"
  check "$T: JKS keystore made by keytool: aliases, chain and fingerprints as keytool lists them; key checked with the password" \
    sh -c "keytool -list -v -keystore ks.jks -storepass $PW 2>/dev/null | sed -n 's/^[[:space:]]*SHA256: //p' | tr -d : > kt.txt &&
           $R/$T cert --json ks.jks | python3 -c 'import json,sys; print(\"\\n\".join(c[\"sha256\"] for c in json.load(sys.stdin)[\"chain\"]))' > td.txt &&
           diff kt.txt td.txt && [ \$(wc -l < td.txt) -eq 2 ] &&
           $E '$R/$T' 'rc == 0' \"cert(0)['origin'] == 'ks.jks:server#1'\" \"has('key_matches')\" -- ks.jks --password-file pw"
  check "$T: JKS without the password: certificates read, keys noted; wrong password: exit 2 with a clear message" \
    sh -c "$E '$R/$T' 'rc == 0' \"'password' in err\" 'len(d[\"chain\"]) == 2' -- ks.jks &&
           $E '$R/$T' 'rc == 2' \"'integrity' in err and 'password' in err\" -- ks.jks --password-file badpw"
  check "$T: PKCS#12 written by keytool: chain, alias, key; without its password exit 2" \
    sh -c "$E '$R/$T' 'rc == 0' \"cert(0)['origin'].startswith('ks-java.p12:server')\" \"has('key_matches')\" 'len(d[\"chain\"]) == 2' -- ks-java.p12 --password-file pw &&
           $E '$R/$T' 'rc == 2' \"'password' in err\" -- ks-java.p12"
  check "$T: keytool -genkeypair stores (JKS and PKCS12) read back: fingerprint equals keytool's" \
    sh -c "for t in JKS PKCS12; do fp=\$(keytool -list -v -keystore gen-\$t.ks -storepass $PW 2>/dev/null | sed -n 's/^[[:space:]]*SHA256: //p' | tr -d :);
             $E '$R/$T' \"cert(0)['sha256'] == '\$fp'\" \"cert(0)['subject'] == 'CN=java.example.test'\" \"has('key_matches')\" \"has('self_signed')\" -- gen-\$t.ks --password-file pw || exit 1; done"
  check "$T: truststores (JKS, PKCS#12) as --ca; --compare says whether the truststore accepts the keystore" \
    sh -c "$E '$R/$T' 'rc == 0' \"has('trusted')\" -- ks.jks --ca trust.jks &&
           $E '$R/$T' 'rc == 0' \"has('trusted')\" -- good-chain.pem --ca trust.p12 --password-file pw &&
           $E '$R/$T' 'rc == 0' 'd[\"accepted\"] is True' -- --compare ks.jks trust.jks &&
           $E '$R/$T' 'rc == 1' 'd[\"accepted\"] is False' \"'Test Intermediate CA 1' in f('unknown_ca')[0]['resolution']\" -- --compare ks.jks other-trust.jks"
  check "$T: Debian's Java cacerts (JKS) read whole: as many certificates as keytool lists" \
    sh -c "n=\$(keytool -list -cacerts -storepass changeit 2>/dev/null | grep -c trustedCertEntry);
           $E '$R/$T' \"len(d['chain']) == \$n\" \"all(c['role'] == 'trust anchor' for c in d['chain'])\" -- /etc/ssl/certs/java/cacerts"
  check "$T: /etc/ssl/certs read as a directory: each certificate once" \
    sh -c "n=\$(grep -c 'BEGIN CERTIFICATE' /etc/ssl/certs/ca-certificates.crt);
           $E '$R/$T' \"len(d['chain']) == \$n\" -- /etc/ssl/certs &&
           $E '$R/$T' 'rc == 1' \"errors == ['unknown_ca']\" -- oleaf.crt oroot.crt --ca /etc/ssl/certs/java/cacerts"
  check "$T: the seed's certInfo JSON: SHA-1, host name and dates checked as far as they go" \
    sh -c "$E '$R/$T' 'rc == 1' \"has('hostname_mismatch')\" \"has('weak_signature')\" 'not has(\"expired_cert\")' \"has('degraded_input')\" \"cert(0)['serialNumber'] == '07:bc:a7:39:03:f1:56'\" -- $R/tests/data/certinfo-seed.json --host your-org.your-domain --at 2015-06-01 &&
           $E '$R/$T' 'rc == 1' \"has('expired_cert')\" -- $R/tests/data/certinfo-seed.json &&
           printf '      \"certInfo\": [\\n {\"subject\": \"CN=*.domain.com\", \"expiryDate\": 1456258950000, \"validFrom\": 1358287055000},\\n' > frag.json &&
           $E '$R/$T' \"has('hostname_ok')\" \"'ends early' in err\" -- frag.json --host a.domain.com --at 2015-01-01"
  check "$T: text output: certInfo-like fields, the chain drawn with its links, findings with fixes" \
    sh -c "'$R/$T' cert missing-inter2.pem --ca root.crt --host www.example.test > out.txt; [ \$? -eq 1 ] &&
           grep -q '^    serialNumber ' out.txt && grep -q '^    isValid *Yes' out.txt && grep -q '^    sha256 ' out.txt &&
           grep -q 'issuer not given: CN=Test Intermediate CA 2' out.txt && grep -q '^  error   incomplete_chain' out.txt &&
           grep -q 'fix: Add the intermediate' out.txt && ! grep -q \$(printf '\\033') out.txt"
  check "$T: unreadable input exits 2 naming the file (and the offset), never a crash" \
    sh -c "head -c 300 ks.jks > cut.jks; head -c 200 good.der > cut.der; head -c 500 good-chain.pem > cut.pem;
           head -c 2000 /dev/urandom > rnd.bin; : > empty.pem; printf '\\xfe\\xed\\xfe\\xed\\0\\0\\0\\2\\xff\\xff\\xff\\xff' > huge.jks;
           for f in cut.jks cut.der cut.pem rnd.bin empty.pem huge.jks nonexistent.pem; do
             '$R/$T' cert \$f > /dev/null 2> err.txt; rc=\$?; [ \$rc -eq 2 ] || { echo \"\$f: exit \$rc\"; exit 1; }
             grep -q \"\$f\" err.txt || { echo \"\$f: not named\"; cat err.txt; exit 1; }; done;
           '$R/$T' cert cut.jks 2>&1 | grep -q offset"
  check "$T: usage errors exit 2" \
    sh -c "'$R/$T' cert 2>/dev/null; a=\$?; '$R/$T' cert --purpose x good.crt 2>/dev/null; b=\$?;
           '$R/$T' cert --at yesterday good.crt 2>/dev/null; c=\$?; '$R/$T' cert --compare good.crt 2>/dev/null; d=\$?; [ \$a\$b\$c\$d = 2222 ]"
  cd "$R" || exit 1
done
