#!/bin/bash
# tlsdiag cert as a new user meets it (issue 20): keystore passwords without
# the command line (--password-env, --password-stdin) on stores keytool made,
# a PEM cut short named with its line, --compare --json without an anchor.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh
R=$PWD
E="python3 $R/tests/lib/cert_expect.py"
PW='s3cret pass'
cd "$W" || exit 1
for t in JKS PKCS12; do
  keytool -genkeypair -keystore "gen-$t.ks" -storetype $t -storepass "$PW" -keypass "$PW" -alias javakey -keyalg EC \
    -dname "CN=java.example.test" -ext san=dns:java.example.test -validity 30 >/dev/null 2>&1
done
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout a.key -out a.crt -days 30 -subj /CN=a.test 2>/dev/null
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout b.key -out b.crt -days 30 -subj /CN=b.test 2>/dev/null
cat a.crt b.crt > two.pem
head -c 300 two.pem > cut1.pem                                 # inside the first block
{ cat a.crt; head -n 4 b.crt; } > cut2.pem                      # the second block without its END
{ head -n 4 a.crt; cat b.crt; } > cut3.pem                      # a new BEGIN before the first one's END
for T in $TLSDIAGS; do
  [ "${T#/}" = "$T" ] && T=$R/$T
  for t in JKS PKCS12; do
    check "$T: --password-env opens the key of a keytool $t store" \
      env KS_PW="$PW" $E "$T" 'rc == 0' "has('key_matches')" -- "gen-$t.ks" --password-env KS_PW
    check "$T: --password-stdin opens the key of a keytool $t store" \
      sh -c "printf '%s\n' '$PW' | '$T' cert --json gen-$t.ks --password-stdin > out.json; [ \$? -eq 0 ] &&
             python3 -c \"import json; d=json.load(open('out.json')); assert any(x['cause'] == 'key_matches' for x in d['findings']), d['findings']\""
  done
  check "$T: a wrong password from the environment is exit 2 naming the store, an unset variable exit 2 naming it" \
    sh -c "KS_PW=wrong '$T' cert gen-JKS.ks --password-env KS_PW > /dev/null 2> err; [ \$? -eq 2 ] || exit 1; grep -q 'gen-JKS.ks' err || exit 1
           unset NO_SUCH_PW; '$T' cert gen-JKS.ks --password-env NO_SUCH_PW > /dev/null 2> err; [ \$? -eq 2 ] && grep -q 'NO_SUCH_PW.*not set' err"
  check "$T: PKCS#12 without any password: exit 2; the password never needs the command line (help says why)" \
    sh -c "'$T' cert gen-PKCS12.ks > /dev/null 2>&1; [ \$? -eq 2 ] && '$T' cert --help | grep -q 'ps would show it'"
  check "$T: a PEM cut inside its block: 'PEM block truncated at line N' with the file, exit 2" \
    sh -c "'$T' cert cut1.pem > /dev/null 2> err; [ \$? -eq 2 ] &&
           grep -q \"^tlsdiag cert: cut1.pem: PEM block CERTIFICATE (line 1) truncated at line \$(wc -l < cut1.pem | awk '{print \$1 + 1}'): no -----END\" err"
  check "$T: the second block without its END, a BEGIN inside a block: named with their lines, exit 2" \
    sh -c "'$T' cert cut2.pem > /dev/null 2> err; [ \$? -eq 2 ] || exit 1
           grep -q \"cut2.pem: PEM block CERTIFICATE (line \$((\$(wc -l < a.crt) + 1))) truncated at line \$(wc -l < cut2.pem)\" err || exit 1
           '$T' cert cut3.pem > /dev/null 2> err; [ \$? -eq 2 ] || exit 1
           grep -q 'cut3.pem: PEM block CERTIFICATE (line 1) truncated at line 4: a new BEGIN' err || exit 1
           '$T' cert two.pem > /dev/null 2>&1; [ \$? -le 1 ]"
  check "$T: --compare --json: the anchor is null when the truststore holds none of the chain" \
    $E "$T" 'rc == 1' 'd["accepted"] is False' 'd["anchor"] is None' -- --compare a.crt b.crt
  check "$T: --compare --json: the anchor is named when the truststore accepts" \
    $E "$T" 'rc == 0' 'd["accepted"] is True' '"a.test" in d["anchor"]' -- --compare a.crt a.crt
done
